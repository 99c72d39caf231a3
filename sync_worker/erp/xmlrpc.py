"""Odoo's external API over XML-RPC (`/xmlrpc/2/common`, `/xmlrpc/2/object`) with the standard library.

One `ServerProxy` per endpoint for the transport's life, sharing one `xmlrpc.client.Transport`, so the
HTTP/1.1 connection is kept open and reused from call to call (the standard Transport reconnects by
itself when the server closed an idle connection).
"""

from __future__ import annotations

import http.client
import logging
import ssl
import urllib.parse
import xmlrpc.client
from typing import Any

from pydantic import SecretStr

from ..errors import ConfigError, PermanentError, TransientError
from .faults import classify, login_failed

log = logging.getLogger(__name__)


class _TimeoutTransport(xmlrpc.client.Transport):
    def __init__(self, timeout: float) -> None:
        super().__init__(use_builtin_types=True)
        self._timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        conn = super().make_connection(host)
        conn.timeout = self._timeout
        if conn.sock is not None:
            conn.sock.settimeout(self._timeout)
        return conn


class _TimeoutSafeTransport(xmlrpc.client.SafeTransport):
    def __init__(self, timeout: float, verify_tls: bool) -> None:
        context = ssl.create_default_context()
        if not verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        super().__init__(use_builtin_types=True, context=context)
        self._timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPSConnection:
        conn = super().make_connection(host)
        conn.timeout = self._timeout
        if conn.sock is not None:
            conn.sock.settimeout(self._timeout)
        return conn


def split_url(url: str) -> urllib.parse.SplitResult:
    """Check an Odoo base URL: http(s), a host, and no credentials in it."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"IMAGEPRO_ERP_URL must look like https://odoo.example.com, got {parts.scheme or 'no'} URL")
    if parts.username or parts.password:
        raise ConfigError("IMAGEPRO_ERP_URL must not hold a user or password; use IMAGEPRO_ERP_USER / _PASSWORD")
    return parts


class XmlRpcTransport:
    """ErpTransport over XML-RPC. Logs in lazily on the first `execute_kw`."""

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
        self.url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
        self.db = db
        self.user = user
        self._password = password if isinstance(password, SecretStr) else SecretStr(password)
        self.timeout = timeout
        self.rpc_calls = 0
        self._uid: int | None = None
        transport: xmlrpc.client.Transport
        if parts.scheme == "https":
            transport = _TimeoutSafeTransport(timeout, verify_tls)
        else:
            transport = _TimeoutTransport(timeout)
        self._transport = transport
        self._common = xmlrpc.client.ServerProxy(
            f"{self.url}/xmlrpc/2/common", transport=transport, allow_none=False, use_builtin_types=True
        )
        self._object = xmlrpc.client.ServerProxy(
            f"{self.url}/xmlrpc/2/object", transport=transport, allow_none=False, use_builtin_types=True
        )

    def __repr__(self) -> str:
        return f"XmlRpcTransport(url={self.url!r}, db={self.db!r}, user={self.user!r})"

    def version(self) -> dict[str, Any]:
        result = self._call(self._common, "version", (), "reaching Odoo")
        if not isinstance(result, dict):
            raise PermanentError(f"{self.url} answered version() with {type(result).__name__}: is this an Odoo URL?")
        return result

    def login(self) -> int:
        password = self._password.get_secret_value()
        uid = self._call(self._common, "authenticate", (self.db, self.user, password, {}), "logging in to Odoo")
        if not uid or not isinstance(uid, int):
            raise login_failed(self.user, self.db)
        self._uid = uid
        return uid

    @property
    def uid(self) -> int | None:
        return self._uid

    def execute_kw(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None) -> Any:
        uid = self._uid if self._uid is not None else self.login()
        params = (self.db, uid, self._password.get_secret_value(), model, method, args, kwargs or {})
        return self._call(self._object, "execute_kw", params, f"{model}.{method}")

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> XmlRpcTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, proxy: xmlrpc.client.ServerProxy, name: str, params: tuple[Any, ...], action: str) -> Any:
        self.rpc_calls += 1
        try:
            return getattr(proxy, name)(*params)
        except Exception as exc:
            error = classify(exc, action)
            secret = self._password.get_secret_value()
            if secret and (secret in str(error) or secret in repr(exc)):
                error = type(error)(str(error).replace(secret, "********"))
                raise error from None
            if isinstance(error, TransientError):
                log.debug("transient error on %s: %s", action, error)
            raise error from exc
