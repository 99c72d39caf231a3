"""`imagepro-sync`: plan, submit, run, status, dead, retry, check."""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import sys
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import imagepro_policy as policy

from . import __version__
from .config import Settings, env_name, load_settings
from .errors import SyncError
from .intake import ReadDocument, read_stream
from .outbox.base import State
from .plan import Planner
from .policy_file import load_policy

log = logging.getLogger("imagepro_sync")

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _each_file(paths: Sequence[str]) -> Iterator[tuple[str, Iterator[ReadDocument]]]:
    """Each file's name and its documents, read as they are used (constant memory for JSON Lines)."""
    for name in paths:
        if name == "-":
            yield name, read_stream(sys.stdin.buffer)
            continue
        try:
            with Path(name).open("rb") as stream:
                yield name, read_stream(stream)
        except OSError as exc:
            raise SyncError(f"{name}: cannot read it ({exc})") from exc


# --- plan -----------------------------------------------------------------------------------------


def cmd_plan(args: argparse.Namespace) -> int:
    book = load_policy(Path(args.policy)) if args.policy else policy.DEFAULT_POLICY
    planner = Planner(book)
    invalid = False
    table: list[dict[str, Any]] = []
    try:
        for _, docs in _each_file(args.files):
            for doc in docs:
                line = planner.plan(doc)
                invalid = invalid or line["decision"] == "invalid"
                if args.json:
                    print(json.dumps(line))
                else:
                    table.append(line)
    finally:
        planner.close()
    if not args.json:
        _print_plan_table(table)
    return EXIT_PROBLEM if invalid else EXIT_OK


_SHOWN_AMOUNTS = {
    "merchandise_subtotal": "subtotal",
    "service_charge": "service",
    "total_before_tax": "total",
    "credit": "credit",
    "restocking_fee": "restocking",
}


def _print_plan_table(lines: list[dict[str, Any]]) -> None:
    rows = []
    for line in lines:
        amounts = line.get("amounts", {})
        shown = "  ".join(f"{label} {amounts[key]}" for key, label in _SHOWN_AMOUNTS.items() if key in amounts)
        settlement = line.get("settlement", "none")
        decision = line["decision"] + (f" ({settlement})" if settlement != "none" else "")
        rows.append((line["type"] or "?", line["ref"] or "?", decision, shown, " ".join(line.get("rules", []))))
    header = ("TYPE", "REF", "DECISION", "AMOUNTS", "RULES")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(5)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    for line, row in zip(lines, rows, strict=True):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if line["decision"] == "invalid":
            for error in line["errors"]:
                rule = f" ({error['rule']})" if error.get("rule") else ""
                print(f"    {error['field'] or 'document'}: {error['message']}{rule}")
        else:
            print(f"    {line['message']}")


# --- outbox commands ------------------------------------------------------------------------------


def _outbox(settings: Settings) -> Any:
    from .outbox import open_outbox

    return open_outbox(settings.outbox_url)


def cmd_submit(args: argparse.Namespace, settings: Settings) -> int:
    from .logs import Progress
    from .store import store_each

    outbox = _outbox(settings)
    problems = total = 0
    try:
        progress = Progress(None, "submit")
        for name, docs in _each_file(args.files):
            for stored in store_each(outbox, docs, name):
                progress.advance()
                total += 1
                if not stored.valid:
                    problems += 1
                    where = f" (kept as {stored.kept_as})" if stored.kept_as and stored.kept_as != stored.ref else ""
                    verb = "kept as invalid: " if stored.outcome != "conflict" else ""
                    print(f"{stored.kind} {stored.ref}{where}: {verb}{stored.message}", file=sys.stderr)
                elif args.verbose:
                    print(f"{stored.kind} {stored.ref}: {stored.outcome}")
        progress.finish()
    finally:
        outbox.close()
    print(f"{total - problems} of {total} document(s) queued; {problems} kept with errors")
    return EXIT_PROBLEM if problems else EXIT_OK


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    outbox = _outbox(settings)
    try:
        counts = outbox.counts()
        conflicts = outbox.count_conflicts()
        oldest = outbox.oldest_pending_since()
    finally:
        outbox.close()
    age = (_now() - oldest).total_seconds() if oldest else None
    if args.json:
        print(
            json.dumps(
                {
                    "counts": [{"state": s, "kind": k, "count": n} for (s, k), n in sorted(counts.items())],
                    "conflicts": conflicts,
                    "oldest_pending_age_seconds": age,
                }
            )
        )
        return EXIT_OK
    kinds = sorted({k for _, k in counts})
    states = ("pending", "posting", "failed", "posted", "rejected", "dead", "invalid")
    print(f"{'STATE':<10}" + "".join(f"{k:>12}" for k in kinds) + f"{'TOTAL':>10}")
    for state in states:
        row = [counts.get((state, k), 0) for k in kinds]
        print(f"{state:<10}" + "".join(f"{n:>12}" for n in row) + f"{sum(row):>10}")
    print(f"conflicts: {conflicts} (changed resends kept as invalid beside the first version; see `dead`)")
    print("oldest pending: " + (f"{int(age)} s ago" if age is not None else "none"))
    return EXIT_OK


NEEDS_A_PERSON: tuple[State, ...] = ("dead", "invalid", "rejected")
_PAGE = 1000


def _rows_needing_a_person(outbox: Any, limit: int | None) -> Iterator[Any]:
    """Every dead, invalid and rejected row, in pages (constant memory, whatever the outbox holds)."""
    after, shown = 0, 0
    while limit is None or shown < limit:
        page = outbox.rows(states=NEEDS_A_PERSON, limit=_PAGE if limit is None else min(_PAGE, limit - shown),
                           after_id=after)
        if not page:
            return
        yield from page
        shown += len(page)
        after = page[-1].id


def cmd_dead(args: argparse.Namespace, settings: Settings) -> int:
    outbox = _outbox(settings)
    try:
        total = sum(n for (state, _), n in outbox.counts().items() if state in NEEDS_A_PERSON)
        listed = 0
        for row in _rows_needing_a_person(outbox, args.limit):
            listed += 1
            if args.json:
                print(json.dumps({"type": row.kind, "ref": row.ref, "state": row.state, "attempts": row.attempts,
                                  "error": row.last_error, "errors": row.errors}))
            else:
                print(f"{row.state:<9}{row.kind:<11}{row.ref:<18}tries {row.attempts:<3}{row.last_error}")
    finally:
        outbox.close()
    if not args.json:
        shown = f" ({listed} listed; --limit)" if listed < total else ""
        print(
            f"{total} document(s) need a person{shown}: fix the cause, then `imagepro-sync retry REF` "
            "(dead) or submit a corrected document with the same ref (invalid, rejected)"
        )
    return EXIT_OK


def cmd_retry(args: argparse.Namespace, settings: Settings) -> int:
    if not args.all and not args.ref:
        print("name a REF or give --all", file=sys.stderr)
        return EXIT_USAGE
    outbox = _outbox(settings)
    try:
        count = outbox.retry(None if args.all else args.ref)
    finally:
        outbox.close()
    print(f"{count} document(s) back in the queue")
    return EXIT_OK if count or args.all else EXIT_PROBLEM


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from .heartbeat import Heartbeat
    from .inbox import Inbox
    from .logs import Progress
    from .runner import Runner, stop_on_signals
    from .wiring import build_poster

    settings.require_erp()
    inbox_dir = Path(args.inbox) if args.inbox else settings.inbox
    outbox = _outbox(settings)
    poster, transport = build_poster(settings, outbox, _now)
    progress = Progress(0, "posted") if args.once else None
    runner = Runner(
        outbox,
        poster,
        worker_id=f"{socket.gethostname()}-{os.getpid()}",
        clock=_now,
        batch_size=settings.batch_size,
        lease_seconds=settings.lease_seconds,
        inbox=Inbox(inbox_dir) if inbox_dir else None,
        on_progress=progress.advance if progress else None,
        heartbeat=Heartbeat(settings.heartbeat_file, _now),
    )
    if settings.metrics_port:
        from .metrics import Metrics

        metrics = Metrics()
        metrics.serve(settings.metrics_port)
        runner.on_round = lambda summary, seconds: metrics.observe_round(
            summary, seconds, outbox, transport.rpc_calls, _now()
        )
    try:
        with stop_on_signals(runner):
            if args.once:
                summary = runner.run_round()
                if progress:
                    progress.finish()
                print(
                    f"posted {summary.count('posted')}, failed {summary.count('failed')} (will retry), "
                    f"dead {summary.count('dead')}, rejected {summary.count('rejected')}, "
                    f"in progress elsewhere {summary.count('deferred')} (will retry); "
                    f"{transport.rpc_calls} call(s) to Odoo"
                )
                return EXIT_PROBLEM if summary.count("dead") else EXIT_OK
            runner.run_forever(settings.poll_seconds)
            return EXIT_OK
    finally:
        transport.close()
        outbox.close()


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from .erp.check import CheckResult
    from .heartbeat import liveness
    from .wiring import run_checks

    if args.live:
        alive, message = liveness(settings.heartbeat_file, settings.liveness_seconds, _now())
        results = [*run_checks(settings, quick=True), CheckResult("heartbeat", alive, message)]
    else:
        results = run_checks(settings, quick=args.quick)
    for result in results:
        print(f"{'ok  ' if result.ok else 'FAIL'} {result.name}: {result.message}")
    return EXIT_OK if all(r.ok for r in results) else EXIT_PROBLEM


# --- parser ---------------------------------------------------------------------------------------


def _env_flag(parser: argparse.ArgumentParser, flag: str, field: str, help_text: str, **kwargs: Any) -> None:
    parser.add_argument(flag, dest=field, default=None, help=f"{help_text} [env {env_name(field)}]", **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imagepro-sync",
        description="Image-Pro's terms applied to orders, shipments, returns and inspections, posted to Odoo.",
        epilog="Settings come from flags, then IMAGEPRO_* environment variables, then --config FILE (TOML). "
        "The password is never a flag: set IMAGEPRO_ERP_PASSWORD (a password or an API key).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--config",
        default=os.environ.get("IMAGEPRO_CONFIG_FILE"),
        help="TOML file of settings (keys as below, lower case) [env IMAGEPRO_CONFIG_FILE]",
    )
    _env_flag(
        parser,
        "--outbox-url",
        "outbox_url",
        "outbox: sqlite:///FILE (default ./imagepro-outbox.db) or postgresql://...",
    )
    _env_flag(parser, "--erp-url", "erp_url", "Odoo URL")
    _env_flag(parser, "--erp-db", "erp_db", "Odoo database")
    _env_flag(parser, "--erp-user", "erp_user", "Odoo login of the integration user")
    _env_flag(parser, "--transport", "erp_transport", "xmlrpc (default) or jsonrpc", choices=("xmlrpc", "jsonrpc"))
    _env_flag(parser, "--poll-seconds", "poll_seconds", "seconds between rounds of `run`", type=float)
    _env_flag(parser, "--batch-size", "batch_size", "most documents per call to Odoo", type=int)
    _env_flag(
        parser, "--call-budget-seconds", "call_budget_seconds", "seconds one call to Odoo should take", type=float
    )
    _env_flag(parser, "--log-format", "log_format", "auto, json or text", choices=("auto", "json", "text"))
    _env_flag(
        parser,
        "--log-level",
        "log_level",
        "DEBUG, INFO, WARNING or ERROR",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    plan = sub.add_parser("plan", help="decide documents with no ERP and print what the terms say")
    plan.add_argument("files", nargs="+", metavar="FILE", help="JSON, JSON array or JSON Lines; - for stdin")
    plan.add_argument("--json", action="store_true", help="one JSON object per document (docs/documents.md)")
    plan.add_argument("--policy", help="plan under other numbers: a TOML or JSON policy file")

    submit = sub.add_parser("submit", help="validate documents and queue them in the outbox")
    submit.add_argument("files", nargs="+", metavar="FILE")
    submit.add_argument("-v", "--verbose", action="store_true", help="print every document's outcome")

    run = sub.add_parser("run", help="take the inbox and post to Odoo, every poll, until SIGTERM")
    _env_flag(run, "--metrics-port", "metrics_port", "serve Prometheus metrics on this port", type=int)
    run.add_argument("--once", action="store_true", help="one round: drain what is due, then exit")
    _env_flag(run, "--inbox", "inbox", "folder to take document files from")

    status = sub.add_parser("status", help="documents by state and kind; age of the oldest pending")
    status.add_argument("--json", action="store_true")
    dead = sub.add_parser("dead", help="list dead letters, invalid and rejected documents with their reasons")
    dead.add_argument("--limit", type=int, default=None, help="list at most N (default: all, streamed)")
    dead.add_argument("--json", action="store_true")
    retry = sub.add_parser("retry", help="put dead letters back in the queue")
    retry.add_argument("ref", nargs="?", help="the document's ref")
    retry.add_argument("--all", action="store_true", help="every dead letter")
    check = sub.add_parser("check", help="reach Odoo, log in, check the add-on, rights, products, terms, journals")
    check.add_argument("--quick", action="store_true", help="only the settings and the outbox (readiness probe)")
    check.add_argument(
        "--live",
        action="store_true",
        help="the settings, the outbox and the running worker's heartbeat: fails when no round started, "
        f"progressed or finished within IMAGEPRO_LIVENESS_SECONDS (liveness probe) [env {env_name('heartbeat_file')}]",
    )
    return parser


_SETTINGS_FIELDS = (
    "outbox_url",
    "erp_url",
    "erp_db",
    "erp_user",
    "erp_transport",
    "poll_seconds",
    "batch_size",
    "call_budget_seconds",
    "log_format",
    "log_level",
    "inbox",
    "metrics_port",
)


def main(argv: Sequence[str] | None = None) -> int:
    """The CLI. Everything it prints goes through one redaction (sync_worker.redact): no secret is shown."""
    from .redact import RedactingStream

    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(stdout), RedactingStream(stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "plan":
            return cmd_plan(args)
        overrides = {name: getattr(args, name, None) for name in _SETTINGS_FIELDS}
        settings = load_settings(Path(args.config) if args.config else None, **overrides)
        from .logs import setup_logging

        setup_logging(settings.log_level, settings.log_format, [settings.erp_password.get_secret_value()])
        command = {
            "submit": cmd_submit,
            "status": cmd_status,
            "dead": cmd_dead,
            "retry": cmd_retry,
            "run": cmd_run,
            "check": cmd_check,
        }[args.command]
        return command(args, settings)
    except SyncError as exc:
        print(f"imagepro-sync: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    except BrokenPipeError:
        # The reader went away (`imagepro-sync plan ... | head`): stop quietly. Point stdout at devnull so
        # the interpreter's final flush does not fail again (the recipe of Python's `signal` docs).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PROBLEM


if __name__ == "__main__":
    sys.exit(main())
