# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The window actions the smart buttons and "Return" buttons open."""

# Who works returns: the "Return" buttons and return counts are theirs.
RA_GROUP = "imagepro_addon.group_imagepro_user"


def open_records(records, title):
    """A list of `records`, or the form of the only one."""
    action = {
        "type": "ir.actions.act_window",
        "name": title,
        "res_model": records._name,
        "context": {"create": False},
    }
    if len(records) == 1:
        action.update(view_mode="form", views=[(False, "form")], res_id=records.id)
    else:
        action.update(view_mode="list,form", views=[(False, "list"), (False, "form")],
                      domain=[("id", "in", records.ids)])
    return action


def new_return(env, title, context):
    """The form of a new Return Authorization, its order and customer given by `context`'s defaults."""
    return {
        "type": "ir.actions.act_window",
        "name": title,
        "res_model": "imagepro.return.authorization",
        "view_mode": "form",
        "views": [(env.ref("imagepro_addon.imagepro_return_authorization_view_form").id, "form")],
        "target": "current",
        "context": context,
    }
