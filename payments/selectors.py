"""Reads of payments, scoped to who asks (DESIGN.md, Tenancy). A payment someone may
not see answers like a missing one (404)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from municipalities.models import Membership, Municipality
from municipalities.selectors import municipality_ids_for
from payments.models import Payment, Refund, StatementImport

User = AbstractBaseUser | AnonymousUser
Role = Membership.Role


def payment_status_for_case(case: Any) -> str | None:
    """The status of the case's payment that counts: a settled one if any, else the newest;
    None when none was started."""
    payments = list(
        Payment.objects.filter(case=case).order_by("-created_at").values_list("status", flat=True)
    )
    for status in payments:
        if status in Payment.SETTLED_STATUSES:
            return status
    return payments[0] if payments else None


def _base() -> QuerySet[Payment]:
    return Payment.objects.select_related(
        "case", "case__service", "case__processing_authority", "payee_municipality"
    )


def payments_for_case(case: Any) -> QuerySet[Payment]:
    """Every attempt of a case the caller already may see, newest first."""
    return _base().filter(case=case).prefetch_related("refund").order_by("-created_at")


def active_payment_for_case(case: Any) -> Payment | None:
    return _base().filter(case=case, status__in=Payment.ACTIVE_STATUSES).first()


def settled_payment_for_case(case: Any) -> Payment | None:
    return (
        _base().filter(case=case, status__in=Payment.SETTLED_STATUSES).order_by("paid_at").first()
    )


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404("payment not found") from exc


def payment_for_request(user: User, payment_id: str, token: str | None) -> Payment:
    """The payment for an API caller: the case's access token, a clerk of the processing
    authority, or an admin of the payee municipality."""
    payment = _base().filter(pk=_uuid(payment_id)).first()
    if payment is None:
        raise Http404("payment not found")
    if token:
        from services.references import token_matches

        if token_matches(token, payment.case.access_token_hash):
            return payment
        raise Http404("payment not found")
    if payment.case.processing_authority_id in municipality_ids_for(user, Role.CLERK):
        return payment
    if payment.payee_municipality_id in municipality_ids_for(user, Role.MUNICIPAL_ADMIN):
        return payment
    raise Http404("payment not found")


def payment_for_qr(payment_id: str) -> Payment:
    """Whoever holds the unguessable payment id may see its QR code (it names the town's
    account, the fee and the reference, nothing about the citizen)."""
    payment = _base().filter(pk=_uuid(payment_id), provider="girocode").first()
    if payment is None:
        raise Http404("payment not found")
    return payment


def payment_by_merchant_tx_id(merchant_tx_id: str) -> Payment:
    payment = _base().filter(merchant_tx_id=merchant_tx_id, provider="girocheckout").first()
    if payment is None:
        raise Http404("payment not found")
    return payment


def case_for_payment_clerk(user: User, reference: str) -> Any:
    """A case a clerk may take a fee for at the desk or refund: clerks of its processing
    authority (they work it and meet the citizen) and of the payee (filing) town."""
    from services.models import Case

    ids = municipality_ids_for(user, Role.CLERK)
    case = (
        Case.objects.select_related("service", "municipality", "processing_authority")
        .filter(reference=reference)
        .filter(Q(processing_authority_id__in=ids) | Q(municipality_id__in=ids))
        .first()
    )
    if case is None:
        raise Http404("case not found")
    return case


def municipality_for_treasury(user: User, slug: str) -> Municipality:
    """A town whose statements and refunds the user manages: its municipal admins."""
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None or municipality.pk not in municipality_ids_for(
        user, Role.MUNICIPAL_ADMIN
    ):
        raise Http404("municipality not found")
    return municipality


def statement_imports_for(municipality: Municipality, *, limit: int = 20) -> list[StatementImport]:
    return list(
        StatementImport.objects.filter(municipality=municipality)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-id")[:limit]
    )


def open_refunds_for(municipality: Municipality) -> QuerySet[Refund]:
    return (
        Refund.objects.filter(payment__payee_municipality=municipality, status=Refund.Status.OPEN)
        .select_related("payment", "payment__case")
        .order_by("requested_at", "id")
    )
