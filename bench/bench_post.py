"""Post N orders and their shipments two ways and print the figures.

    python bench/bench_post.py --orders 400 [--batch 100] [--url URL --db DB --user U --password P]
        [--only naive|batched] [--lines-max 4] [--card-share 0.667]

- batched: the worker's path, SyncApi.post in batches (all orders, then all shipments);
- naive: what a record-by-record connector does for the same result: per order res.partner search
  (+create), product.product search per line, the freight line (and the small-order service charge
  under the minimum, O1), Net 30 terms on open account, sale.order create, action_confirm; per
  shipment sale.order search, write, the invoicing wizard (sale.advance.payment.inv create +
  create_invoices), account.move write of the invoice date and terms (due on the ship date for card,
  Net 30 otherwise), action_post, and for a card order the register-payment wizard in the CARD
  journal with the memo "INV/... paid by <Brand> card".

With --odoo-config (run with the Python of Odoo's virtual environment, Odoo imported into this process), two
more paths against the same database, without RPC (bench/odoo_inprocess.py):

- core: plain Odoo doing the same work in-process, none of the add-on's rules: the floor of what Odoo costs;
- sync-in-process: the add-on's sync API called in-process, batch by batch.

The document shape is a flag: 1 to --lines-max lines per order, --card-share of them paid by card.
--only runs one path, so runs of the paths can be interleaved.

Without --url it runs against the Odoo stand-in started in this process (no database behind it,
so the seconds measure HTTP and marshalling, and the RPC counts are what carries over to a real
Odoo; --latency-ms adds a per-call pause standing for Odoo's own work). With --url, refs carry a
per-run prefix so reruns do not collide.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sync_worker.erp import ErpTransport, SyncApi, make_retrying, make_transport
from sync_worker.errors import PermanentError

SKUS_STANDIN = ["IP-TN450", "IP-CE505A", "IP-Q2612A", "IP-CF226X", "IP-PG245", "IP-DR420"]


@dataclass
class Figures:
    path: str
    documents: int
    seconds: float
    rpc_calls: int


CARD_BRANDS = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express"}
MINIMUM_ORDER, SERVICE_CHARGE, FREIGHT = 50.0, 3.0, 8.5


def make_documents(count: int, prefix: str, skus: list[str], seed: int = 7, lines_max: int = 4,
                   card_share: float = 2 / 3) -> tuple[list[dict[str, Any]], ...]:
    """Orders of 1 to `lines_max` lines, `card_share` of them paid by card (spread evenly), and a shipment each."""
    rng = random.Random(seed)
    orders, shipments = [], []
    for n in range(count):
        lines = [
            {"sku": rng.choice(skus), "quantity": rng.randint(1, 3),
             "unit_price": f"{rng.choice([9, 12, 18, 24, 31, 54])}.{rng.choice(['00', '50', '99'])}",
             "discount_percent": rng.choice(["0", "0", "10"])}
            for _ in range(rng.randint(1, max(1, lines_max)))
        ]
        card = int((n + 1) * card_share) > int(n * card_share)
        payment: dict[str, Any] = {"method": "card", "card_brand": rng.choice(["visa", "mastercard", "amex"])}
        if not card:
            payment = {"method": "open_account"}
        ref = f"{prefix}O{n:06d}"
        orders.append({
            "type": "order", "ref": ref, "channel": rng.choice(["web", "phone", "email"]), "order_date": "2026-11-20",
            "customer": {"ref": f"{prefix}C{n % 50:04d}", "name": f"Customer {n % 50}", "email": ""},
            "lines": lines, "freight": {"method": "ground", "amount": "8.50"}, "payment": payment,
        })
        shipments.append({"type": "shipment", "ref": f"{prefix}S{n:06d}", "order_ref": ref,
                          "shipped_on": "2026-11-21"})
    return orders, shipments


def run_batched(transport: ErpTransport, orders: list[dict[str, Any]], shipments: list[dict[str, Any]],
                batch: int) -> Figures:
    api = SyncApi(transport, make_retrying(attempts=3))
    transport.login()
    start, calls = time.perf_counter(), transport.rpc_calls
    statuses: dict[str, int] = {}
    for kind, docs in (("order", orders), ("shipment", shipments)):
        for i in range(0, len(docs), batch):
            for result in api.post(kind, docs[i: i + batch]):
                key = f"{kind}:{result.status}"
                statuses[key] = statuses.get(key, 0) + 1
    figures = Figures("batched (SyncApi)", len(orders) + len(shipments), time.perf_counter() - start,
                      transport.rpc_calls - calls)
    print("  batched results:", ", ".join(f"{k}={v}" for k, v in sorted(statuses.items())))
    return figures


def _marshal_none_ok(call: Any, *args: Any, **kwargs: Any) -> None:
    """Odoo 18's wizards do their work (and commit) and then answer an action holding a None, which XML-RPC
    cannot marshal: a naive connector has to ignore that and go and look for what was made."""
    try:
        call(*args, **kwargs)
    except PermanentError as exc:
        if "cannot marshal None" not in str(exc):
            raise


def _search_if_known(call: Any, model: str, domain: list[Any]) -> list[int]:
    """A search; [] where the ERP has no such model (the stand-in only knows the records the sync API makes)."""
    try:
        return list(call(model, "search", [domain], {"limit": 1}))
    except PermanentError as exc:
        if "doesn't exist" not in str(exc):
            raise
        return []


def order_line_commands(doc: dict[str, Any], product_id: Callable[[str], int], charge: int,
                        freight: int) -> list[tuple[int, int, dict[str, Any]]]:
    """The sale.order.line commands of an order document as plain Odoo takes them: its lines (each SKU's product
    from `product_id`), the service charge under the minimum (O1) and the freight line (O2)."""
    lines, subtotal = [], 0.0
    for line in doc["lines"]:
        price, discount = float(line["unit_price"]), float(line["discount_percent"])
        subtotal += line["quantity"] * price * (1 - discount / 100)
        lines.append((0, 0, {"product_id": product_id(line["sku"]), "product_uom_qty": line["quantity"],
                             "price_unit": price, "discount": discount}))
    if subtotal < MINIMUM_ORDER:  # O1
        lines.append((0, 0, {"product_id": charge, "product_uom_qty": 1, "price_unit": SERVICE_CHARGE}))
    lines.append((0, 0, {"product_id": freight, "product_uom_qty": 1, "price_unit": float(doc["freight"]["amount"])}))
    return lines


def run_naive(transport: ErpTransport, orders: list[dict[str, Any]], shipments: list[dict[str, Any]]) -> Figures:
    call = transport.execute_kw
    transport.login()
    start, calls = time.perf_counter(), transport.rpc_calls
    one = {"limit": 1}
    # Looked up once per run, as any connector would.
    [freight] = call("product.product", "search", [[["default_code", "=", "IP-FREIGHT"]]], one)
    [charge] = call("product.product", "search", [[["default_code", "=", "IP-SERVICE-CHARGE"]]], one)
    net30 = _search_if_known(call, "account.payment.term", [["name", "=", "30 Days"]])
    card_journal = _search_if_known(call, "account.journal", [["code", "=", "CARD"]])
    if not (net30 and card_journal):
        print("  naive: this ERP has no payment terms or CARD journal (the stand-in): terms and card payments skipped")
    orders_by_ref = {doc["ref"]: doc for doc in orders}
    for doc in orders:
        partner = call("res.partner", "search", [[["ref", "=", doc["customer"]["ref"]]]], one)
        partner_id = partner[0] if partner else call("res.partner", "create",
                                                     [{"ref": doc["customer"]["ref"], "name": doc["customer"]["name"]}])
        lines = order_line_commands(
            doc, lambda sku: call("product.product", "search", [[["default_code", "=", sku]]], one)[0], charge, freight)
        card = doc["payment"]["method"] == "card"
        vals: dict[str, Any] = {"partner_id": partner_id, "client_order_ref": doc["ref"], "order_line": lines,
                                "imagepro_payment_method": doc["payment"]["method"]}
        if card:
            vals["imagepro_card_brand"] = doc["payment"]["card_brand"]
        elif net30:
            vals["payment_term_id"] = net30[0]
        order_id = call("sale.order", "create", [vals])
        call("sale.order", "action_confirm", [[order_id]])
    for doc in shipments:
        order = orders_by_ref[doc["order_ref"]]
        card = order["payment"]["method"] == "card"
        found = call("sale.order", "search", [[["client_order_ref", "=", doc["order_ref"]]]], one)
        order_id = found[0]
        call("sale.order", "write", [[order_id], {"commitment_date": f"{doc['shipped_on']} 12:00:00"}])
        context = {"active_model": "sale.order", "active_ids": [order_id], "active_id": order_id}
        wizard = call("sale.advance.payment.inv", "create", [{"advance_payment_method": "delivered"}],
                      {"context": context})
        _marshal_none_ok(call, "sale.advance.payment.inv", "create_invoices", [[wizard]], {"context": context})
        invoice_id = call("sale.order", "read", [[order_id]], {"fields": ["invoice_ids"]})[0]["invoice_ids"][-1]
        invoice_vals: dict[str, Any] = {"invoice_date": doc["shipped_on"]}
        if card:  # paid at once: due on the invoice date
            invoice_vals.update({"invoice_payment_term_id": False, "invoice_date_due": doc["shipped_on"]})
        elif net30:
            invoice_vals["invoice_payment_term_id"] = net30[0]
        call("account.move", "write", [[invoice_id], invoice_vals])
        call("account.move", "action_post", [[invoice_id]])
        if card and card_journal:
            [invoice] = call("account.move", "read", [[invoice_id]], {"fields": ["name"]})
            brand = CARD_BRANDS.get(order["payment"]["card_brand"], "card")
            pay_context = {"active_model": "account.move", "active_ids": [invoice_id]}
            register = call("account.payment.register", "create",
                            [{"journal_id": card_journal[0], "payment_date": doc["shipped_on"],
                              "communication": f"{invoice['name']} paid by {brand} card"}],
                            {"context": pay_context})
            _marshal_none_ok(call, "account.payment.register", "action_create_payments", [[register]],
                             {"context": pay_context})
    return Figures("naive (per record)", len(orders) + len(shipments), time.perf_counter() - start,
                   transport.rpc_calls - calls)


def run_in_process(odoo: Any, label: str, orders: list[dict[str, Any]], shipments: list[dict[str, Any]],
                   batch: int) -> Figures:
    from bench.odoo_inprocess import run_core, run_sync

    seconds, outcome = (run_core if label == "core" else run_sync)(odoo, orders, shipments, batch)
    print(f"  {label} results:", ", ".join(f"{k}={v}" for k, v in sorted(outcome.items())))
    return Figures(f"{label} (no RPC)", len(orders) + len(shipments), seconds, 0)


def print_table(rows: list[Figures]) -> None:
    print(f"{'path':<22}{'documents':>10}{'seconds':>10}{'docs/s':>10}{'RPC calls':>11}{'calls/doc':>11}")
    for r in rows:
        rate = r.documents / r.seconds if r.seconds else float("inf")
        print(f"{r.path:<22}{r.documents:>10}{r.seconds:>10.2f}{rate:>10.1f}{r.rpc_calls:>11}"
              f"{r.rpc_calls / r.documents:>11.2f}")
    by_path = {r.path.split(" ")[0]: r for r in rows}
    batched, naive, core = by_path.get("batched"), by_path.get("naive"), by_path.get("core")
    if batched and naive and batched.seconds and batched.rpc_calls:
        print(f"speedup (naive seconds / batched seconds): {naive.seconds / batched.seconds:.2f}x; "
              f"RPC calls: {naive.rpc_calls / batched.rpc_calls:.0f}x fewer")
    for other in (batched, by_path.get("sync-in-process")):
        if other and core and other.seconds:
            print(f"{other.path} at {core.seconds / other.seconds:.0%} of the core pipeline's docs/s")


def approve_customers(url: str, db: str, user: str, password: str, refs: list[str]) -> None:
    """Create the bench's customers in a real Odoo and approve their credit (not timed)."""
    admin = make_transport("xmlrpc", url, db, user, password, 120.0)
    try:
        for ref in refs:
            found = admin.execute_kw("res.partner", "search", [[["ref", "=", ref]]], {"limit": 1})
            partner_id = found[0] if found else admin.execute_kw("res.partner", "create", [{"ref": ref, "name": ref}])
            admin.execute_kw("res.partner", "action_imagepro_approve_credit", [[partner_id]])
    finally:
        admin.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--transport", choices=["xmlrpc", "jsonrpc"], default="xmlrpc")
    parser.add_argument("--url")
    parser.add_argument("--db", default="imagepro_dev")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--admin-user", help="real Odoo: a user who may approve credit (default --user)")
    parser.add_argument("--admin-password", help="its password (default --password)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="stand-in only: pause per execute_kw")
    parser.add_argument("--only", choices=["naive", "batched", "core", "sync-in-process"],
                        help="run one path only (to interleave runs)")
    parser.add_argument("--odoo-config", help="Odoo's configuration file: adds the in-process paths core and "
                        "sync-in-process (run with the Python of Odoo's virtual environment)")
    parser.add_argument("--lines-max", type=int, default=4, help="order lines: 1 to this many (default 4)")
    parser.add_argument("--card-share", type=float, default=2 / 3, help="share of orders paid by card (2/3)")
    args = parser.parse_args(argv)

    in_process = None
    labels = ["batched", "naive"] + (["sync-in-process", "core"] if args.odoo_config else [])
    if args.only:
        labels = [args.only]
    if any(label in ("core", "sync-in-process") for label in labels):
        if not (args.url and args.odoo_config):
            parser.error("the in-process paths need --url and --odoo-config")
        from bench.odoo_inprocess import InProcessOdoo

        in_process = InProcessOdoo(args.odoo_config, args.db, args.user)
    standin = None
    if args.url:
        url, db, user, password = args.url, args.db, args.user, args.password
        prefix = f"BENCH-{uuid.uuid4().hex[:6]}-"
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.odoo_standin import OdooStandin

        standin = OdooStandin(latency=args.latency_ms / 1000).start()
        url, db, user, password = standin.url, standin.db, standin.user, standin.password
        prefix = "BENCH-"
    try:
        rows = []
        for label in labels:
            transport = make_transport(args.transport, url, db, user, password, 120.0)
            try:
                skus = SKUS_STANDIN
                if args.url:
                    found = transport.execute_kw("product.product", "search_read",
                                                 [[["default_code", "like", "IP-"], ["sale_ok", "=", True]]],
                                                 {"fields": ["default_code"], "limit": 20})
                    skus = [p["default_code"] for p in found if p["default_code"] not in
                            ("IP-SERVICE-CHARGE", "IP-FREIGHT", "IP-RESTOCKING")] or SKUS_STANDIN
                # the same documents for both paths, under their own prefix so neither sees the other's records
                orders, shipments = make_documents(args.orders, f"{prefix}{label[:2].upper()}", skus,
                                                   lines_max=args.lines_max, card_share=args.card_share)
                # Customers known to the ERP with approved credit, as in production, so both paths do the
                # same work (an order from an unknown customer on open account would be held, not invoiced).
                customer_refs = sorted({doc["customer"]["ref"] for doc in orders})
                if standin is not None:
                    for ref in customer_refs:
                        standin.erp.add_customer(ref, credit_approved=True)
                else:
                    approve_customers(url, db, args.admin_user or user, args.admin_password or password,
                                      customer_refs)
                if label == "batched":
                    rows.append(run_batched(transport, orders, shipments, args.batch))
                elif label == "naive":
                    rows.append(run_naive(transport, orders, shipments))
                else:
                    rows.append(run_in_process(in_process, label, orders, shipments, args.batch))
            finally:
                transport.close()
        where = args.url or f"the Odoo stand-in ({args.latency_ms:g} ms per call added)"
        print(f"{args.orders} orders + {args.orders} shipments over {args.transport} against {where}; "
              f"1-{args.lines_max} lines per order, {args.card_share:.0%} paid by card")
        print_table(rows)
    finally:
        if standin is not None:
            standin.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
