"""`imagepro-sync check`: can the worker reach Odoo, log in, and find the add-on it needs, set up?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import PermanentError, TransientError
from .api import SYNC_MODEL
from .base import ErpTransport

ADDON = "imagepro_addon"


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    message: str

    def __str__(self) -> str:
        return f"[{'ok' if self.ok else 'FAIL'}] {self.name}: {self.message}"


def run_checks(transport: ErpTransport, expected_module_version: str) -> list[CheckResult]:
    """One CheckResult per step; stops at the first step the later ones depend on."""
    results: list[CheckResult] = []
    try:
        version = transport.version()
    except (TransientError, PermanentError) as exc:
        return [CheckResult("reach Odoo", False, str(exc))]
    server = str(version.get("server_version", "?"))
    results.append(CheckResult("reach Odoo", True, f"Odoo {server} answers"))
    if not server.startswith("18."):
        results.append(CheckResult("Odoo version", False, f"Odoo {server}; the add-on is built for 18.0"))

    try:
        uid = transport.login()
    except (TransientError, PermanentError) as exc:
        results.append(CheckResult("log in", False, str(exc)))
        return results
    results.append(CheckResult("log in", True, f"logged in as uid {uid}"))

    try:
        modules: Any = transport.execute_kw(
            "ir.module.module",
            "search_read",
            [[["name", "=", ADDON]]],
            {"fields": ["name", "state", "latest_version"], "limit": 1},
        )
    except (TransientError, PermanentError) as exc:
        results.append(CheckResult("add-on installed", False, f"cannot read the installed modules: {exc}"))
        modules = None
    if modules is not None:
        results.append(_module_check(modules, expected_module_version))
        if not results[-1].ok and "not installed" in results[-1].message:
            return results

    try:
        info = transport.execute_kw(SYNC_MODEL, "sync_info", [])
    except (TransientError, PermanentError) as exc:
        results.append(CheckResult("sync API", False, f"{SYNC_MODEL}.sync_info failed: {exc}"))
        return results
    if not isinstance(info, dict):
        results.append(CheckResult("sync API", False, "sync_info did not answer a dict: is the add-on up to date?"))
        return results
    results.append(
        CheckResult(
            "sync API",
            True,
            f"{SYNC_MODEL} {info.get('module_version', '?')} for {info.get('company', '?')}"
            f" in {info.get('currency', '?')}",
        )
    )
    checks = info.get("checks")
    if not isinstance(checks, list):
        results.append(CheckResult("ERP setup", False, "sync_info has no checks list: is the add-on up to date?"))
        return results
    for entry in checks:
        if isinstance(entry, dict):
            results.append(
                CheckResult(str(entry.get("name", "?")), bool(entry.get("ok")), str(entry.get("message", "")))
            )
    return results


def _module_check(modules: Any, expected: str) -> CheckResult:
    if not isinstance(modules, list) or not modules or not isinstance(modules[0], dict):
        return CheckResult("add-on installed", False, f"{ADDON} is not installed in this database: install it in Apps")
    module = modules[0]
    state = module.get("state")
    installed = str(module.get("latest_version") or "")
    if state != "installed":
        return CheckResult("add-on installed", False, f"{ADDON} is not installed (state {state}): install it in Apps")
    if installed != expected:
        return CheckResult(
            "add-on version",
            False,
            f"{ADDON} {installed} is installed but the worker expects {expected}: upgrade the add-on or the worker",
        )
    return CheckResult("add-on version", True, f"{ADDON} {installed} installed")
