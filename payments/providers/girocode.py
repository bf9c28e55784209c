"""GiroCode: an EPC QR code for a SEPA credit transfer to the payee's account.

Nothing to call: the payer's bank moves the money, and the statement import
(services.statement_import) marks the payment paid when the credit arrives.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from payments import girocode
from payments.providers import register
from payments.providers.base import CallbackUrls, PaymentData, PaymentProvider, StartResult

METHOD = "sepa_credit_transfer"


def payload_for(payment: PaymentData) -> str:
    """The exact QR text (EPC069-12, version 002) for the payment."""
    return girocode.epc_payload(
        name=payment.payee_name,
        iban=payment.payee_iban,
        bic=payment.payee_bic,
        amount_cents=payment.amount_cents,
        reference=payment.creditor_reference,
        display=payment.purpose[:70] or None,
    )


class GiroCodeProvider(PaymentProvider):
    key = "girocode"
    label = _("Bank transfer with GiroCode (QR code)")

    def start(self, payment: PaymentData, *, urls: CallbackUrls) -> StartResult:
        try:
            payload_for(payment)  # refuse now what a banking app would refuse later
        except ValueError as error:
            return StartResult(status="failed", message=str(error))
        return StartResult(status="pending", method=METHOD)


register(GiroCodeProvider())
