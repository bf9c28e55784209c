"""Reads of payments, scoped to who asks (core/tenancy.py). A payment someone may not see
answers like a missing one (404). Payables (cases) read payment state only through here."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.errors import NotFound
from core.tenancy import scope_for
from municipalities.models import Municipality
from payments import payables, providers
from payments.models import Payment, Refund, RefundExport, StatementImport
from payments.payables import Payable

User = AbstractBaseUser | AnonymousUser


def payment_status_for(payable: Payable) -> str | None:
    """The status of the payable's payment that counts: a settled one if any, else the
    newest; None when none was started."""
    statuses = list(
        Payment.objects.filter(payable=payable)
        .order_by("-created_at")
        .values_list("status", flat=True)
    )
    for status in statuses:
        if status in Payment.SETTLED_STATUSES:
            return status
    return statuses[0] if statuses else None


def _base() -> QuerySet[Payment]:
    return Payment.objects.select_related("payee_municipality")


def payments_for(payable: Payable) -> QuerySet[Payment]:
    """Every attempt of a payable the caller already may see, newest first."""
    return _base().filter(payable=payable).prefetch_related("refunds").order_by("-created_at")


def active_payment_for(payable: Payable) -> Payment | None:
    return _base().filter(payable=payable, status__in=Payment.ACTIVE_STATUSES).first()


def settled_payment_for(payable: Payable) -> Payment | None:
    return (
        _base()
        .filter(payable=payable, status__in=Payment.SETTLED_STATUSES)
        .order_by("paid_at")
        .first()
    )


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound("payment not found") from exc


def payment_for_request(user: User, payment_id: str, token: str | None) -> Payment:
    """The payment for an API caller: the payable's access token, someone the payable lets
    see it (a clerk of the case's processing authority), or an admin of the payee town."""
    payment = _base().select_related("payable").filter(pk=_uuid(payment_id)).first()
    if payment is None:
        raise NotFound("payment not found")
    adapter = payables.adapter()
    if token:
        if adapter.token_matches(payment.payable, token):
            return payment
        raise NotFound("payment not found")
    scope = scope_for(user)
    if adapter.visible_to(payment.payable, scope) or payment.payee_municipality_id in (
        scope.admin_of
    ):
        return payment
    raise NotFound("payment not found")


def payment_for_qr(payment_id: str) -> Payment:
    """Whoever holds the unguessable payment id may see its transfer QR code (it names the
    town's account, the fee and the reference, nothing about the payer)."""
    payment = (
        _base()
        .filter(pk=_uuid(payment_id), provider__in=providers.keys_where("settled_by_statement"))
        .first()
    )
    if payment is None:
        raise NotFound("payment not found")
    return payment


def payment_by_merchant_tx_id(provider_key: str, merchant_tx_id: str) -> Payment:
    payment = _base().filter(merchant_tx_id=merchant_tx_id, provider=provider_key).first()
    if payment is None:
        raise NotFound("payment not found")
    return payment


def municipality_for_treasury(user: User, slug: str) -> Municipality:
    """A town whose statements and refunds the user manages: its municipal admins."""
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None or municipality.pk not in scope_for(user).admin_of:
        raise NotFound("municipality not found")
    return municipality


def statement_imports_for(municipality: Municipality, *, limit: int = 20) -> list[StatementImport]:
    return list(
        StatementImport.objects.filter(municipality=municipality)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-id")[:limit]
    )


def refund_exports_for(municipality: Municipality, *, limit: int = 20) -> list[RefundExport]:
    """The town's latest transfer files, newest first."""
    return list(
        RefundExport.objects.filter(municipality=municipality)
        .defer("xml")
        .select_related("municipality")[:limit]
    )


def refund_export_for(municipality: Municipality, export_id: int) -> RefundExport:
    """One of the town's transfer files; another town's answers 404."""
    export = (
        RefundExport.objects.filter(municipality=municipality, pk=export_id)
        .select_related("municipality")
        .first()
    )
    if export is None or export.purged_at is not None:
        raise NotFound("no such export of this town, or its file was erased")
    return export


def open_refunds_for(municipality: Municipality) -> QuerySet[Refund]:
    return (
        Refund.objects.filter(payment__payee_municipality=municipality, status=Refund.Status.OPEN)
        .select_related("payment", "payment__payable")
        .order_by("requested_at", "id")
    )


@dataclass(frozen=True)
class SettledMonth:
    month: datetime.date
    payee_id: int
    provider: str
    payments: int
    amount_cents: int


def settled_per_month(
    *,
    payee_ids: frozenset[int] | None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
) -> list[SettledMonth]:
    """Settled payments (paid, or paid and refunded since) per payee town, provider and month
    of payment (local time), for the district's statistics; `payee_ids` None: every town."""
    payments = Payment.objects.filter(paid_at__isnull=False, status__in=Payment.SETTLED_STATUSES)
    if payee_ids is not None:
        payments = payments.filter(payee_municipality_id__in=payee_ids)
    if start is not None:
        payments = payments.filter(paid_at__gte=start)
    if end is not None:
        payments = payments.filter(paid_at__lt=end)
    rows = (
        payments.annotate(month=TruncMonth("paid_at"))
        .values("month", "payee_municipality_id", "provider")
        .annotate(n=Count("id"), amount=Sum("amount_cents"))
        .order_by()
    )
    return [
        SettledMonth(
            month=_as_date(row["month"]),
            payee_id=row["payee_municipality_id"],
            provider=row["provider"],
            payments=row["n"],
            amount_cents=row["amount"] or 0,
        )
        for row in rows
    ]


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value
