"""The clerk's fee desk on the case page: a fee paid at the town hall counter, and the
refund of a rejected case's fee. Clerks of the processing authority and of the filing town
(the payee) may act (cases/selectors.py, case_for_fee_desk)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.selectors import case_for_fee_desk
from core.errors import PortalError
from payments.models import Refund
from payments.services.desk import payment_mark_paid_at_counter
from payments.services.refunds import payment_refund


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    return redirect(target)


@login_required
@require_POST
def counter_paid(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_for_fee_desk(request.user, reference)
    try:
        payment_mark_paid_at_counter(
            payable=case, receipt_number=request.POST.get("receipt_number", ""), user=request.user
        )
    except PortalError as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [exc.detail])))
    else:
        messages.success(request, _("The fee is recorded as paid at the counter."))
    return _back(request)


@login_required
@require_POST
def refund(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_for_fee_desk(request.user, reference)
    if request.POST.get("confirm") != "on":
        messages.error(request, _("Tick the box to confirm the refund."))
        return _back(request)
    try:
        result = payment_refund(
            payable=case, user=request.user, comment=request.POST.get("comment", "")
        )
    except PortalError as exc:
        messages.error(request, exc.detail)
    else:
        if result.status == Refund.Status.OPEN:
            messages.success(
                request,
                _("The refund is recorded; the treasury transfers it with the next export."),
            )
        else:
            messages.success(request, _("The fee has been refunded."))
    return _back(request)
