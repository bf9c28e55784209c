"""Payment pages: the provider's callbacks, the citizen's choice, the sandbox, the
clerk's desk actions and the treasury page. Thin: a selector or service, then a page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from payments import camt, girocode, sandbox, selectors
from payments.models import Payment
from payments.providers import girocode as girocode_provider
from payments.services import (
    PaymentConflict,
    payment_apply_notification,
    payment_create,
    payment_data,
    payment_mark_paid_at_counter,
    payment_refund,
    refunds_export,
    statement_import,
)
from services.selectors import case_for_token

TOKENS_SESSION_KEY = "payment_case_tokens"  # {case reference: access token} of this browser
SUBMITTED_SESSION_KEY = "submitted_cases"  # written by the citizen pages on submission


def tracking_url(reference: str, token: str) -> str:
    return f"{reverse('track', args=[reference])}?{urlencode({'access_token': token})}#payment"


def _remember(request: HttpRequest, reference: str, token: str) -> None:
    tokens = dict(request.session.get(TOKENS_SESSION_KEY) or {})
    tokens[reference] = token
    request.session[TOKENS_SESSION_KEY] = tokens


def _token_in_session(request: HttpRequest, reference: str) -> str | None:
    for key in (TOKENS_SESSION_KEY, SUBMITTED_SESSION_KEY):
        token = (request.session.get(key) or {}).get(reference)
        if token:
            return token
    return None


# --- the provider's calls -----------------------------------------------------------------


@csrf_exempt
@require_http_methods(["GET", "POST"])
def girocheckout_notify(request: HttpRequest) -> HttpResponse:
    """GiroCheckout's server-to-server call: 200 processed, 400 do not resend."""
    params = {**request.GET.dict(), **request.POST.dict()}
    result = payment_apply_notification(params=params, source="notify")
    if not result.accepted:
        return HttpResponse("refused", status=400, content_type="text/plain")
    return HttpResponse("OK", content_type="text/plain")


@never_cache
def girocheckout_return(request: HttpRequest, merchant_tx_id: str) -> HttpResponse:
    """Where the provider sends the browser back. The outcome shown is the database's; the
    redirect's parameters count only as a notification whose hash verifies (applied once)."""
    payment = selectors.payment_by_merchant_tx_id(merchant_tx_id)
    params = {key: value for key, value in request.GET.items() if key.startswith("gc")}
    if params:
        payment_apply_notification(params=params, source="redirect")
    payment.refresh_from_db()
    token = _token_in_session(request, payment.case.reference)
    if token:
        if payment.status == Payment.Status.PAID:
            messages.success(request, _("Thank you: your payment has been received."))
        elif payment.status == Payment.Status.CANCELLED:
            messages.info(request, _("You cancelled the payment. Choose again how to pay."))
        elif payment.status == Payment.Status.FAILED:
            messages.error(request, _("The payment did not succeed. Choose again how to pay."))
        else:
            messages.info(request, _("We are waiting for the confirmation of your payment."))
        return redirect(tracking_url(payment.case.reference, token))
    return render(request, "payments/return.html", {"payment": payment})


def qr_svg(request: HttpRequest, payment_id: str) -> HttpResponse:
    payment = selectors.payment_for_qr(payment_id)
    payload = girocode_provider.payload_for(payment_data(payment))
    svg = girocode.qr_svg(payload, title=_("GiroCode for the transfer of the fee"))
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the citizen's choice -----------------------------------------------------------------


@require_POST
def citizen_pay(request: HttpRequest, reference: str) -> HttpResponse:
    """A payment choice from the confirmation or tracking page (works without JavaScript)."""
    token = request.POST.get("access_token", "")
    case = case_for_token(reference, token)
    _remember(request, case.reference, token)
    try:
        created = payment_create(
            case=case,
            provider_key=request.POST.get("provider", ""),
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(tracking_url(case.reference, token))
    except PaymentConflict as exc:
        messages.error(request, exc.message)
        return redirect(tracking_url(case.reference, token))
    payment = created.payment
    if payment.provider == "girocheckout" and payment.is_active and payment.redirect_url:
        return redirect(payment.redirect_url)
    if payment.provider == "girocode":
        messages.success(request, _("Please transfer the fee with the details shown below."))
    elif payment.provider == "counter":
        messages.success(request, _("Please pay the fee at the town hall; bring your reference."))
    return redirect(tracking_url(case.reference, token))


# --- the sandbox (the provider's payment page) --------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def sandbox_pay(request: HttpRequest, reference: str) -> HttpResponse:
    if not settings.PAYMENTS_SANDBOX:
        raise Http404("sandbox off")
    tx = sandbox.transaction_for_page(reference)
    if tx is None:
        raise Http404("unknown transaction")
    if request.method == "POST":
        outcome = request.POST.get("outcome", "")
        if outcome not in sandbox.RESULTS:
            return HttpResponse("unknown outcome", status=400, content_type="text/plain")
        return redirect(sandbox.complete(tx, outcome))
    return render(
        request,
        "payments/sandbox.html",
        {"tx": tx, "payee_name": sandbox.payee_name(tx), "done": bool(tx.result)},
    )


# --- the clerk's desk ---------------------------------------------------------------------


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
    case = selectors.case_for_payment_clerk(request.user, reference)
    try:
        payment_mark_paid_at_counter(
            case=case, receipt_number=request.POST.get("receipt_number", ""), user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PaymentConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The fee is recorded as paid at the counter."))
    return _back(request)


@login_required
@require_POST
def refund(request: HttpRequest, reference: str) -> HttpResponse:
    case = selectors.case_for_payment_clerk(request.user, reference)
    if request.POST.get("confirm") != "on":
        messages.error(request, _("Tick the box to confirm the refund."))
        return _back(request)
    try:
        result = payment_refund(
            case=case, user=request.user, comment=request.POST.get("comment", "")
        )
    except PaymentConflict as exc:
        messages.error(request, exc.message)
    else:
        if result.status == result.Status.OPEN:
            messages.success(
                request,
                _("The refund is recorded; the treasury transfers it with the next export."),
            )
        else:
            messages.success(request, _("The fee has been refunded."))
    return _back(request)


# --- the treasury -------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def treasury(request: HttpRequest, slug: str) -> HttpResponse:
    """Municipal admins: import bank statements, see the report, export open refunds."""
    municipality = selectors.municipality_for_treasury(request.user, slug)
    report = None
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors.append(_("Choose a camt.053 or camt.054 file."))
        else:
            try:
                report = statement_import(
                    municipality=municipality,
                    data=upload.read(camt.DEFAULT_MAX_BYTES + 1),
                    filename=upload.name or "",
                    user=request.user,
                ).as_dict()
            except camt.StatementError as exc:
                errors.append(str(exc))
    return render(
        request,
        "payments/treasury.html",
        {
            "municipality": municipality,
            "report": report,
            "errors": errors,
            "imports": selectors.statement_imports_for(municipality),
            "refunds": list(selectors.open_refunds_for(municipality)),
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def treasury_export(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = selectors.municipality_for_treasury(request.user, slug)
    xml = refunds_export(municipality=municipality)
    if xml is None:
        messages.info(request, _("There are no open refunds to export."))
        return redirect("payments:treasury", slug=municipality.slug)
    response = HttpResponse(xml, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="erstattungen-{municipality.slug}.xml"'
    return response
