"""The three distributions this repository ships, as their users install them.

imagepro-policy (./policy), imagepro-sync (the worker, ./), and the Odoo add-ons built by whool from
./imagepro_addon and ./imagepro_addon_stock. Their wheels are built once per session, without build isolation
(the backends come with the test extra, so no network), and their METADATA is read as pip would.
One version for all: the worker's X.Y.Z, the policy's X.Y.Z, the add-ons' 18.0.X.Y.Z.
"""

from __future__ import annotations

import ast
import email.parser
import importlib.metadata
import shutil
import subprocess
import sys
import zipfile
from email.message import Message
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

import imagepro_policy
import sync_worker
from sync_worker.wiring import ADDON_VERSION, ODOO_SERIES
from tests.odoo_standin.erp import MODULE_VERSION as STANDIN_MODULE_VERSION

ROOT = Path(__file__).resolve().parents[1]
ADDONS = ("imagepro_addon", "imagepro_addon_stock")
WORKER_ONLY = ("pydantic", "pydantic-settings", "tenacity", "schedule", "odoorpc", "psycopg", "prometheus-client")


def _pyproject(folder: Path) -> dict[str, object]:
    with (folder / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)


def _project(folder: Path) -> dict[str, object]:
    project = _pyproject(folder)["project"]
    assert isinstance(project, dict)
    return project


def _manifest(addon: str) -> dict[str, object]:
    manifest = ast.literal_eval((ROOT / addon / "__manifest__.py").read_text(encoding="utf-8"))
    assert isinstance(manifest, dict)
    return manifest


def _requirement_name(requirement: str) -> str:
    for stop in "=<>!~;[ ":
        requirement = requirement.split(stop, 1)[0]
    return requirement.strip().lower().replace("_", "-")


# --- versions -------------------------------------------------------------------------------------------------


def test_the_worker_policy_and_addons_carry_one_version() -> None:
    worker = _project(ROOT)
    policy = _project(ROOT / "policy")
    assert worker["version"] == sync_worker.__version__
    assert policy["version"] == imagepro_policy.__version__
    assert policy["version"] == worker["version"]
    # The worker pins the rules it was released with.
    assert f"imagepro-policy=={policy['version']}" in worker["dependencies"]  # type: ignore[operator]
    # The add-ons: Odoo's series, then the worker's version; the worker's `check` expects exactly that.
    for addon in ADDONS:
        assert _manifest(addon)["version"] == f"{ODOO_SERIES}.{worker['version']}", addon
    assert f"18.0.{sync_worker.__version__}" == ADDON_VERSION
    assert STANDIN_MODULE_VERSION == ADDON_VERSION


def test_imagepro_sync_version_prints_the_workers_version() -> None:
    """The installed console script, as a user types it."""
    script = shutil.which("imagepro-sync", path=str(Path(sys.executable).parent)) or "imagepro-sync"
    done = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, f"imagepro-sync {sync_worker.__version__}"), done.stderr


def test_the_changelog_names_the_current_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {sync_worker.__version__}" in changelog


def test_the_add_on_asks_odoo_for_the_policy_distribution() -> None:
    """Odoo 18 looks each python external dependency up with importlib.metadata: a distribution name."""
    assert _manifest("imagepro_addon")["external_dependencies"] == {"python": ["imagepro-policy"]}
    assert _project(ROOT / "policy")["name"] == "imagepro-policy"
    # What Odoo 18's check_python_external_dependency does first; installed as the README says, it is found.
    assert importlib.metadata.version("imagepro-policy") == imagepro_policy.__version__


# --- wheels ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every distribution's wheel, built the way the README says, with no isolation and no network."""
    work = tmp_path_factory.mktemp("distributions")
    out = work / "wheels"
    # setuptools writes build/ and *.egg-info beside the sources: build copies of them, not the checkout.
    ignore = shutil.ignore_patterns("__pycache__", "build", "*.egg-info", ".mypy_cache")
    shutil.copytree(ROOT / "policy", work / "policy", ignore=ignore)
    (work / "worker").mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, work / "worker" / name)
    shutil.copytree(ROOT / "sync_worker", work / "worker" / "sync_worker", ignore=ignore)
    # whool writes nothing beside the add-on (it packs the files git tracks), so the add-ons build in place.
    sources = [work / "policy", work / "worker", *(ROOT / addon for addon in ADDONS)]
    builds = [
        subprocess.Popen(
            [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(source)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for source in sources
    ]
    for source, build in zip(sources, builds, strict=True):
        output, _ = build.communicate(timeout=300)
        assert build.returncode == 0, f"{source}:\n{output}"
    found = {}
    for wheel in out.glob("*.whl"):
        metadata = _wheel_metadata(wheel)
        found[metadata["Name"]] = wheel
    return found


def _wheel_metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return email.parser.HeaderParser().parsestr(archive.read(name).decode("utf-8"))


def _requires(wheel: Path) -> list[str]:
    return _wheel_metadata(wheel).get_all("Requires-Dist") or []


def _names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_four_wheels_with_their_versions(wheels: dict[str, Path]) -> None:
    version = sync_worker.__version__
    assert {name: _wheel_metadata(wheel)["Version"] for name, wheel in wheels.items()} == {
        "imagepro-policy": version,
        "imagepro-sync": version,
        "odoo-addon-imagepro_addon": f"18.0.{version}",
        "odoo-addon-imagepro_addon_stock": f"18.0.{version}",
    }


def test_the_policy_wheel_needs_nothing_and_is_typed(wheels: dict[str, Path]) -> None:
    wheel = wheels["imagepro-policy"]
    assert _requires(wheel) == []
    names = _names(wheel)
    assert "imagepro_policy/py.typed" in names
    assert "imagepro_policy/rules.py" in names
    assert not [n for n in names if n.startswith("sync_worker/")]


def test_the_worker_wheel_requires_the_policy_and_does_not_carry_it(wheels: dict[str, Path]) -> None:
    wheel = wheels["imagepro-sync"]
    requires = [r for r in _requires(wheel) if "extra ==" not in r]
    assert f"imagepro-policy=={imagepro_policy.__version__}" in requires
    assert {_requirement_name(r) for r in requires} >= set(WORKER_ONLY)
    names = _names(wheel)
    assert "sync_worker/py.typed" in names
    assert not [n for n in names if n.startswith("imagepro_policy/")]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    with zipfile.ZipFile(wheel) as archive:
        assert "imagepro-sync = sync_worker.cli:main" in archive.read(entry_points).decode("utf-8")


def test_the_addon_wheel_requires_the_policy_and_odoo_18_only(wheels: dict[str, Path]) -> None:
    wheel = wheels["odoo-addon-imagepro_addon"]
    requires = _requires(wheel)
    assert sorted(requires) == ["imagepro-policy", "odoo==18.0.*"]
    # Odoo's own add-ons (sale_management, account, portal) are Odoo, not distributions of their own,
    # and nothing of the worker's comes into Odoo's Python.
    names = {_requirement_name(r) for r in requires}
    assert not names & {"odoo-addon-sale-management", "odoo-addon-account", "odoo-addon-portal", *WORKER_ONLY}
    files = _names(wheel)
    assert "odoo/addons/imagepro_addon/__manifest__.py" in files
    assert "odoo/addons/imagepro_addon/security/ir.model.access.csv" in files
    assert "odoo/addons/imagepro_addon/readme/DESCRIPTION.md" in files
    assert "odoo/addons/imagepro_addon/pyproject.toml" not in files


def test_the_stock_bridge_wheel_requires_the_addon_of_the_same_series(wheels: dict[str, Path]) -> None:
    wheel = wheels["odoo-addon-imagepro_addon_stock"]
    assert sorted(_requires(wheel)) == ["odoo-addon-imagepro_addon==18.0.*", "odoo==18.0.*"]
    assert "odoo/addons/imagepro_addon_stock/__manifest__.py" in _names(wheel)
