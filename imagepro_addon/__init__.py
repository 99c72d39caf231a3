from . import controllers
from . import models


def post_init_hook(env):
    """Card payments need the CARD journal: make it now for every company that has a chart of accounts.

    A company that gets its chart later has it made at its first card payment.
    """
    for company in env["res.company"].search([]):
        if company._imagepro_sale_journal():
            company._imagepro_card_journal()
