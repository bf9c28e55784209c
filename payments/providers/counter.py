"""Payment at the town hall desk: a clerk marks it paid with the till's receipt number."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from payments.providers import register
from payments.providers.base import (
    CallbackUrls,
    NextStep,
    NextStepKind,
    PaymentData,
    PaymentProvider,
    RefundResult,
    RefundStatus,
    StartResult,
    StartStatus,
)


class CounterProvider(PaymentProvider):
    key = "counter"
    method = "counter"
    label = _("Pay at the town hall")
    admin_label = _("Payment at the town hall counter")
    chosen_message = _("Please pay the fee at the town hall; bring your reference.")
    paid_at_counter = True

    def start(self, payment: PaymentData, *, urls: CallbackUrls) -> StartResult:
        return StartResult(status=StartStatus.PENDING, method=self.method)

    def next_step(self, payment: PaymentData) -> NextStep:
        return NextStep(kind=NextStepKind.PAY_AT_COUNTER)

    def refund(self, payment: PaymentData, *, amount_cents: int) -> RefundResult:
        # Cash goes back over the same desk; the clerk records it as done.
        return RefundResult(status=RefundStatus.DONE, message="Paid back at the counter.")


register(CounterProvider())
