"""Image-Pro sync worker: documents in, Image-Pro's terms applied, posted to Odoo exactly once."""

__version__ = "1.0.0"
