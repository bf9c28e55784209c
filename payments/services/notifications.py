"""What providers tell us about attempts: signed notifications and redirects, and the answers
to status calls. Each message is verified, stored once (its key is unique) and applied
once."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from core import notes
from payments import payables, providers
from payments.models import Payment, PaymentEvent
from payments.providers.base import Notification, Outcome, ProviderError
from payments.services.common import (
    ACTIVE,
    mark_paid,
    message_key,
    note,
    payment_data,
    transition,
)

logger = logging.getLogger(__name__)
MERCHANT_TX_ID_MAX = Payment._meta.get_field("merchant_tx_id").max_length


@dataclass(frozen=True)
class NotifyResult:
    accepted: bool  # False: unknown attempt or a signature that does not verify (400)
    changed: bool = False
    payment: Payment | None = None


def payment_by_notification(provider_key: str, params: Mapping[str, str]) -> Payment | None:
    """The attempt a provider's notification or redirect names (not yet verified)."""
    provider = providers.get(provider_key)
    attempt = provider.notified_attempt(params)
    if not attempt or len(attempt) > MERCHANT_TX_ID_MAX or "\x00" in attempt:
        return None  # no attempt of ours looks like that (and PostgreSQL refuses NUL)
    return (
        Payment.objects.select_related("payee_municipality")
        .filter(merchant_tx_id=attempt, provider=provider.key)
        .first()
    )


def payment_apply_notification(
    *, provider_key: str, params: Mapping[str, str], source: str = PaymentEvent.Kind.NOTIFY
) -> NotifyResult:
    """Apply a provider's notify or redirect call. Verifies the signature first; a forged or
    unknown message changes nothing. The same message twice is stored and applied once."""
    payment = payment_by_notification(provider_key, params)
    if payment is None:
        logger.warning("%s %s for an unknown attempt", provider_key, source)
        return NotifyResult(accepted=False)
    provider = providers.get(payment.provider)
    notification = provider.verify_notification(params, payment=payment_data(payment))
    if notification is None:
        logger.warning("%s %s for %s: signature does not verify", provider_key, source, payment.pk)
        return NotifyResult(accepted=False, payment=payment)
    try:
        with transaction.atomic():
            event = PaymentEvent.objects.create(
                payment=payment,
                provider=payment.provider,
                kind=source,
                message_key=notification.message_key,
                payload=notification.payload,
            )
            changed = _apply_outcome(payment, notification, event)
    except IntegrityError:
        # Seen before (the notify repeated, or the redirect after the notify): done already.
        payment.refresh_from_db()
        return NotifyResult(accepted=True, changed=False, payment=payment)
    return NotifyResult(accepted=True, changed=changed, payment=payment)


def _brand(key: str) -> str | dict[str, str]:
    provider = providers.get(key)
    return provider.brand or notes.term(provider.label)


def _paid_online(payment: Payment, method: str) -> str:
    # A note (core/notes.py): each reader sees it in their language, the amount as they
    # write it, the provider by its name rather than its key.
    return notes.note(
        gettext_noop("Paid online (%(method)s), %(amount)s."),
        method=_brand(payment.provider),
        amount=notes.money(payment.amount_cents),
    )


def _apply_outcome(payment: Payment, notification: Notification, event: PaymentEvent) -> bool:
    if notification.provider_reference and not payment.provider_reference:
        Payment.objects.filter(pk=payment.pk).update(
            provider_reference=notification.provider_reference
        )
        payment.provider_reference = notification.provider_reference
    outcome = notification.outcome
    changed = False
    if outcome == Outcome.PAID:
        if (
            notification.amount_cents != payment.amount_cents
            or notification.currency != payment.currency
        ):
            event.outcome = (
                f"refused: {notification.amount_cents} {notification.currency} does not match "
                f"{payment.amount_cents} {payment.currency}"
            )
            note(
                payment,
                notes.note(
                    gettext_noop(
                        "A payment notice did not match the fee and was not accepted (%(got)s)."
                    ),
                    got=f"{notification.amount_cents} {notification.currency}",
                ),
                internal=True,
            )
        else:
            changed = mark_paid(
                payment,
                method=notification.method,
                comment=_paid_online(payment, notification.method),
            )
            event.outcome = "paid" if changed else "paid already"
    elif outcome in (Outcome.FAILED, Outcome.CANCELLED):
        changed = _close(payment, outcome)
        event.outcome = f"{outcome} ({notification.code})" + ("" if changed else " (no change)")
    else:
        event.outcome = f"pending ({notification.code})"
    event.save(update_fields=["outcome"])
    return changed


def _close(payment: Payment, outcome: Outcome) -> bool:
    """The provider says the attempt failed or the payer cancelled it: close it at once and
    tell the payable, so that the payer can choose again. True when this call closed it."""
    if not transition(payment, outcome, sources=ACTIVE):
        return False
    text = (
        notes.note(gettext_noop("Online payment cancelled. You can choose again how to pay."))
        if outcome == Outcome.CANCELLED
        else notes.note(
            gettext_noop("Online payment was not successful. You can choose again how to pay.")
        )
    )
    payables.adapter().failed(payment.payable, payment=payment, comment=text)
    return True


def payment_refresh_status(*, payment: Payment) -> bool:
    """Ask the provider about an active attempt (where it can be asked); True on a change."""
    provider = providers.get(payment.provider)
    try:
        status = provider.fetch_status(payment_data(payment))
    except ProviderError as error:
        logger.warning("payment %s: status call failed: %s", payment.pk, error)
        return False
    if status is None:
        return False
    key = message_key("status", payment.pk, json.dumps(status.payload, sort_keys=True))
    try:
        with transaction.atomic():
            event = PaymentEvent.objects.create(
                payment=payment,
                provider=payment.provider,
                kind=PaymentEvent.Kind.STATUS,
                message_key=key,
                payload=status.payload,
            )
            changed = False
            if status.outcome == Outcome.PAID:
                if (
                    status.amount_cents == payment.amount_cents
                    and status.currency == payment.currency
                ):
                    changed = mark_paid(
                        payment, method=status.method, comment=_paid_online(payment, status.method)
                    )
            elif status.outcome in (Outcome.FAILED, Outcome.CANCELLED):
                changed = _close(payment, status.outcome)
            event.outcome = status.outcome
            event.save(update_fields=["outcome"])
    except IntegrityError:
        return False
    return changed
