"""Paying money back: through the provider where it can, else as an obligation the town's
treasury transfers with a pain.001 file (exported here, and kept to be downloaded again).

A rejected request's fee is refunded on a clerk's word. Money a transfer brought that was
never owed — the surplus over the fee, or a transfer for a fee paid already — becomes a
refund of its own when the statement is imported, so that the payer gets back everything."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import notes
from municipalities.models import Municipality
from payments import payables, providers
from payments.models import Payment, PaymentEvent, Refund, RefundExport, StatementLine
from payments.payables import Payable
from payments.providers.base import ProviderError, RefundStatus
from payments.sepa import bic_required, credit_transfer_xml
from payments.services.common import PaymentConflict, Status, message_key, payment_data, transition


def _creditor(line: StatementLine, fallback_name: str = "") -> dict[str, str] | None:
    """Who a transfer goes back to: the account the money came from, with its bank's BIC
    where the statement named it. None when the file could not be executed: no account, or
    an account outside the EEA whose bank is unknown."""
    if not line.debtor_iban:
        return None
    bic = line.debtor_bic
    if not bic and bic_required(line.debtor_iban):
        from schwifty import IBAN
        from schwifty.exceptions import SchwiftyException

        try:
            found = IBAN(line.debtor_iban).bic  # the bank registry, where it knows the bank
        except SchwiftyException:
            found = None
        if found is None:
            return None
        bic = str(found)
    return {
        "creditor_name": (line.debtor_name or fallback_name)[:70],
        "creditor_iban": line.debtor_iban,
        "creditor_bic": bic,
    }


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
    if Refund.objects.filter(payment=payment, kind=Refund.Kind.FEE).exists():
        raise PaymentConflict(_("This fee has been refunded already."))
    provider = providers.get(payment.provider)
    creditor: dict[str, str] = {}
    line = None
    if provider.settled_by_statement:
        # A transfer goes back to the account it came from, as the bank statement names it.
        line = payment.statement_lines.exclude(debtor_iban="").order_by("id").first()
        creditor = _creditor(line, info.payer_name) if line else None
        if creditor is None:
            raise PaymentConflict(
                _("The payer's account or bank is not known; refund this fee by hand.")
            )
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
                kind=Refund.Kind.FEE,
                statement_line=line,
                amount_cents=payment.amount_cents,
                currency=payment.currency,
                status=Refund.Status.DONE
                if result.status == RefundStatus.DONE
                else Refund.Status.OPEN,
                **creditor,
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
            amount = notes.money(payment.amount_cents)
            payables.adapter().refunded(
                payable,
                payment=payment,
                comment=notes.note(
                    gettext_noop("The fee of %(amount)s is being refunded."), amount=amount
                )
                if result.status == RefundStatus.OPEN
                else notes.note(
                    gettext_noop("The fee of %(amount)s has been refunded."), amount=amount
                ),
            )
    except IntegrityError as error:
        raise PaymentConflict(_("This fee has been refunded already.")) from error
    return refund


def refund_transfer_back(
    *, payment: Payment, line: StatementLine, kind: str, amount_cents: int
) -> Refund | None:
    """Money a statement line brought that was not owed (a surplus, or a transfer for a fee
    paid already) goes back to the account it came from: an open refund for the treasury's
    next pain.001 file, once per line. None when the account or its needed BIC is unknown
    (the import reports the line for a refund by hand)."""
    creditor = _creditor(line)
    if creditor is None or amount_cents <= 0:
        return None
    reference = str(payment.payable)
    return Refund.objects.create(
        payment=payment,
        kind=kind,
        statement_line=line,
        amount_cents=amount_cents,
        currency=line.currency,
        status=Refund.Status.OPEN,
        **creditor,
        remittance=f"Erstattung {reference}"[:140],
        message=line.bank_reference[:2000],
    )


def refunds_export(
    *,
    municipality: Municipality,
    refund_ids: list[int] | None = None,
    user: AbstractBaseUser | None = None,
) -> RefundExport | None:
    """The open bank-transfer refunds of a town as one pain.001 file, stored so it can be
    downloaded again; marks them exported. None when there is nothing to export."""
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
        now = timezone.now()
        message_id = f"KP{now:%Y%m%d%H%M%S}{secrets.token_hex(4).upper()}"[:35]
        xml = credit_transfer_xml(
            message_id=message_id,
            debtor_name=municipality.payee_name,
            debtor_iban="".join(municipality.iban.split()).upper(),
            debtor_bic=municipality.bic,
            refunds=refunds,
        )
        export = RefundExport.objects.create(
            municipality=municipality,
            message_id=message_id,
            created_at=now,
            created_by=user if user is not None and user.is_authenticated else None,
            count=len(refunds),
            total_cents=sum(refund.amount_cents for refund in refunds),
            xml=xml.decode("utf-8"),
        )
        Refund.objects.filter(pk__in=[r.pk for r in refunds]).update(
            status=Refund.Status.EXPORTED,
            exported_at=now,
            export_message_id=message_id,
            export=export,
        )
    return export
