"""Talking to Odoo: transports (XML-RPC, JSON-RPC via odoorpc), fault classification, retry, the sync API."""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr

from ..errors import ConfigError
from .api import METHOD_OF_KIND, PostResult, SyncApi
from .base import ErpTransport
from .faults import classify
from .retry import make_retrying

TransportKind = Literal["xmlrpc", "jsonrpc"]


def make_transport(
    kind: str,
    url: str,
    db: str,
    user: str,
    password: SecretStr | str,
    timeout: float = 30.0,
    verify_tls: bool = True,
) -> ErpTransport:
    """The transport named `kind` ("xmlrpc" or "jsonrpc"); nothing is sent until the first call."""
    if kind == "xmlrpc":
        from .xmlrpc import XmlRpcTransport

        return XmlRpcTransport(url, db, user, password, timeout, verify_tls)
    if kind == "jsonrpc":
        from .jsonrpc import JsonRpcTransport

        return JsonRpcTransport(url, db, user, password, timeout, verify_tls)
    raise ConfigError(f"IMAGEPRO_ERP_TRANSPORT must be xmlrpc or jsonrpc, got {kind!r}")


__all__ = [
    "METHOD_OF_KIND",
    "ErpTransport",
    "PostResult",
    "SyncApi",
    "TransportKind",
    "classify",
    "make_retrying",
    "make_transport",
]
