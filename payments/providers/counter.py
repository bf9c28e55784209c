"""Payment at the town hall desk: a clerk marks it paid with the till's receipt number."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from payments.providers import register
from payments.providers.base import (
    CallbackUrls,
    PaymentData,
    PaymentProvider,
    RefundResult,
    StartResult,
)

METHOD = "counter"


class CounterProvider(PaymentProvider):
    key = "counter"
    label = _("Pay at the town hall")

    def start(self, payment: PaymentData, *, urls: CallbackUrls) -> StartResult:
        return StartResult(status="pending", method=METHOD)

    def refund(self, payment: PaymentData, *, amount_cents: int) -> RefundResult:
        # Cash goes back over the same desk; the clerk records it as done.
        return RefundResult(status="done", message="Paid back at the counter.")


register(CounterProvider())
