"""Template tags of the clerk's pages (`{% load workspace %}`)."""

from __future__ import annotations

from typing import Any

from django import template

from cases.models import Case
from cases.payable import PAYABLE_STATUSES
from core.tenancy import scope_for_request
from payments import selectors
from payments.models import Payment

register = template.Library()


@register.inclusion_tag("workspace/_payments.html", takes_context=True)
def workspace_payments(context: template.Context, case: Case) -> dict[str, Any]:
    """The clerk's view of a case's payments, with the desk and refund actions."""
    request = context.get("request")
    payments = list(selectors.payments_for(case))
    settled = next((p for p in payments if p.status in Payment.SETTLED_STATUSES), None)
    clerk_of = scope_for_request(request).clerk_of if request else frozenset()
    may_act = bool(clerk_of & {case.processing_authority_id, case.municipality_id})
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "case": case,
        "payments": payments,
        "can_mark_counter": may_act
        and bool(case.fee_cents)
        and settled is None
        and case.status in PAYABLE_STATUSES,
        "can_refund": may_act
        and case.status == Case.Status.REJECTED
        and any(p.status == Payment.Status.PAID for p in payments),
        "next": request.get_full_path() if request else "",
    }
