"""A faithful Odoo 18 stand-in: the add-on's sync API and a bit of generic ORM, over real HTTP on 127.0.0.1."""

from __future__ import annotations

from .erp import MODULE_VERSION, StandinErp
from .server import OdooStandin

__all__ = ["MODULE_VERSION", "OdooStandin", "StandinErp"]
