from __future__ import annotations

pytest_plugins = ["tests.odoo_standin.fixtures"]
