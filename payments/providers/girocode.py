"""GiroCode: an EPC QR code for a SEPA credit transfer to the payee's account.

Nothing to call: the payer's bank moves the money, and the statement import
(payments/services/statements.py) marks the payment paid when the credit arrives.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from payments import girocode
from payments.providers import register
from payments.providers.base import (
    CallbackUrls,
    NextStep,
    NextStepKind,
    PaymentData,
    PaymentProvider,
    StartResult,
    StartStatus,
)


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
    method = "sepa_credit_transfer"
    label = _("Bank transfer with GiroCode (QR code)")
    admin_label = _("GiroCode (bank transfer with QR code)")
    chosen_message = _("Please transfer the fee with the details shown below.")
    settled_by_statement = True

    def start(self, payment: PaymentData, *, urls: CallbackUrls) -> StartResult:
        try:
            payload_for(payment)  # refuse now what a banking app would refuse later
        except ValueError as error:
            return StartResult(status=StartStatus.FAILED, message=str(error))
        return StartResult(status=StartStatus.PENDING, method=self.method)

    def next_step(self, payment: PaymentData) -> NextStep:
        return NextStep(kind=NextStepKind.SHOW_TRANSFER, payload=payload_for(payment))


register(GiroCodeProvider())
