"""Periodic payment jobs (payments/tasks.py, scheduled in CELERY_BEAT_SCHEDULE): unfinished
online attempts expire, open transfers are reminded once."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from core import notes
from payments import payables, providers
from payments.models import Payment, PaymentEvent
from payments.services.common import ACTIVE, Status, message_key, transition
from payments.services.notifications import payment_refresh_status


def payment_expire_stale(*, now: datetime.datetime | None = None) -> int:
    """Expire attempts of providers whose unfinished attempts expire (online checkouts)
    nobody finished within PAYMENT_EXPIRY_MINUTES, after asking the provider once whether
    they were paid after all."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.PAYMENT_EXPIRY_MINUTES)
    expired = 0
    stale = Payment.objects.select_related("payee_municipality").filter(
        provider__in=providers.keys_where("expires_unfinished"),
        status__in=ACTIVE,
        created_at__lt=cutoff,
    )
    for payment in stale:
        payment_refresh_status(payment=payment)
        if payment.status not in ACTIVE:
            continue
        with transaction.atomic():
            if transition(payment, Status.EXPIRED, sources=ACTIVE):
                PaymentEvent.objects.create(
                    payment=payment,
                    provider=payment.provider,
                    kind=PaymentEvent.Kind.EXPIRED,
                    message_key=message_key(PaymentEvent.Kind.EXPIRED, payment.pk),
                    outcome="expired",
                )
                payables.adapter().failed(
                    payment.payable,
                    payment=payment,
                    comment=notes.note(
                        gettext_noop(
                            "The online payment was not completed in time. "
                            "You can choose again how to pay."
                        )
                    ),
                )
                expired += 1
    return expired


def payment_send_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind payers once of a transfer (a provider settled by bank statement) still open
    after GIROCODE_REMINDER_DAYS. The payable sends the reminder durably (cases: a process
    step, retried until the mail server takes it); claiming the payment and asking for the
    reminder commit together, so a failure loses neither."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.GIROCODE_REMINDER_DAYS)
    due = Payment.objects.filter(
        provider__in=providers.keys_where("settled_by_statement"),
        status=Status.PENDING,
        created_at__lt=cutoff,
        reminded_at__isnull=True,
    )
    asked = 0
    for payment in due:
        with transaction.atomic():
            # Claim first: a reminder is asked for at most once, even with two beat workers.
            if not Payment.objects.filter(pk=payment.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            payables.adapter().overdue(payment.payable, payment=payment)
            asked += 1
    return asked
