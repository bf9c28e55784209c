"""Fees paid at the town hall: a clerk records the till's receipt number."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, OperationalError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import notes
from core.errors import Invalid
from payments import payables, providers
from payments.models import Payment, PaymentEvent
from payments.payables import Payable
from payments.services.common import (
    ACTIVE,
    SETTLED,
    PaymentConflict,
    Status,
    mark_paid,
    message_key,
    sqlite_locked,
    transition,
)
from payments.services.creation import new_payment


def payment_mark_paid_at_counter(
    *, payable: Payable, receipt_number: str, user: AbstractBaseUser
) -> Payment:
    """A clerk took the fee at the desk. Any other open attempt is cancelled."""
    receipt_number = (receipt_number or "").strip()
    if not receipt_number:
        raise Invalid(errors={"receipt_number": [_("Enter the receipt number of the till.")]})
    if len(receipt_number) > 40:
        raise Invalid(errors={"receipt_number": [_("At most 40 characters.")]})
    info = payables.adapter().describe(payable)
    if info.amount_cents <= 0:
        raise PaymentConflict(_("This request costs nothing."))
    if Payment.objects.filter(payable=payable, status__in=SETTLED).exists():
        raise PaymentConflict(_("The fee for this request has been paid already."))
    if not info.open:
        raise PaymentConflict(_("This request is closed; no fee is due."))
    desk = providers.get(providers.keys_where("paid_at_counter")[0])
    try:
        with transaction.atomic():
            active = Payment.objects.filter(payable=payable, status__in=ACTIVE).first()
            if active is not None and active.provider != desk.key:
                transition(active, Status.CANCELLED, sources=ACTIVE)
                active = None
            payment = active or new_payment(payable=payable, info=info, provider_key=desk.key)
            PaymentEvent.objects.create(
                payment=payment,
                provider=desk.key,
                kind=PaymentEvent.Kind.COUNTER,
                message_key=message_key(PaymentEvent.Kind.COUNTER, payment.pk),
                payload={"receipt_number": receipt_number, "clerk": user.get_username()},
                outcome="paid",
            )
            if not mark_paid(
                payment,
                method=desk.method,
                comment=notes.note(
                    gettext_noop("Paid at the counter, receipt %(receipt)s."),
                    receipt=receipt_number,
                ),
                receipt_number=receipt_number,
                marked_by=user,
            ):
                raise PaymentConflict(_("The fee for this request has been paid already."))
    except (IntegrityError, OperationalError) as error:
        if isinstance(error, OperationalError) and not sqlite_locked(error):
            raise
        raise PaymentConflict(
            _("Another payment for this request was recorded at the same moment.")
        ) from error
    return payment
