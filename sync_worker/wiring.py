"""Building the worker's parts from settings: transport, sync API client, poster, checks."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime

from . import __version__
from .config import Settings
from .erp import SyncApi, make_retrying, make_transport
from .erp.base import ErpTransport
from .erp.check import CheckResult
from .erp.check import run_checks as run_erp_checks
from .errors import SyncError
from .outbox import open_outbox, redact
from .outbox.base import Outbox
from .posting import Backoff, Poster
from .sizing import CallSizer

# The add-on this worker talks to: Odoo's series, then the worker's own version (manifest 18.0.1.0.0 for 1.0.0).
ODOO_SERIES = "18.0"
ADDON_VERSION = f"{ODOO_SERIES}.{__version__}"


def build_transport(settings: Settings) -> ErpTransport:
    settings.require_erp()
    return make_transport(
        settings.erp_transport,
        settings.erp_url,
        settings.erp_db,
        settings.erp_user,
        settings.erp_password,
        settings.erp_timeout_seconds,
        settings.erp_verify_tls,
    )


def build_poster(
    settings: Settings,
    outbox: Outbox,
    clock: Callable[[], datetime],
    transport: ErpTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[Poster, ErpTransport]:
    transport = transport or build_transport(settings)
    retrying = make_retrying(attempts=settings.call_attempts, max_seconds=settings.call_max_seconds, sleep=sleep)
    poster = Poster(
        outbox,
        SyncApi(transport, retrying),
        batch_size=settings.batch_size,
        backoff=Backoff(settings.retry_base_seconds, settings.retry_max_seconds, settings.max_attempts),
        clock=clock,
        rng=random.Random(),
        sizer=CallSizer(budget_seconds=settings.call_budget_seconds, max_size=settings.batch_size),
    )
    return poster, transport


def run_checks(settings: Settings, quick: bool = False) -> list[CheckResult]:
    """`check`: settings and outbox; unless quick, Odoo, the add-on, rights, products, terms, journals."""
    results = [CheckResult("settings", True, "loaded")]
    try:
        outbox = open_outbox(settings.outbox_url)
        try:
            outbox.counts()
        finally:
            outbox.close()
        results.append(CheckResult("outbox", True, f"{redact(settings.outbox_url)} is usable"))
    except SyncError as exc:
        results.append(CheckResult("outbox", False, str(exc)))
    if quick:
        return results
    try:
        transport = build_transport(settings)
    except SyncError as exc:
        return [*results, CheckResult("Odoo settings", False, str(exc))]
    try:
        return results + run_erp_checks(transport, ADDON_VERSION)
    finally:
        transport.close()

