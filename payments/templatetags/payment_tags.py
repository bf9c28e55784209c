"""Payment panels for pages other apps own: the citizen's confirmation and tracking pages
(`services/_payment_choices.html`) and the clerk's case page (`workspace/_payments.html`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from municipalities.models import Membership
from municipalities.selectors import municipality_ids_for
from payments import providers, selectors
from payments.models import Payment
from payments.providers import girocode as girocode_provider
from payments.services import PAYABLE_CASE_STATUSES, payment_data

register = template.Library()


@register.filter
def group4(value: str) -> str:
    """IBANs and references as people read them aloud: in groups of four."""
    compact = "".join(str(value or "").split())
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _choices(case: Any, exclude: str = "") -> list[dict[str, str]]:
    return [
        {"key": key, "label": str(providers.get(key).label)}
        for key in providers.offered_keys(case.municipality.payment_providers)
        if key != exclude
    ]


@register.inclusion_tag("payments/_choices.html", takes_context=True)
def payment_choices(context: template.Context, case: Any, access_token: str) -> dict[str, Any]:
    """What the citizen sees about the fee: paid, the open attempt, or the ways to pay."""
    settled = selectors.settled_payment_for_case(case) if case.fee_cents else None
    active = None if settled or not case.fee_cents else selectors.active_payment_for_case(case)
    payable = bool(case.fee_cents) and not settled and case.status in PAYABLE_CASE_STATUSES
    girocode_details = None
    if active is not None and active.provider == "girocode":
        girocode_details = {
            "payload": girocode_provider.payload_for(payment_data(active)),
            "qr_url": reverse("payments:qr", args=[active.pk]),
        }
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "case": case,
        "access_token": access_token,
        "settled": settled,
        "active": active,
        "girocode": girocode_details,
        "payable": payable,
        "choices": _choices(case, exclude=active.provider if active else "") if payable else [],
    }


@register.inclusion_tag("payments/_workspace.html", takes_context=True)
def workspace_payments(context: template.Context, case: Any) -> dict[str, Any]:
    """The clerk's view of a case's payments, with the desk and refund actions."""
    request = context.get("request")
    user = getattr(request, "user", None)
    payments = list(selectors.payments_for_case(case))
    settled = next((p for p in payments if p.status in Payment.SETTLED_STATUSES), None)
    clerk_ids = municipality_ids_for(user, Membership.Role.CLERK) if user else set()
    may_act = bool(clerk_ids & {case.processing_authority_id, case.municipality_id})
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "case": case,
        "payments": payments,
        "can_mark_counter": may_act
        and bool(case.fee_cents)
        and settled is None
        and case.status in PAYABLE_CASE_STATUSES,
        "can_refund": may_act
        and case.status == "rejected"
        and any(p.status == Payment.Status.PAID for p in payments),
        "next": request.get_full_path() if request else "",
    }
