# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


def post_note(record, body):
    """Log an internal note in the chatter; works for users without an e-mail (the worker's user)."""
    author = record.env.user.partner_id
    email_from = author.email_formatted or record.env.company.email_formatted or author.name or "Image-Pro"
    return record.message_post(
        body=body, author_id=author.id, email_from=email_from, subtype_xmlid="mail.mt_note"
    )
