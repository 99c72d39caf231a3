# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Image-Pro Returns and Shipments in Inventory",
    "summary": "Shipments validate deliveries, Return Authorizations receive and sort the goods in stock",
    "version": "18.0.1.0.0",
    "category": "Inventory/Inventory",
    "author": "Image-Pro Services & Supplies, Inc.",
    "website": "https://www.imagepro.example",
    "license": "LGPL-3",
    "depends": ["imagepro_addon", "sale_stock"],
    "auto_install": True,
    "data": [
        "data/stock_location_data.xml",
        "views/imagepro_return_authorization_views.xml",
        "views/res_company_views.xml",
        "views/stock_picking_views.xml",
    ],
}
