"""Template tags of the citizen's pages (`{% load citizen %}`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from cases.models import Case
from cases.payable import PAYABLE_STATUSES
from identity import levels
from payments import providers, selectors
from payments.services.common import next_step

register = template.Library()


@register.inclusion_tag("citizen/_payment.html", takes_context=True)
def payment_choices(context: template.Context, case: Case, access_token: str) -> dict[str, Any]:
    """What the citizen sees about the fee: paid, the open attempt and what to do next, or
    the ways to pay. The provider says what happens next; the page knows no provider."""
    settled = selectors.settled_payment_for(case) if case.fee_cents else None
    active = None if settled or not case.fee_cents else selectors.active_payment_for(case)
    payable = bool(case.fee_cents) and not settled and case.status in PAYABLE_STATUSES
    step = next_step(active) if active is not None else None
    choices = []
    if payable:
        choices = [
            {"key": key, "label": str(providers.get(key).label)}
            for key in providers.offered_keys(case.municipality.payment_providers)
            if active is None or key != active.provider
        ]
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "case": case,
        "access_token": access_token,
        "settled": settled,
        "active": active,
        "next_step": step,
        "qr_url": reverse("payments:qr", args=[active.pk]) if active is not None else "",
        "payable": payable,
        "choices": choices,
    }


@register.filter
def sign_in_prompt(level: str) -> str:
    """How a service's trust level reads before signing in: "Sie melden sich mit dem
    Online-Ausweis an" (identity.levels)."""
    return str(levels.sign_in_prompt(level))


@register.filter
def verified_by(level: str) -> str:
    """How a reached level reads: "identifiziert mit Online-Ausweis"."""
    return str(levels.verified_by(level))
