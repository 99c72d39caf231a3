# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from freezegun import freeze_time

import imagepro_policy

from odoo.sql_db import db_connect
from odoo.tests import tagged

from .common import ImageproCommon


@freeze_time("2026-12-10 12:00:00")
@tagged("post_install", "-at_install")
class TestSyncConcurrency(ImageproCommon):
    """Several workers of Odoo running sync calls at once (issue 10)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sync = cls.env["imagepro.sync"].with_user(cls.integration)

    def _card_order(self, ref, brand="visa", customer="C-3003"):
        return self._order_doc(ref, customer={"ref": customer}, order_date="2026-03-10",
                               payment={"method": "card", "card_brand": brand},
                               lines=[{"sku": "IP-DR630", "quantity": 1, "unit_price": "31.50"}])

    def test_a_ref_another_transaction_is_processing_answers_in_progress(self):
        """A call still running elsewhere (the worker timed out and sent the batch again) holds the advisory
        lock of each of its refs: the second call answers in_progress for those, does the others, and makes
        nothing twice. Here a second connection holds the lock as that running call would."""
        busy, free = self._order_doc("WEB-BUSY"), self._order_doc("WEB-FREE")
        other = db_connect(self.env.cr.dbname).cursor()
        try:
            other.execute("SELECT pg_advisory_xact_lock(hashtext(%s), hashtext(%s))",
                          [self.sync._lock_key("order"), "WEB-BUSY"])
            first = self.sync.sync_orders([busy, free])
            self.assertEqual([r["status"] for r in first], ["in_progress", "created"], first)
            self.assertEqual(first[0]["error_class"], "")
            self.assertEqual(first[0]["ids"]["sale_order_id"], 0)
            self.assertIn("WEB-BUSY", first[0]["message"])
            self.assertFalse(self.env["sale.order"].search([("imagepro_sync_ref", "=", "WEB-BUSY")]))
            # A shipment of the same ref string is another kind: another lock, not in progress.
            ship = {"type": "shipment", "ref": "WEB-BUSY", "order_ref": "WEB-FREE", "shipped_on": "2026-11-02"}
            self.assertEqual(self.sync.sync_shipments([ship])[0]["status"], "created")
        finally:
            other.rollback()
            other.close()
        # The running call ended: the document goes through, once.
        again = self.sync.sync_orders([busy, free])
        self.assertEqual([r["status"] for r in again], ["created", "already_present"], again)
        self.assertEqual(self.env["sale.order"].search_count([("imagepro_sync_ref", "=", "WEB-BUSY")]), 1)

    def test_the_same_call_may_carry_a_ref_twice(self):
        """The advisory lock is the transaction's own: a ref met twice in one call is not "in progress"."""
        doc = self._order_doc("WEB-TWICE")
        res = self.sync.sync_orders([doc, doc])
        self.assertEqual([r["status"] for r in res], ["created", "already_present"], res)

    def test_card_invoices_of_one_batch_each_get_their_own_payment(self):
        """O7 without the register-payment wizard: one payment per invoice in the CARD journal, memo saying
        invoice and brand, the invoice paid; no batch payment communication (its sequence row is what
        concurrent shipment batches collided on)."""
        orders = [self._card_order("WEB-C1"), self._card_order("WEB-C2", brand="mastercard"),
                  self._card_order("WEB-C3", brand="amex")]
        self.assertEqual({r["status"] for r in self.sync.sync_orders(orders)}, {"created"})
        ships = [{"type": "shipment", "ref": f"SHIP-C{i}", "order_ref": f"WEB-C{i}", "shipped_on": "2026-03-11"}
                 for i in (1, 2, 3)]
        batch_seq = self.company.sudo().batch_payment_sequence_id
        numbers_before = batch_seq.number_next_actual
        res = self.sync.sync_shipments(ships)
        self.assertEqual([r["status"] for r in res], ["created"] * 3, res)
        card = self.company._imagepro_card_journal()
        brands = [imagepro_policy.CARD_BRANDS[key] for key in ("visa", "mastercard", "amex")]
        for result, brand in zip(res, brands):
            invoice = self.env["account.move"].browse(result["ids"]["invoice_id"]).sudo()
            payment = self.env["account.payment"].browse(result["ids"]["payment_id"]).sudo()
            self.assertIn(invoice.payment_state, ("paid", "in_payment"))
            self.assertEqual(payment.journal_id, card)
            self.assertNotIn(payment.state, ("draft", "canceled"))
            self.assertAlmostEqual(payment.amount, invoice.amount_total, places=2)
            self.assertEqual(payment.memo, f"{invoice.name} paid by {brand} card")
            self.assertEqual(invoice.matched_payment_ids, payment)
        self.assertEqual(len({r["ids"]["payment_id"] for r in res}), 3)
        self.assertEqual(batch_seq.number_next_actual, numbers_before)
