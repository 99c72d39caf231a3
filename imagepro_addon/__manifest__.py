# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Image-Pro Terms, Returns and Sync",
    "summary": "Image-Pro terms of sale, Return Authorizations and the sync API, "
    "decided by the imagepro_policy package",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "author": "Image-Pro Services & Supplies, Inc.",
    "website": "https://www.imagepro.example",
    "license": "LGPL-3",
    "depends": ["sale_management", "account"],
    "post_init_hook": "post_init_hook",
    "external_dependencies": {"python": ["imagepro-sync>=1.0"]},
    "data": [
        "security/imagepro_security.xml",
        "security/ir.model.access.csv",
        "security/imagepro_rules.xml",
        "data/ir_sequence_data.xml",
        "data/imagepro_policy_data.xml",
        "data/product_data.xml",
        "report/imagepro_return_authorization_report.xml",
        "data/mail_template_data.xml",
        "views/imagepro_policy_views.xml",
        "views/imagepro_return_authorization_views.xml",
        "views/imagepro_return_authorization_line_views.xml",
        "views/sale_order_views.xml",
        "views/res_partner_views.xml",
        "views/res_company_views.xml",
        "views/product_template_views.xml",
        "views/imagepro_menus.xml",
    ],
}
