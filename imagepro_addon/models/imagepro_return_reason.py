# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError


def _normalized(text):
    """What a reason says, whatever its case, spacing and punctuation: "Leaking  cartridge!" = "leaking cartridge"."""
    return " ".join(re.sub(r"[\W_]+", " ", (text or "").casefold()).split())


class ImageproReturnReason(models.Model):
    """R6: why a customer returns goods, as a code the returns analysis can count."""

    _name = "imagepro.return.reason"
    _description = "Return Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="What the sync worker's 'reason' may say to pick this reason.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    defective = fields.Boolean(
        string="Defective by Default",
        help="Lines of a return for this reason start as defective: the warranty (W1-W6) decides them, "
        "not the 60-day non-defective window (R4).",
    )
    is_other = fields.Boolean(
        string="Catch-all",
        help="The reason given to a return whose stated reason matches no code; the customer's words are kept "
        "as the reason detail.",
    )

    _sql_constraints = [("code_uniq", "unique(code)", "A return reason code must be unique.")]

    @api.constrains("is_other", "active")
    def _check_one_catch_all(self):
        if self.search_count([("is_other", "=", True)]) > 1:
            raise ValidationError(self.env._("Only one return reason can be the catch-all for unmatched reasons."))

    def _imagepro_states_why(self, detail):
        """R6: a return states its reason: a code, and for the catch-all the customer's words too."""
        return bool(self) and not (self.is_other and not (detail or "").strip())

    @api.model
    def _imagepro_match(self, text):
        """The reason a stated text names (its code or its name), else the catch-all."""
        wanted = _normalized(text)
        if wanted:
            for reason in self.search([("code", "!=", False)]):
                if wanted in (_normalized(reason.code), _normalized(reason.name)):
                    return reason
        return self._imagepro_other()

    @api.model
    def _imagepro_other(self):
        other = self.search([("is_other", "=", True)], limit=1)
        if not other:
            other = self.env.ref("imagepro_addon.return_reason_other", raise_if_not_found=False)
        if not other:
            raise ValidationError(self.env._("No return reason is marked as the catch-all; an Image-Pro manager "
                                             "must mark one in Sales > Configuration > Return Reasons."))
        return other
