"""Turn whatever a call to Odoo raised into TransientError (try again) or PermanentError (a person must act).

Odoo 18's `/xmlrpc/2/` endpoints answer faults with integer codes (odoo/addons/base/controllers/rpc.py,
`xmlrpc_handle_exception_int`): 2 for UserError and its subclasses (ValidationError, MissingError,
RedirectWarning) with the bare message, 3 AccessDenied, 4 AccessError, and 1 for anything else with the
formatted traceback, whose last line names the exception (`psycopg2.errors.SerializationFailure: ...`).
The historical `/xmlrpc/` endpoints answer string codes (`warning -- UserError\\n\\nmessage`); both are read.
JSON-RPC (odoorpc) answers `{"code": 200, "message": "Odoo Server Error", "data": {"name", "message",
"debug"}}`, which odoorpc raises as `RPCError` with that dict as `info`.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import urllib.error
import xmlrpc.client
from collections.abc import Mapping
from typing import Any
from xml.parsers.expat import ExpatError

from ..errors import PermanentError, SyncError, TransientError

_MAX_MESSAGE = 500

# Text in a fault that means "the database was busy": Odoo already retried, so should we, later.
_TRANSIENT_MARKERS = (
    "SerializationFailure",
    "could not serialize access",
    "concurrent update",
    "LockNotAvailable",
    "could not obtain lock",
    "DeadlockDetected",
    "deadlock detected",
    "TransactionRollbackError",
    "connection pool is full",
    "the database system is starting up",
    "the database system is shutting down",
)

_FAULT_CODE_NAMES = {1: "server error", 2: "UserError", 3: "AccessDenied", 4: "AccessError"}
_TRANSIENT_HTTP = {429, 500, 502, 503, 504}

_NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset, aborted, broken pipe
    TimeoutError,  # socket.timeout is TimeoutError since 3.10
    http.client.RemoteDisconnected,
    http.client.IncompleteRead,
    http.client.BadStatusLine,
    http.client.CannotSendRequest,
    http.client.ResponseNotReady,
    socket.gaierror,
    ssl.SSLEOFError,
    ssl.SSLZeroReturnError,
)


def classify(exc: BaseException, action: str = "") -> TransientError | PermanentError:
    """The worker's error for `exc`, with a message a person can act on. `action` says what was attempted."""
    if isinstance(exc, (TransientError, PermanentError)):
        return exc
    prefix = f"{action}: " if action else ""
    if isinstance(exc, xmlrpc.client.Fault):
        return _from_fault(exc.faultCode, exc.faultString, prefix)
    if isinstance(exc, xmlrpc.client.ProtocolError):
        return _from_http_status(exc.errcode, exc.errmsg, _safe_url(exc.url), prefix)
    if isinstance(exc, urllib.error.HTTPError):
        return _from_http_status(exc.code, str(exc.reason), _safe_url(exc.url or ""), prefix)
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, BaseException):
            return classify(reason, action)
        return TransientError(f"{prefix}Odoo is unreachable ({reason}); will try again")
    if _is_odoorpc_error(exc):
        return _from_odoorpc(exc, prefix)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return PermanentError(
            f"{prefix}Odoo's TLS certificate was not accepted ({exc.verify_message}); "
            "install the CA certificate or, on a test server only, turn TLS verification off"
        )
    if isinstance(exc, _NETWORK_ERRORS):
        return TransientError(f"{prefix}{_network_message(exc)}; will try again")
    if isinstance(exc, ExpatError):
        return TransientError(
            f"{prefix}Odoo's reply was cut off or is not XML-RPC ({exc}); will try again (is this an Odoo URL?)"
        )
    if isinstance(exc, xmlrpc.client.ResponseError):
        return TransientError(f"{prefix}Odoo sent a reply that could not be read ({exc}); will try again")
    if isinstance(exc, (ValueError, TypeError)) and "marshal" in str(exc):
        return PermanentError(f"{prefix}a value could not be sent over XML-RPC: {_first_line(str(exc))}")
    if isinstance(exc, SyncError):
        return PermanentError(f"{prefix}{exc}")
    if isinstance(exc, OSError):
        return TransientError(f"{prefix}network error talking to Odoo ({type(exc).__name__}: {exc}); will try again")
    return PermanentError(f"{prefix}unexpected {type(exc).__name__} talking to Odoo: {_first_line(str(exc))}")


def login_failed(user: str, db: str) -> PermanentError:
    return PermanentError(
        f"login failed for user {user} on database {db}: check IMAGEPRO_ERP_USER / IMAGEPRO_ERP_PASSWORD"
    )


def fault_message(text: str) -> str:
    """The human part of an Odoo fault string: the message, or the exception line closing a traceback."""
    text = text.strip()
    if "Traceback (most recent call last)" in text:
        lines = [line.rstrip() for line in text.splitlines() if line.strip()]
        for line in reversed(lines):
            if line.startswith((" ", "\t", "Traceback", "During handling", "The above exception")):
                continue
            return _clip(line)
        return "Odoo failed with a server error (see the Odoo log)"
    return _clip(text)


def _from_fault(code: object, text: str, prefix: str) -> TransientError | PermanentError:
    body = text or ""
    if isinstance(code, str):  # the historical /xmlrpc/ endpoint: the code carries the message
        if code.startswith("warning -- "):
            head, _, message = code.partition("\n\n")
            kind = head.removeprefix("warning -- ").strip()
            return PermanentError(f"{prefix}Odoo refused ({kind}): {fault_message(message)}")
        if code == "AccessDenied":
            return PermanentError(f"{prefix}Odoo denied access: {fault_message(body) or 'Access Denied'}")
        body = f"{code}\n{body}"
    message = fault_message(body)
    if any(marker in body for marker in _TRANSIENT_MARKERS):
        return TransientError(f"{prefix}Odoo reported a database conflict ({message}); will try again")
    if code == 3:
        return PermanentError(
            f"{prefix}Odoo denied access ({message}): check IMAGEPRO_ERP_USER / IMAGEPRO_ERP_PASSWORD"
        )
    if code == 4:
        return PermanentError(f"{prefix}Odoo refused access ({message}): give the integration user the right group")
    if code == 2:
        return PermanentError(f"{prefix}Odoo refused: {message}")
    return PermanentError(f"{prefix}Odoo failed: {message}")


def _from_http_status(status: int, reason: str, url: str, prefix: str) -> TransientError | PermanentError:
    if status in _TRANSIENT_HTTP or status >= 500:
        return TransientError(f"{prefix}Odoo answered HTTP {status} {reason} at {url}; will try again")
    if status == 404:
        return PermanentError(f"{prefix}HTTP 404 at {url}: is this an Odoo URL? check IMAGEPRO_ERP_URL")
    if status in (401, 403):
        return PermanentError(f"{prefix}HTTP {status} {reason} at {url}: a proxy refused the worker; check its rules")
    return PermanentError(f"{prefix}Odoo answered HTTP {status} {reason} at {url}")


def _is_odoorpc_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("odoorpc")


def _from_odoorpc(exc: BaseException, prefix: str) -> TransientError | PermanentError:
    info: Any = getattr(exc, "info", None)
    text = str(exc)
    if not isinstance(info, Mapping):
        if type(exc).__name__ == "InternalError":
            return PermanentError(f"{prefix}odoorpc: {_first_line(text)}")
        return PermanentError(f"{prefix}Odoo refused: {_first_line(text)}")
    data = info.get("data")
    data = data if isinstance(data, Mapping) else {}
    name = str(data.get("name") or "")
    message = str(data.get("message") or info.get("message") or text)
    debug = str(data.get("debug") or "")
    short = name.rsplit(".", 1)[-1]
    human = fault_message(message)
    if any(marker in f"{name}\n{message}\n{debug}" for marker in _TRANSIENT_MARKERS):
        return TransientError(f"{prefix}Odoo reported a database conflict ({human}); will try again")
    if info.get("code") == 100:
        return TransientError(f"{prefix}the Odoo session expired; will log in again")
    if short == "AccessDenied":
        return PermanentError(f"{prefix}Odoo denied access ({human}): check IMAGEPRO_ERP_USER / IMAGEPRO_ERP_PASSWORD")
    if short == "AccessError":
        return PermanentError(f"{prefix}Odoo refused access ({human}): give the integration user the right group")
    if short in ("UserError", "ValidationError", "MissingError", "RedirectWarning"):
        return PermanentError(f"{prefix}Odoo refused: {human}")
    if info.get("code") == 404:
        return PermanentError(f"{prefix}HTTP 404: is this an Odoo URL? check IMAGEPRO_ERP_URL")
    label = f"{short}: {human}" if short and not human.startswith(short) else human
    return PermanentError(f"{prefix}Odoo failed: {label}")


def _network_message(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "Odoo refused the connection (is it running, and is IMAGEPRO_ERP_URL right?)"
    if isinstance(exc, TimeoutError):
        return "Odoo did not answer in time (timeout)"
    if isinstance(exc, (http.client.RemoteDisconnected, http.client.IncompleteRead, ConnectionResetError)):
        return f"the connection to Odoo dropped during the reply ({type(exc).__name__})"
    if isinstance(exc, socket.gaierror):
        return f"the Odoo host name could not be resolved ({exc.strerror})"
    return f"network error talking to Odoo ({type(exc).__name__})"


def _safe_url(url: str) -> str:
    """An URL without user:password@ (should one slip in) and without query string."""
    url = re.sub(r"//[^/@]*@", "//", url)
    return url.split("?", 1)[0]


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return _clip(line.strip())
    return ""


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


__all__ = ["classify", "fault_message", "login_failed"]
