"""What every write of payments shares: the snapshot a provider sees, the compare-and-set
status change, marking an attempt paid, and the errors.

Every provider message is stored (PaymentEvent) before it is acted on, inside the same
transaction, so a repeat or a crash in between changes nothing twice. Status changes are
compare-and-set updates: two hints about the same attempt (notify and redirect, two
workers) cannot both win. The payable hears of everything through its adapter
(payments/payables.py), inside the same transaction."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import OperationalError, connection
from django.utils import timezone
from django.utils.translation import gettext_noop

from core import notes
from core.errors import Conflict
from payments import payables, providers
from payments.models import Payment
from payments.providers.base import NextStep, PaymentData

Status = Payment.Status
ACTIVE = list(Payment.ACTIVE_STATUSES)
SETTLED = list(Payment.SETTLED_STATUSES)


class PaymentConflict(Conflict):
    """The request contradicts the state of the fee or the attempt (409)."""


class IdempotencyConflict(PaymentConflict):
    """The Idempotency-Key was used before with another body."""


def payment_data(payment: Payment) -> PaymentData:
    """The snapshot a provider sees."""
    info = payables.adapter().describe(payment.payable)
    return PaymentData(
        id=str(payment.pk),
        merchant_tx_id=payment.merchant_tx_id,
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        creditor_reference=payment.creditor_reference,
        purpose=info.purpose,
        payee_slug=payment.payee_municipality.slug,
        payee_name=payment.payee_name,
        payee_iban=payment.payee_iban,
        payee_bic=payment.payee_bic,
        kassenzeichen=payment.kassenzeichen,
        provider_reference=payment.provider_reference,
        redirect_url=payment.redirect_url,
        active=payment.is_active,
    )


def next_step(payment: Payment) -> NextStep:
    """What the payer does next for this attempt, as its provider says."""
    return providers.get(payment.provider).next_step(payment_data(payment))


def transition(payment: Payment, to: str, *, sources: list[str], **fields: Any) -> bool:
    """Compare-and-set the status; True when this call made the change."""
    now = timezone.now()
    if to not in ACTIVE:
        fields.setdefault("closed_at", now)
    changed = Payment.objects.filter(pk=payment.pk, status__in=sources).update(
        status=to, updated_at=now, **fields
    )
    if changed:
        payment.status = to
        for name, value in fields.items():
            setattr(payment, name, value)
    return bool(changed)


def note(payment: Payment, comment: str, *, internal: bool = False) -> None:
    """A line in the payable's history."""
    payables.adapter().note(payment.payable, comment=comment, internal=internal)


def mark_paid(payment: Payment, *, method: str = "", comment: str, **fields: Any) -> bool:
    """Money arrived for this attempt. Also from cancelled/expired/failed: the provider or the
    bank says the money is there, and that outranks our own bookkeeping."""
    values = {"paid_at": timezone.now(), **fields}
    if method:
        values["method"] = method
    if not transition(
        payment,
        Status.PAID,
        sources=[Status.CREATED, Status.PENDING, Status.CANCELLED, Status.EXPIRED, Status.FAILED],
        **values,
    ):
        return False
    others = Payment.objects.filter(payable_id=payment.payable_id).exclude(pk=payment.pk)
    if others.filter(status__in=SETTLED).exists():
        payables.adapter().paid_twice(
            payment.payable,
            payment=payment,
            comment=notes.note(
                gettext_noop(
                    "The fee was paid twice (%(reference)s); the second payment must be refunded."
                ),
                reference=payment.creditor_reference,
            ),
        )
    for other in others.filter(status__in=ACTIVE):
        transition(other, Status.CANCELLED, sources=ACTIVE)
    payables.adapter().settled(payment.payable, payment=payment, comment=comment)
    return True


def sqlite_locked(error: OperationalError) -> bool:
    """SQLite's answer to two writers racing (it has no row locks): the other one won."""
    return connection.vendor == "sqlite" and "locked" in str(error)


def message_key(*parts: object) -> str:
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()
