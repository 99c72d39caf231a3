"""Static checks of the Odoo add-on that need no Odoo: fields used in views and data exist,
the access CSV names real models, and every XML file is loaded by the manifest.

Fields are collected with `ast` from imagepro_addon/models/*.py (per `_name` / `_inherit`);
fields of standard Odoo models used in our views are listed in CORE_FIELDS.
"""

from __future__ import annotations

import ast
import csv
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ADDON = Path(__file__).resolve().parents[2] / "imagepro_addon"

# Standard fields (Odoo 18) of models our views, data and reports touch.
MAIL_FIELDS = {
    "message_ids", "message_follower_ids", "activity_ids", "message_main_attachment_id", "website_message_ids",
}
MAGIC_FIELDS = {"id", "display_name", "create_date", "create_uid", "write_date", "write_uid"}
CORE_FIELDS: dict[str, set[str]] = {
    "sale.order": {"name", "partner_id", "state", "payment_term_id", "order_line", "date_order", "company_id"},
    "res.partner": {"name", "ref", "email", "property_payment_term_id", "company_id"},
    "res.company": {"name", "currency_id"},
    "product.template": {"name", "default_code", "type", "list_price"},
    "product.product": {
        "name", "default_code", "type", "invoice_policy", "list_price", "sale_ok", "purchase_ok", "taxes_id",
    },
    "account.move": {"name", "move_type", "partner_id", "state"},
    "ir.sequence": {"name", "code", "prefix", "padding", "company_id"},
    "ir.ui.view": {"name", "model", "inherit_id", "arch"},
    "ir.actions.act_window": {"name", "res_model", "view_mode", "search_view_id", "context", "domain"},
    "ir.actions.report": {
        "name", "model", "report_type", "report_name", "report_file", "print_report_name",
        "binding_model_id", "binding_type",
    },
    "ir.rule": {"name", "model_id", "domain_force", "groups", "perm_read", "perm_write", "perm_create", "perm_unlink"},
    "ir.module.category": {"name", "sequence"},
    "res.groups": {"name", "category_id", "implied_ids", "users"},
    "mail.template": {
        "name", "model_id", "subject", "email_from", "partner_to", "report_template_ids", "lang",
        "auto_delete", "body_html",
    },
}


def _str_value(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def collect_model_fields() -> dict[str, set[str]]:
    """{model: {field names}} for every class in models/ (own fields plus CORE_FIELDS)."""
    fields: dict[str, set[str]] = {m: set(f) | MAGIC_FIELDS for m, f in CORE_FIELDS.items()}
    mixins: dict[str, list[str]] = {}  # model -> the other models it inherits (our own mixins among them)
    for path in sorted((ADDON / "models").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            names: list[str] = []
            inherits: list[str] = []
            own: set[str] = set()
            for stmt in cls.body:
                if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
                    continue
                target = stmt.targets[0]
                if not isinstance(target, ast.Name):
                    continue
                if target.id == "_name":
                    names = _str_value(stmt.value)
                elif target.id == "_inherit":
                    inherits = _str_value(stmt.value)
                elif (
                    isinstance(stmt.value, ast.Call)
                    and isinstance(stmt.value.func, ast.Attribute)
                    and isinstance(stmt.value.func.value, ast.Name)
                    and stmt.value.func.value.id == "fields"
                ):
                    own.add(target.id)
            model = names[0] if names else (inherits[0] if len(inherits) == 1 else None)
            if model is None:
                continue
            bucket = fields.setdefault(model, set(MAGIC_FIELDS))
            bucket |= own
            if "mail.thread" in inherits:
                bucket |= MAIL_FIELDS
            mixins.setdefault(model, []).extend(m for m in inherits if m != model)
    for model, parents in mixins.items():
        for parent in parents:
            fields[model] |= fields.get(parent, set()) - MAGIC_FIELDS
    return fields


MODEL_FIELDS = collect_model_fields()


def collect_abstract_models() -> set[str]:
    """The `_name`s of the AbstractModel classes in models/*.py: no table, so no access rows."""
    names: set[str] = set()
    for path in sorted((ADDON / "models").glob("*.py")):
        for cls in (n for n in ast.parse(path.read_text(encoding="utf-8")).body if isinstance(n, ast.ClassDef)):
            if not any(isinstance(b, ast.Attribute) and b.attr == "AbstractModel" for b in cls.bases):
                continue
            for stmt in cls.body:
                if isinstance(stmt, ast.Assign) and getattr(stmt.targets[0], "id", None) == "_name":
                    names.update(_str_value(stmt.value))
    return names


ABSTRACT_MODELS = collect_abstract_models()


def _manifest() -> dict[str, object]:
    return ast.literal_eval((ADDON / "__manifest__.py").read_text(encoding="utf-8"))


def _xml_files() -> list[Path]:
    return sorted(p for p in ADDON.rglob("*.xml") if "static" not in p.parts)


def _view_field_errors(model: str, arch: ET.Element, where: str) -> list[str]:
    """Field names in an arch, checked against `model`; sub-views of x2many fields are skipped."""
    errors: list[str] = []

    def walk(node: ET.Element, model: str) -> None:
        for child in node:
            if child.tag == "field":
                name = child.get("name", "")
                if name not in MODEL_FIELDS.get(model, set()):
                    errors.append(f"{where}: field {name!r} not on {model}")
                if child.get("position"):  # an inherited view's anchor: its content is on the same model
                    walk(child, model)
                elif len(child):  # inline sub-view of a one2many: its own model
                    sub = {
                        ("imagepro.return.authorization", "line_ids"): "imagepro.return.authorization.line",
                        ("sale.order", "order_line"): "sale.order.line",
                    }.get((model, name))
                    if sub:
                        walk(child, sub)
                continue
            walk(child, model)

    walk(arch, model)
    return errors


def test_models_were_found() -> None:
    for model in (
        "imagepro.policy",
        "imagepro.return.authorization",
        "imagepro.return.authorization.line",
        "imagepro.sync",
        "sale.order",
        "res.partner",
        "product.template",
        "account.move",
    ):
        assert model in MODEL_FIELDS
    assert {"imagepro_sync_ref", "imagepro_channel", "imagepro_payment_method"} <= MODEL_FIELDS["sale.order"]
    assert {"decision", "rules", "credit", "restocking_fee"} <= MODEL_FIELDS["imagepro.return.authorization.line"]


@pytest.mark.parametrize("path", _xml_files(), ids=lambda p: str(p.relative_to(ADDON)))
def test_xml_fields_exist(path: Path) -> None:
    root = ET.parse(path).getroot()
    errors: list[str] = []
    for record in root.iter("record"):
        rec_model = record.get("model", "")
        where = f"{path.name}:{record.get('id')}"
        view_model = None
        for field in record.findall("field"):
            name = field.get("name", "")
            if rec_model in MODEL_FIELDS and name not in MODEL_FIELDS[rec_model]:
                errors.append(f"{where}: field {name!r} not on {rec_model}")
            if rec_model == "ir.ui.view" and name == "model":
                view_model = (field.text or "").strip()
        if rec_model == "ir.ui.view":
            arch = record.find("field[@name='arch']")
            assert view_model and arch is not None, where
            errors += _view_field_errors(view_model, arch, where)
        elif rec_model not in MODEL_FIELDS:
            errors.append(f"{where}: record model {rec_model!r} is not known to this test")
    assert not errors, "\n".join(errors)


def test_access_csv_models_exist() -> None:
    ours = {m for m in MODEL_FIELDS if m.startswith("imagepro.") and m not in ABSTRACT_MODELS}
    with (ADDON / "security" / "ir.model.access.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    seen = set()
    for row in rows:
        model = row["model_id:id"].removeprefix("model_").replace("_", ".")
        assert model in ours, f"{row['id']}: unknown model {row['model_id:id']}"
        assert row["group_id:id"].startswith(("group_imagepro_", "base.group_portal")), row["id"]
        assert (model, row["group_id:id"]) not in seen, f"duplicate row for {model} / {row['group_id:id']}"
        seen.add((model, row["group_id:id"]))
        if row["group_id:id"] == "base.group_portal":  # customers read their own returns, nothing more
            assert (row["perm_write"], row["perm_create"], row["perm_unlink"]) == ("0", "0", "0"), row["id"]
    groups = {"group_imagepro_user", "group_imagepro_manager", "group_imagepro_integration"}
    portal = {(m, "base.group_portal") for m in ("imagepro.return.authorization", "imagepro.return.authorization.line",
                                                  "imagepro.return.reason")}
    assert seen == {(m, g) for m in ours for g in groups} | portal


def test_every_data_file_is_in_the_manifest() -> None:
    manifest = _manifest()
    data = set(manifest["data"])  # type: ignore[arg-type]
    on_disk = {str(p.relative_to(ADDON)) for p in _xml_files()} | {"security/ir.model.access.csv"}
    assert on_disk == data
    for name in data:
        assert (ADDON / name).is_file(), name


def test_manifest_keys() -> None:
    manifest = _manifest()
    assert manifest["version"] == "18.0.1.0.0"
    assert manifest["license"] == "LGPL-3"
    assert manifest["author"] == "Image-Pro Services & Supplies, Inc."
    assert manifest["external_dependencies"] == {"python": ["imagepro-policy"]}
    assert set(manifest["depends"]) == {"sale_management", "account", "portal"}  # type: ignore[arg-type]


@pytest.mark.parametrize("addon", ["imagepro_addon", "imagepro_addon_stock"])
def test_every_odoo_test_module_is_imported(addon: str) -> None:
    """Odoo runs only the test modules its tests/__init__.py imports: a file left out never runs."""
    tests = ADDON.parent / addon / "tests"
    imported = set(re.findall(r"^from \. import (\w+)$", (tests / "__init__.py").read_text(), flags=re.M))
    on_disk = {p.stem for p in tests.glob("test_*.py")}
    assert on_disk <= imported, sorted(on_disk - imported)
