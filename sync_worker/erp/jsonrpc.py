"""Odoo's external API over JSON-RPC with odoorpc (`/web/webclient/version_info`, `/jsonrpc`).

odoorpc logs every request at DEBUG with its arguments, and `execute_kw`'s arguments hold the
password: a filter on its logger drops those records, so the password never reaches a log.
"""

from __future__ import annotations

import logging
import ssl
import urllib.error
import urllib.request
from typing import Any

import odoorpc
from pydantic import SecretStr

from ..errors import PermanentError
from .faults import classify, login_failed
from .xmlrpc import split_url


class _NoRequestBodies(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(("(JSON,send)", "(JSON,recv)"))


logging.getLogger("odoorpc.rpc.jsonrpclib").addFilter(_NoRequestBodies())


class _Responses:
    """Remembers the HTTP responses of one call, so that those an error left unread get closed."""

    def __init__(self) -> None:
        self.open: list[Any] = []

    def close_all(self) -> None:
        for response in self.open:
            response.close()
        self.open.clear()


def _opener(responses: _Responses, context: ssl.SSLContext | None) -> urllib.request.OpenerDirector:
    class _Http(urllib.request.HTTPHandler):
        def http_open(self, req: Any) -> Any:
            response = super().http_open(req)
            responses.open.append(response)
            return response

    class _Https(urllib.request.HTTPSHandler):
        def https_open(self, req: Any) -> Any:
            response = super().https_open(req)
            responses.open.append(response)
            return response

    return urllib.request.build_opener(_Http(), _Https(context=context), urllib.request.HTTPCookieProcessor())


class JsonRpcTransport:
    """ErpTransport over JSON-RPC via odoorpc. Connects and logs in lazily."""

    def __init__(
        self,
        url: str,
        db: str,
        user: str,
        password: SecretStr | str,
        timeout: float,
        verify_tls: bool = True,
    ) -> None:
        parts = split_url(url)
        if parts.path.strip("/"):
            raise PermanentError(f"odoorpc cannot reach an Odoo under a path ({parts.path}); use the XML-RPC transport")
        self.url = f"{parts.scheme}://{parts.netloc}"
        self._host = parts.hostname or ""
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._protocol = "jsonrpc+ssl" if parts.scheme == "https" else "jsonrpc"
        self._verify_tls = verify_tls
        self.db = db
        self.user = user
        self._password = password if isinstance(password, SecretStr) else SecretStr(password)
        self.timeout = timeout
        self.rpc_calls = 0
        self._odoo: Any = None
        self._responses = _Responses()
        self._logged_in = False

    def __repr__(self) -> str:
        return f"JsonRpcTransport(url={self.url!r}, db={self.db!r}, user={self.user!r})"

    def _connect(self) -> Any:
        if self._odoo is None:
            context = None
            if self._protocol == "jsonrpc+ssl":
                context = ssl.create_default_context()
                if not self._verify_tls:
                    context.check_hostname = False
                    context.verify_mode = ssl.CERT_NONE
            opener = _opener(self._responses, context)
            self.rpc_calls += 1  # odoorpc asks /web/webclient/version_info on connecting
            self._odoo = self._guard(
                lambda: odoorpc.ODOO(
                    self._host, protocol=self._protocol, port=self._port, timeout=self.timeout, opener=opener
                ),
                "reaching Odoo",
            )
        return self._odoo

    def version(self) -> dict[str, Any]:
        odoo = self._connect()
        self.rpc_calls += 1
        result = self._guard(
            lambda: odoo.json("/jsonrpc", {"service": "common", "method": "version", "args": []}), "reaching Odoo"
        )
        version = result.get("result") if isinstance(result, dict) else None
        if not isinstance(version, dict):
            raise PermanentError(f"{self.url} answered version() with no version: is this an Odoo URL?")
        return version

    def login(self) -> int:
        odoo = self._connect()
        self.rpc_calls += 2  # common.login, then res.users.context_get
        try:
            odoo.login(self.db, self.user, self._password.get_secret_value())
        except odoorpc.error.RPCError as exc:
            self._responses.close_all()
            if not getattr(exc, "info", None) and "Wrong login" in str(exc):
                raise login_failed(self.user, self.db) from None
            raise self._classified(exc, "logging in to Odoo") from None
        except Exception as exc:
            self._responses.close_all()
            if isinstance(exc, urllib.error.HTTPError):
                exc.close()
            raise self._classified(exc, "logging in to Odoo") from None
        self._responses.close_all()
        self._logged_in = True
        return int(odoo.env.uid)

    def execute_kw(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None) -> Any:
        if not self._logged_in:
            self.login()
        odoo = self._odoo
        self.rpc_calls += 1
        return self._guard(lambda: odoo.execute_kw(model, method, args, kwargs or {}), f"{model}.{method}")

    def close(self) -> None:
        self._odoo = None
        self._logged_in = False

    def __enter__(self) -> JsonRpcTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _guard(self, call: Any, action: str) -> Any:
        try:
            return call()
        except Exception as exc:
            if isinstance(exc, urllib.error.HTTPError):
                exc.close()
            raise self._classified(exc, action) from None
        finally:
            self._responses.close_all()

    def _classified(self, exc: BaseException, action: str) -> Exception:
        error = classify(exc, action)
        secret = self._password.get_secret_value()
        if secret and secret in str(error):
            return type(error)(str(error).replace(secret, "********"))
        return error
