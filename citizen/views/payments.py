"""The citizen's choice of how to pay, from the confirmation or tracking page (works without
JavaScript). The provider says what happens next: a redirect to its checkout page, or the
transfer details or counter note shown on the tracking page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cases.references import PAYMENT_SESSION_KEY, tracking_path
from cases.selectors import case_for_token
from core.errors import PortalError
from payments import providers
from payments.providers.base import NextStepKind
from payments.services.common import next_step
from payments.services.creation import payment_create


@require_POST
def pay(request: HttpRequest, reference: str) -> HttpResponse:
    token = request.POST.get("access_token", "")
    case = case_for_token(reference, token)
    tokens = dict(request.session.get(PAYMENT_SESSION_KEY) or {})
    tokens[case.reference] = token
    request.session[PAYMENT_SESSION_KEY] = tokens
    back = tracking_path(case.reference, token, anchor="payment")
    try:
        created = payment_create(
            payable=case,
            provider_key=request.POST.get("provider", ""),
            base_url=request.build_absolute_uri("/"),
        )
    except PortalError as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [exc.detail])))
        return redirect(back)
    payment = created.payment
    step = next_step(payment)
    if step.kind == NextStepKind.REDIRECT and step.url:
        return redirect(step.url)
    said = providers.get(payment.provider).chosen_message
    if said:
        messages.success(request, said)
    return redirect(back)
