# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


def _sender(env):
    """The address a message of the current user is sent from: theirs, else the company's, else a name."""
    author = env.user.partner_id
    return author.email_formatted or env.company.email_formatted or author.name or "Image-Pro"


def post_note(record, body):
    """Log an internal note in the chatter; works for users without an e-mail (the worker's user)."""
    return record.message_post(
        body=body, author_id=record.env.user.partner_id.id, email_from=_sender(record.env),
        subtype_xmlid="mail.mt_note",
    )


def integration_author(record, author_id, email_from, raise_on_email):
    """Odoo refuses any chatter message from a user without an e-mail address, including the notes it
    writes itself while the worker's user posts an invoice or pays it by card ("Invoice ... paid" on the
    order). The integration user rarely has a mailbox: its messages are sent from the company's address
    instead of failing the shipment. None when Odoo's own rule applies."""
    user = record.env.user
    if (
        author_id is None and not email_from and raise_on_email and not user.partner_id.email
        and user.has_group("imagepro_addon.group_imagepro_integration")
    ):
        return user.partner_id.id, _sender(record.env)
    return None
