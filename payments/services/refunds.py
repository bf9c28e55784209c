"""Paying fees back: through the provider where it can, else as an obligation the town's
treasury transfers with a pain.001 file (exported here)."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.formats import euros_plain
from municipalities.models import Municipality
from payments import payables, providers
from payments.models import Payment, PaymentEvent, Refund
from payments.payables import Payable
from payments.providers.base import ProviderError, RefundStatus
from payments.sepa import credit_transfer_xml
from payments.services.common import PaymentConflict, Status, message_key, payment_data, transition


def payment_refund(*, payable: Payable, user: AbstractBaseUser, comment: str = "") -> Refund:
    """Pay back the fee of a payable that may be refunded (a rejected case): through the
    provider's API where it has one, as an obligation the treasury transfers (pain.001) for
    a bank transfer, or at the counter."""
    info = payables.adapter().describe(payable)
    if not info.refundable:
        raise PaymentConflict(_("Only the fee of a rejected request is refunded."))
    payment = (
        Payment.objects.select_related("payee_municipality")
        .filter(payable=payable, status=Status.PAID)
        .order_by("paid_at")
        .first()
    )
    if payment is None:
        raise PaymentConflict(_("There is no paid fee to refund."))
    if Refund.objects.filter(payment=payment).exists():
        raise PaymentConflict(_("This fee has been refunded already."))
    provider = providers.get(payment.provider)
    creditor = {"name": "", "iban": ""}
    if provider.settled_by_statement:
        # A transfer goes back to the account it came from, as the bank statement names it.
        line = payment.statement_lines.exclude(debtor_iban="").order_by("id").first()
        if line is None:
            raise PaymentConflict(_("The payer's account is not known; refund this fee by hand."))
        creditor = {
            "name": (line.debtor_name or info.payer_name)[:70],
            "iban": line.debtor_iban,
        }
    try:
        result = provider.refund(payment_data(payment), amount_cents=payment.amount_cents)
    except ProviderError as error:
        raise PaymentConflict(
            _("The payment provider could not be reached. Try again later.")
        ) from error
    if result.status == RefundStatus.FAILED:
        raise PaymentConflict(
            _("The payment provider refused the refund: %(message)s") % {"message": result.message}
        )
    try:
        with transaction.atomic():
            if not transition(
                payment, Status.REFUNDED, sources=[Status.PAID], closed_at=payment.closed_at
            ):
                raise PaymentConflict(_("This fee has been refunded already."))
            refund = Refund.objects.create(
                payment=payment,
                amount_cents=payment.amount_cents,
                currency=payment.currency,
                status=Refund.Status.DONE
                if result.status == RefundStatus.DONE
                else Refund.Status.OPEN,
                creditor_name=creditor["name"],
                creditor_iban=creditor["iban"],
                remittance=f"Erstattung {info.reference}"[:140],
                provider_reference=result.provider_reference,
                message=(comment or result.message)[:2000],
                requested_by=user,
            )
            PaymentEvent.objects.create(
                payment=payment,
                provider=payment.provider,
                kind=PaymentEvent.Kind.REFUND,
                message_key=message_key(PaymentEvent.Kind.REFUND, payment.pk),
                payload=result.payload,
                outcome=result.status,
            )
            amount = euros_plain(payment.amount_cents)
            payables.adapter().refunded(
                payable,
                payment=payment,
                comment=_("The fee of %(amount)s is being refunded.") % {"amount": amount}
                if result.status == RefundStatus.OPEN
                else _("The fee of %(amount)s has been refunded.") % {"amount": amount},
            )
    except IntegrityError as error:
        raise PaymentConflict(_("This fee has been refunded already.")) from error
    return refund


def refunds_export(
    *, municipality: Municipality, refund_ids: list[int] | None = None
) -> bytes | None:
    """The open bank-transfer refunds of a town as one pain.001 file; marks them exported.
    None when there is nothing to export."""
    with transaction.atomic():
        refunds = (
            Refund.objects.select_for_update()
            .select_related("payment", "payment__payable")
            .filter(payment__payee_municipality=municipality, status=Refund.Status.OPEN)
            .order_by("requested_at", "id")
        )
        if refund_ids is not None:
            refunds = refunds.filter(pk__in=refund_ids)
        refunds = list(refunds)
        if not refunds:
            return None
        message_id = f"KP{timezone.now():%Y%m%d%H%M%S}{secrets.token_hex(4).upper()}"[:35]
        xml = credit_transfer_xml(
            message_id=message_id,
            debtor_name=municipality.payee_name,
            debtor_iban="".join(municipality.iban.split()).upper(),
            debtor_bic=municipality.bic,
            refunds=refunds,
        )
        Refund.objects.filter(pk__in=[r.pk for r in refunds]).update(
            status=Refund.Status.EXPORTED, exported_at=timezone.now(), export_message_id=message_id
        )
    return xml


# --- periodic -----------------------------------------------------------------------------
