"""Writes of payments. Every provider message is stored (PaymentEvent) before it is
acted on, inside the same transaction, so a repeat or a crash in between changes
nothing twice. Status changes are compare-and-set updates: two hints about the
same attempt (notify and redirect, two workers) cannot both win.

The only ways into the cases app are the two hooks of services.services:
`case_payment_received` (the fee arrived) and `case_record_event` (a note on the
case's timeline).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from municipalities.models import Municipality
from payments import camt, providers
from payments.girocode import creditor_reference
from payments.models import Payment, PaymentEvent, Refund, StatementImport, StatementLine
from payments.providers.base import CallbackUrls, PaymentData, ProviderError

logger = logging.getLogger(__name__)

Status = Payment.Status
ACTIVE = list(Payment.ACTIVE_STATUSES)
SETTLED = list(Payment.SETTLED_STATUSES)
#: Case statuses in which a fee can still be paid (postpaid services ask after approval).
PAYABLE_CASE_STATUSES = (
    "submitted",
    "awaiting_payment",
    "in_review",
    "awaiting_applicant",
    "approved",
)


class PaymentConflict(Exception):
    """The request contradicts the state (answered with 409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class IdempotencyConflict(PaymentConflict):
    """The Idempotency-Key was used before with another body."""


# --- helpers ------------------------------------------------------------------------------


def payment_data(payment: Payment) -> PaymentData:
    """The snapshot a provider sees."""
    case = payment.case
    name = case.service.name
    service_name = name.get("de", "") if isinstance(name, dict) else str(name)
    return PaymentData(
        id=str(payment.pk),
        merchant_tx_id=payment.merchant_tx_id,
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        creditor_reference=payment.creditor_reference,
        purpose=f"{case.reference} {service_name}".strip()[:70],
        payee_slug=payment.payee_municipality.slug,
        payee_name=payment.payee_name,
        payee_iban=payment.payee_iban,
        payee_bic=payment.payee_bic,
        kassenzeichen=payment.kassenzeichen,
        provider_reference=payment.provider_reference,
    )


def _case_events():
    # The two hooks into cases; imported late so payments never loads case logic at import.
    from services import services as case_services

    return case_services


def _note(case: Any, comment: str, *, internal: bool = False, type: str = "payment") -> None:
    _case_events().case_record_event(
        case=case, type=type, comment=comment, internal=internal, actor_label="payments"
    )


def _transition(payment: Payment, to: str, *, sources: list[str], **fields: Any) -> bool:
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


def _euros(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d} EUR"


def _mark_paid(payment: Payment, *, method: str = "", comment: str, **fields: Any) -> bool:
    """Money arrived for this attempt. Also from cancelled/expired/failed: the provider or the
    bank says the money is there, and that outranks our own bookkeeping."""
    values = {"paid_at": timezone.now(), **fields}
    if method:
        values["method"] = method
    if not _transition(
        payment,
        Status.PAID,
        sources=[Status.CREATED, Status.PENDING, Status.CANCELLED, Status.EXPIRED, Status.FAILED],
        **values,
    ):
        return False
    case = payment.case
    others = Payment.objects.filter(case=case).exclude(pk=payment.pk)
    if others.filter(status__in=SETTLED).exists():
        _note(
            case,
            _("The fee was paid twice (%(reference)s); the second payment must be refunded.")
            % {"reference": payment.creditor_reference},
            internal=True,
            type="payment_duplicate",
        )
    for other in others.filter(status__in=ACTIVE):
        _transition(other, Status.CANCELLED, sources=ACTIVE)
    _case_events().case_payment_received(case=case, comment=comment)
    return True


def _sqlite_locked(error: OperationalError) -> bool:
    """SQLite's answer to two writers racing (it has no row locks): the other one won."""
    return connection.vendor == "sqlite" and "locked" in str(error)


def _message_key(*parts: object) -> str:
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()


def callback_urls(payment: Payment, *, base_url: str) -> CallbackUrls:
    """Absolute URLs for the provider. Outside the sandbox the configured portal address
    is used, never the request's Host header, so nobody can bend notifications elsewhere."""
    base = (
        base_url if settings.PAYMENTS_SANDBOX and base_url else settings.PORTAL_BASE_URL
    ).rstrip("/")
    return CallbackUrls(
        redirect=base + reverse("payments:girocheckout-return", args=[payment.merchant_tx_id]),
        notify=base + reverse("payments:girocheckout-notify"),
    )


# --- creation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Created:
    payment: Payment
    created: bool  # False: an earlier answer (idempotent replay or the same active attempt)


def request_hash_of(*, case_reference: str, body: Mapping[str, Any]) -> str:
    canonical = json.dumps({"case": case_reference, "body": body}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def payment_create(
    *,
    case: Any,
    provider_key: str,
    idempotency_key: str = "",
    body: Mapping[str, Any] | None = None,
    base_url: str = "",
) -> Created:
    """Start paying a case's fee with one provider.

    Raises ValidationError (400) for a provider the payee does not offer,
    PaymentConflict (409) when nothing is owed, the fee is paid already, the case is
    closed, or another attempt was started at the same moment; IdempotencyConflict
    (409) when the key was used with another body."""
    idempotency_key = (idempotency_key or "").strip()[:255]
    request_hash = request_hash_of(
        case_reference=case.reference, body=body if body is not None else {"provider": provider_key}
    )
    if idempotency_key:
        earlier = _replay(case=case, key=idempotency_key, request_hash=request_hash)
        if earlier is not None:
            return Created(payment=earlier, created=False)

    payee: Municipality = case.municipality
    if provider_key not in providers.offered_keys(payee.payment_providers):
        raise ValidationError(
            {"provider": [_("%(town)s does not offer this way of paying.") % {"town": payee.name}]}
        )
    if case.fee_cents <= 0:
        raise PaymentConflict(_("This request costs nothing."))
    if case.status not in PAYABLE_CASE_STATUSES:
        raise PaymentConflict(_("This request is closed; no fee is due."))

    try:
        with transaction.atomic():
            # One payment decision per case at a time: lock the case row first, so two
            # creations queue up instead of deadlocking on the one-active-payment index.
            type(case).objects.select_for_update(of=("self",), no_key=True).only("pk").get(
                pk=case.pk
            )
            if Payment.objects.filter(case=case, status__in=SETTLED).exists():
                raise PaymentConflict(_("The fee for this request has been paid already."))
            active = Payment.objects.filter(case=case, status__in=ACTIVE).first()
            if active is not None and active.provider == provider_key and not idempotency_key:
                # Choosing the same way again shows the same QR code or checkout.
                return Created(payment=active, created=False)
            if active is not None and _transition(active, Status.CANCELLED, sources=ACTIVE):
                PaymentEvent.objects.create(
                    payment=active,
                    provider=active.provider,
                    kind="superseded",
                    message_key=_message_key("superseded", active.pk),
                    outcome="cancelled: the payer chose another way",
                )
            payment = _new_payment(
                case=case,
                provider_key=provider_key,
                idempotency_key=idempotency_key,
                request_hash=request_hash if idempotency_key else "",
            )
    except (IntegrityError, OperationalError) as error:
        if isinstance(error, OperationalError) and not _sqlite_locked(error):
            raise
        if idempotency_key:
            earlier = _replay(case=case, key=idempotency_key, request_hash=request_hash)
            if earlier is not None:
                return Created(payment=earlier, created=False)
        raise PaymentConflict(
            _("Another payment for this request was started at the same moment.")
        ) from error
    _start(payment, base_url=base_url)
    return Created(payment=payment, created=True)


def _replay(*, case: Any, key: str, request_hash: str) -> Payment | None:
    earlier = Payment.objects.filter(case=case, idempotency_key=key).first()
    if earlier is None:
        return None
    if earlier.request_hash != request_hash:
        raise IdempotencyConflict(_("This Idempotency-Key was used with a different request."))
    return earlier


def _new_payment(
    *, case: Any, provider_key: str, idempotency_key: str, request_hash: str
) -> Payment:
    attempt = (Payment.objects.filter(case=case).aggregate(last=Max("attempt"))["last"] or 0) + 1
    compact = "".join(ch for ch in case.reference if ch.isalnum()).upper()
    body = f"{compact[:19]}{attempt:02d}"
    payee: Municipality = case.municipality
    return Payment.objects.create(
        case=case,
        attempt=attempt,
        provider=provider_key,
        status=Status.CREATED,
        amount_cents=case.fee_cents,
        currency="EUR",
        creditor_reference=creditor_reference(body),
        merchant_tx_id=f"{compact}-{attempt:02d}-{secrets.token_hex(6)}",
        payee_municipality=payee,
        payee_name=payee.payee_name,
        payee_iban="".join(payee.iban.split()).upper(),
        payee_bic=(payee.bic or "").strip().upper(),
        # Until an HKR system issues Kassenzeichen, the case reference is the cash reference.
        kassenzeichen=case.reference,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
    )


def _start(payment: Payment, *, base_url: str) -> None:
    """Call the provider outside any transaction (it may be a network call)."""
    provider = providers.get(payment.provider)
    try:
        result = provider.start(
            payment_data(payment), urls=callback_urls(payment, base_url=base_url)
        )
    except ProviderError as error:
        logger.warning("payment %s: start failed: %s", payment.pk, error)
        result = None
    with transaction.atomic():
        PaymentEvent.objects.create(
            payment=payment,
            provider=payment.provider,
            kind="start",
            message_key=_message_key("start", payment.pk),
            payload=dict(result.details) if result else {},
            outcome=result.status if result else "provider unreachable",
        )
        if result is not None and result.status == "pending":
            _transition(
                payment,
                Status.PENDING,
                sources=[Status.CREATED],
                redirect_url=result.redirect_url,
                provider_reference=result.provider_reference,
                method=result.method,
            )
            label = str(provider.label)
            _note(payment.case, _("Payment started: %(way)s.") % {"way": label})
        else:
            _transition(payment, Status.FAILED, sources=[Status.CREATED])
    if payment.status == Status.FAILED:
        raise PaymentConflict(
            _("The payment could not be started. Please try again later or choose another way.")
        )


# --- provider notifications ---------------------------------------------------------------


@dataclass(frozen=True)
class NotifyResult:
    accepted: bool  # False: unknown attempt or a signature that does not verify (400)
    changed: bool = False
    payment: Payment | None = None


def payment_apply_notification(
    *, params: Mapping[str, str], source: str = "notify"
) -> NotifyResult:
    """Apply a GiroCheckout notify or redirect call. Verifies the hash first; a forged or
    unknown message changes nothing. The same message twice is stored and applied once."""
    merchant_tx_id = str(params.get("gcMerchantTxId") or "")
    payment = (
        Payment.objects.select_related("case", "case__service", "payee_municipality")
        .filter(merchant_tx_id=merchant_tx_id, provider="girocheckout")
        .first()
    )
    if payment is None:
        logger.warning("girocheckout %s for unknown merchantTxId", source)
        return NotifyResult(accepted=False)
    provider = providers.get(payment.provider)
    notification = provider.verify_notification(params, payment=payment_data(payment))
    if notification is None:
        logger.warning("girocheckout %s for %s: hash does not verify", source, payment.pk)
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


def _apply_outcome(payment: Payment, notification: Any, event: PaymentEvent) -> bool:
    if notification.provider_reference and not payment.provider_reference:
        Payment.objects.filter(pk=payment.pk).update(
            provider_reference=notification.provider_reference
        )
        payment.provider_reference = notification.provider_reference
    outcome = notification.outcome
    changed = False
    if outcome == "paid":
        if (
            notification.amount_cents != payment.amount_cents
            or notification.currency != payment.currency
        ):
            event.outcome = (
                f"refused: {notification.amount_cents} {notification.currency} does not match "
                f"{payment.amount_cents} {payment.currency}"
            )
            _note(
                payment.case,
                _("A payment notice did not match the fee and was not accepted (%(got)s).")
                % {"got": f"{notification.amount_cents} {notification.currency}"},
                internal=True,
            )
        else:
            changed = _mark_paid(
                payment,
                method=notification.method,
                comment=_("Paid online (%(method)s), %(amount)s.")
                % {"method": notification.method, "amount": _euros(payment.amount_cents)},
            )
            event.outcome = "paid" if changed else "paid already"
    elif outcome in ("failed", "cancelled"):
        changed = _transition(payment, outcome, sources=ACTIVE)
        event.outcome = outcome if changed else f"{outcome} (no change)"
        if changed:
            text = (
                _("Online payment cancelled. You can choose again how to pay.")
                if outcome == "cancelled"
                else _("Online payment was not successful. You can choose again how to pay.")
            )
            _note(payment.case, text)
    else:
        event.outcome = f"pending ({notification.code})"
    event.save(update_fields=["outcome"])
    return changed


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
    key = _message_key("status", payment.pk, json.dumps(status.payload, sort_keys=True))
    try:
        with transaction.atomic():
            event = PaymentEvent.objects.create(
                payment=payment,
                provider=payment.provider,
                kind="status",
                message_key=key,
                payload=status.payload,
            )
            changed = False
            if status.outcome == "paid":
                if (
                    status.amount_cents == payment.amount_cents
                    and status.currency == payment.currency
                ):
                    changed = _mark_paid(
                        payment,
                        method=status.method,
                        comment=_("Paid online (%(method)s), %(amount)s.")
                        % {"method": status.method, "amount": _euros(payment.amount_cents)},
                    )
            elif status.outcome in ("failed", "cancelled"):
                changed = _transition(payment, status.outcome, sources=ACTIVE)
            event.outcome = status.outcome
            event.save(update_fields=["outcome"])
    except IntegrityError:
        return False
    return changed


# --- counter ------------------------------------------------------------------------------


def payment_mark_paid_at_counter(
    *, case: Any, receipt_number: str, user: AbstractBaseUser
) -> Payment:
    """A clerk took the fee at the desk. Any other open attempt of the case is cancelled."""
    receipt_number = (receipt_number or "").strip()
    if not receipt_number:
        raise ValidationError({"receipt_number": [_("Enter the receipt number of the till.")]})
    if len(receipt_number) > 40:
        raise ValidationError({"receipt_number": [_("At most 40 characters.")]})
    if case.fee_cents <= 0:
        raise PaymentConflict(_("This request costs nothing."))
    if Payment.objects.filter(case=case, status__in=SETTLED).exists():
        raise PaymentConflict(_("The fee for this request has been paid already."))
    if case.status not in PAYABLE_CASE_STATUSES:
        raise PaymentConflict(_("This request is closed; no fee is due."))
    try:
        with transaction.atomic():
            active = Payment.objects.filter(case=case, status__in=ACTIVE).first()
            if active is not None and active.provider != "counter":
                _transition(active, Status.CANCELLED, sources=ACTIVE)
                active = None
            payment = active or _new_payment(
                case=case, provider_key="counter", idempotency_key="", request_hash=""
            )
            PaymentEvent.objects.create(
                payment=payment,
                provider="counter",
                kind="counter",
                message_key=_message_key("counter", payment.pk),
                payload={"receipt_number": receipt_number, "clerk": user.get_username()},
                outcome="paid",
            )
            if not _mark_paid(
                payment,
                method="counter",
                comment=_("Paid at the counter, receipt %(receipt)s.")
                % {"receipt": receipt_number},
                receipt_number=receipt_number,
                marked_by=user,
            ):
                raise PaymentConflict(_("The fee for this request has been paid already."))
    except (IntegrityError, OperationalError) as error:
        if isinstance(error, OperationalError) and not _sqlite_locked(error):
            raise
        raise PaymentConflict(
            _("Another payment for this request was recorded at the same moment.")
        ) from error
    return payment


# --- bank statements ----------------------------------------------------------------------


@dataclass
class ImportReport:
    statement_id: int | None
    iban: str
    kind: str
    version: str
    duplicate_file: bool = False
    lines: list[dict] = field(default_factory=list)

    def count(self, *outcomes: str) -> int:
        return sum(1 for line in self.lines if line["outcome"] in outcomes)

    @property
    def matched(self) -> int:
        return self.count(StatementLine.Outcome.MATCHED, StatementLine.Outcome.OVERPAID)

    @property
    def unmatched(self) -> int:
        return self.count(
            StatementLine.Outcome.UNKNOWN_REFERENCE,
            StatementLine.Outcome.NO_REFERENCE,
            StatementLine.Outcome.UNDERPAID,
            StatementLine.Outcome.ALREADY_PAID,
            StatementLine.Outcome.WRONG_CURRENCY,
        )

    @property
    def duplicates(self) -> int:
        return self.count("duplicate")

    def as_dict(self) -> dict:
        return {
            "id": self.statement_id,
            "iban": self.iban,
            "kind": self.kind,
            "version": self.version,
            "duplicate_file": self.duplicate_file,
            "matched": self.matched,
            "unmatched": self.unmatched,
            "duplicates": self.duplicates,
            "overpaid": self.count(StatementLine.Outcome.OVERPAID),
            "underpaid": self.count(StatementLine.Outcome.UNDERPAID),
            "ignored": self.count(
                StatementLine.Outcome.DEBIT, StatementLine.Outcome.REVERSAL, "not_booked"
            ),
            "lines": self.lines,
        }


def _line(entry: camt.Entry, outcome: str, payment: Payment | None = None, note: str = "") -> dict:
    return {
        "bank_reference": entry.bank_reference,
        "amount_cents": entry.amount_cents,
        "currency": entry.currency,
        "credit": entry.credit,
        "reversal": entry.reversal,
        "booking_date": entry.booking_date.isoformat() if entry.booking_date else None,
        "debtor_name": entry.debtor_name or "",
        "references": list(entry.creditor_references),
        "outcome": outcome,
        "payment": str(payment.pk) if payment else None,
        "case": payment.case.reference if payment else None,
        "expected_cents": payment.amount_cents if payment else None,
        "note": note,
    }


def statement_import(
    *,
    municipality: Municipality,
    data: bytes,
    filename: str = "",
    user: AbstractBaseUser | None = None,
) -> ImportReport:
    """Import a camt.053/.054 file of the municipality's fee account and book its credits.

    Raises camt.StatementError (400) for an unreadable or unsafe file, or one of another
    account. A file imported before, and any line imported before, books nothing again."""
    statement = camt.parse_statement(data)
    iban = statement.account_iban
    own = {"".join(municipality.iban.split()).upper()}
    own |= set(
        Payment.objects.filter(payee_municipality=municipality).values_list("payee_iban", flat=True)
    )
    if iban not in own:
        raise camt.StatementError(
            _("This statement is for account %(iban)s, which is not an account of %(town)s.")
            % {"iban": iban, "town": municipality.name}
        )
    report = ImportReport(
        statement_id=None, iban=iban, kind=statement.kind, version=statement.version
    )
    earlier = StatementImport.objects.filter(file_sha256=statement.file_sha256).first()
    if earlier is not None:
        return _duplicate_file(report, statement, earlier)
    try:
        with transaction.atomic():
            record = StatementImport.objects.create(
                municipality=municipality,
                iban=iban,
                file_sha256=statement.file_sha256,
                filename=(filename or "")[-255:],
                kind=statement.kind,
                version=statement.version,
                message_id=statement.message_id[:100],
                uploaded_by=user,
                entries=len(statement.entries),
            )
    except IntegrityError:
        earlier = StatementImport.objects.get(file_sha256=statement.file_sha256)
        return _duplicate_file(report, statement, earlier)
    report.statement_id = record.pk
    for entry in statement.entries:
        report.lines.append(_import_entry(record, municipality, iban, entry))
    summary = report.as_dict()
    StatementImport.objects.filter(pk=record.pk).update(
        matched=report.matched,
        unmatched=report.unmatched,
        duplicates=report.duplicates,
        report=summary,
    )
    return report


def _duplicate_file(
    report: ImportReport, statement: camt.Statement, earlier: StatementImport
) -> ImportReport:
    report.statement_id = earlier.pk
    report.duplicate_file = True
    report.lines = [
        _line(entry, "duplicate", note=_("This file was imported before."))
        for entry in statement.entries
        if entry.booked
    ]
    return report


def _import_entry(
    record: StatementImport, municipality: Municipality, iban: str, entry: camt.Entry
) -> dict:
    if not entry.booked:
        # Not stored: when the bank books it, a later file brings it with the same key.
        return _line(entry, "not_booked", note=_("Not booked yet."))
    try:
        with transaction.atomic():
            line = StatementLine.objects.create(
                statement=record,
                iban=iban,
                bank_reference=entry.bank_reference[:120],
                amount_cents=entry.amount_cents,
                currency=entry.currency,
                credit=entry.credit,
                reversal=entry.reversal,
                booking_date=entry.booking_date,
                value_date=entry.value_date,
                debtor_name=(entry.debtor_name or "")[:140],
                debtor_iban=(entry.debtor_iban or "")[:34],
                creditor_references=list(entry.creditor_references),
                remittance="\n".join(entry.unstructured),
                outcome=StatementLine.Outcome.NO_REFERENCE,
            )
            outcome, payment, note = _book(municipality, iban, entry, line)
            line.outcome = outcome
            line.payment = payment
            line.save(update_fields=["outcome", "payment"])
    except IntegrityError:
        return _line(entry, "duplicate", note=_("This line was imported before."))
    return _line(entry, outcome, payment, note)


def _book(
    municipality: Municipality, iban: str, entry: camt.Entry, line: StatementLine
) -> tuple[str, Payment | None, str]:
    Outcome = StatementLine.Outcome
    if entry.reversal:
        return Outcome.REVERSAL, None, _("A reversal: check the booking it reverses.")
    if not entry.credit:
        return Outcome.DEBIT, None, ""
    candidates = list(
        Payment.objects.select_related("case", "case__service", "payee_municipality")
        .filter(
            payee_municipality=municipality,
            payee_iban=iban,
            provider="girocode",
            creditor_reference__in=entry.creditor_references,
        )
        .order_by("-created_at")
    )
    if not candidates:
        if entry.creditor_references:
            return Outcome.UNKNOWN_REFERENCE, None, ""
        return Outcome.NO_REFERENCE, None, ""
    payment = next((p for p in candidates if p.is_active), candidates[0])
    if entry.currency != payment.currency:
        return Outcome.WRONG_CURRENCY, payment, ""
    PaymentEvent.objects.create(
        payment=payment,
        provider="girocode",
        kind="statement",
        message_key=f"camt:{iban}:{entry.bank_reference}"[:200],
        payload={
            "bank_reference": entry.bank_reference,
            "amount_cents": entry.amount_cents,
            "currency": entry.currency,
            "debtor_name": entry.debtor_name,
            "debtor_iban": entry.debtor_iban,
            "references": list(entry.creditor_references),
            "remittance": list(entry.unstructured),
            "booking_date": entry.booking_date.isoformat() if entry.booking_date else None,
        },
    )
    amount = _euros(entry.amount_cents)
    if Payment.objects.filter(case=payment.case, status__in=SETTLED).exists():
        _note(
            payment.case,
            _("A bank transfer of %(amount)s arrived although the fee was paid already; refund it.")
            % {"amount": amount},
            internal=True,
            type="payment_duplicate",
        )
        return Outcome.ALREADY_PAID, payment, _("The fee was paid already: refund this transfer.")
    if entry.amount_cents < payment.amount_cents:
        _note(
            payment.case,
            _("A bank transfer of %(amount)s arrived, less than the fee of %(fee)s.")
            % {"amount": amount, "fee": _euros(payment.amount_cents)},
            internal=True,
        )
        return Outcome.UNDERPAID, payment, _("Less than the fee: not booked.")
    comment = _("Paid by bank transfer, %(amount)s.") % {"amount": amount}
    _mark_paid(payment, method="sepa_credit_transfer", comment=comment)
    if entry.amount_cents > payment.amount_cents:
        surplus = _euros(entry.amount_cents - payment.amount_cents)
        _note(
            payment.case,
            _("Over-payment of %(surplus)s: the surplus must be refunded.") % {"surplus": surplus},
            internal=True,
        )
        return (
            Outcome.OVERPAID,
            payment,
            _("Fee booked; surplus %(surplus)s to refund.") % {"surplus": surplus},
        )
    return Outcome.MATCHED, payment, ""


# --- refunds ------------------------------------------------------------------------------


def payment_refund(*, case: Any, user: AbstractBaseUser, comment: str = "") -> Refund:
    """Pay back the fee of a rejected case: through GiroCheckout's API, or as an obligation
    the treasury transfers (pain.001) for a bank transfer, or at the counter."""
    if case.status != "rejected":
        raise PaymentConflict(_("Only the fee of a rejected request is refunded."))
    payment = (
        Payment.objects.select_related("case", "case__service", "payee_municipality")
        .filter(case=case, status=Status.PAID)
        .order_by("paid_at")
        .first()
    )
    if payment is None:
        raise PaymentConflict(_("There is no paid fee to refund."))
    if Refund.objects.filter(payment=payment).exists():
        raise PaymentConflict(_("This fee has been refunded already."))
    provider = providers.get(payment.provider)
    creditor = {"name": "", "iban": ""}
    if payment.provider == "girocode":
        line = payment.statement_lines.exclude(debtor_iban="").order_by("id").first()
        if line is None:
            raise PaymentConflict(_("The payer's account is not known; refund this fee by hand."))
        creditor = {
            "name": (line.debtor_name or case.applicant_name)[:70],
            "iban": line.debtor_iban,
        }
    try:
        result = provider.refund(payment_data(payment), amount_cents=payment.amount_cents)
    except ProviderError as error:
        raise PaymentConflict(
            _("The payment provider could not be reached. Try again later.")
        ) from error
    if result.status == "failed":
        raise PaymentConflict(
            _("The payment provider refused the refund: %(message)s") % {"message": result.message}
        )
    try:
        with transaction.atomic():
            if not _transition(
                payment, Status.REFUNDED, sources=[Status.PAID], closed_at=payment.closed_at
            ):
                raise PaymentConflict(_("This fee has been refunded already."))
            refund = Refund.objects.create(
                payment=payment,
                amount_cents=payment.amount_cents,
                currency=payment.currency,
                status=Refund.Status.DONE if result.status == "done" else Refund.Status.OPEN,
                creditor_name=creditor["name"],
                creditor_iban=creditor["iban"],
                remittance=f"Erstattung {case.reference}"[:140],
                provider_reference=result.provider_reference,
                message=(comment or result.message)[:2000],
                requested_by=user,
            )
            PaymentEvent.objects.create(
                payment=payment,
                provider=payment.provider,
                kind="refund",
                message_key=_message_key("refund", payment.pk),
                payload=result.payload,
                outcome=result.status,
            )
            _note(
                case,
                _("The fee of %(amount)s is being refunded.")
                % {"amount": _euros(payment.amount_cents)}
                if result.status == "open"
                else _("The fee of %(amount)s has been refunded.")
                % {"amount": _euros(payment.amount_cents)},
            )
    except IntegrityError as error:
        raise PaymentConflict(_("This fee has been refunded already.")) from error
    return refund


def refunds_export(
    *, municipality: Municipality, refund_ids: list[int] | None = None
) -> bytes | None:
    """The open bank-transfer refunds of a town as one pain.001 file; marks them exported.
    None when there is nothing to export."""
    from payments.sepa import credit_transfer_xml

    with transaction.atomic():
        refunds = (
            Refund.objects.select_for_update()
            .select_related("payment")
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


def payment_expire_stale(*, now: datetime.datetime | None = None) -> int:
    """Expire GiroCheckout attempts nobody finished within PAYMENT_EXPIRY_MINUTES, after
    asking the provider once whether they were paid after all."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.PAYMENT_EXPIRY_MINUTES)
    expired = 0
    stale = Payment.objects.select_related("case", "case__service", "payee_municipality").filter(
        provider="girocheckout", status__in=ACTIVE, created_at__lt=cutoff
    )
    for payment in stale:
        payment_refresh_status(payment=payment)
        if payment.status not in ACTIVE:
            continue
        with transaction.atomic():
            if _transition(payment, Status.EXPIRED, sources=ACTIVE):
                PaymentEvent.objects.create(
                    payment=payment,
                    provider=payment.provider,
                    kind="expired",
                    message_key=_message_key("expired", payment.pk),
                    outcome="expired",
                )
                _note(
                    payment.case,
                    _(
                        "The online payment was not completed in time. "
                        "You can choose again how to pay."
                    ),
                )
                expired += 1
    return expired


def payment_send_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind citizens once of a GiroCode payment still open after GIROCODE_REMINDER_DAYS."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.GIROCODE_REMINDER_DAYS)
    sent = 0
    due = Payment.objects.select_related("case", "case__service", "payee_municipality").filter(
        provider="girocode", status=Status.PENDING, created_at__lt=cutoff, reminded_at__isnull=True
    )
    for payment in due:
        # Claim first: a reminder is sent at most once, even with two beat workers.
        if not Payment.objects.filter(pk=payment.pk, reminded_at__isnull=True).update(
            reminded_at=now
        ):
            continue
        case = payment.case
        context = {
            "case": case,
            "payment": payment,
            "amount": _euros(payment.amount_cents),
            "tracking_url": case.tracking_url,
            "service_name": case.service.display_name,
        }
        with translation.override(case.language or "de"):
            context["service_name"] = case.service.display_name
            subject = render_to_string("payments/emails/reminder_subject.txt", context)
            body = render_to_string("payments/emails/reminder.txt", context)
        EmailMessage(
            subject=" ".join(subject.split()),
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[case.applicant_email],
        ).send(fail_silently=False)
        _note(case, _("Reminder sent: the fee is still open."))
        sent += 1
    return sent
