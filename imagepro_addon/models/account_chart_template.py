# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    def _post_load_data(self, template_code, company, template_data):
        """A company that gets its chart of accounts also gets the CARD journal card payments post to."""
        result = super()._post_load_data(template_code, company, template_data)
        (company or self.env.company)._imagepro_card_journal()
        return result
