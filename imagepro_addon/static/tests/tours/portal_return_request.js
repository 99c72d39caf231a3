/** @odoo-module **/
// Copyright 2026 Image-Pro Services & Supplies, Inc.
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { registry } from "@web/core/registry";

// A customer requests a return of one cartridge from an invoice and gets an RA number.
registry.category("web_tour.tours").add("imagepro_portal_return_request", {
    steps: () => [
        {
            content: "Request a return from the invoice",
            trigger: "#imagepro_request_return",
            run: "click",
        },
        {
            content: "Return one of the invoiced cartridges",
            trigger: "#ra_request_form input[name^='qty_']",
            run: "edit 1",
        },
        {
            content: "It is defective",
            trigger: "#ra_request_form input[name^='defective_']",
            run: "click",
        },
        {
            content: "Say what is wrong",
            trigger: "#description",
            run: "edit Streaks on every page",
        },
        {
            content: "Send the request",
            trigger: "#ra_request_submit",
            run: "click",
        },
        {
            content: "The RA number is shown, with the RA document",
            trigger: ".alert-success:contains('RA/'), #ra_download_pdf",
        },
    ],
});
