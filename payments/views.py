"""Payment pages that need no payable to find: the providers' callbacks, the transfer's QR
code, the sandbox's payment page and the treasury. The pages that start from a case (the
citizen's choice, the clerk's desk) live with the case pages (citizen/, cases/workspace/).
Thin: a selector or service, then a page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import Invalid, NotFound
from payments import camt, girocode, payables, providers, sandbox, selectors
from payments.models import Payment, PaymentEvent, RefundExport
from payments.services.common import next_step
from payments.services.notifications import payment_apply_notification
from payments.services.refunds import refunds_export
from payments.services.statements import statements_upload

RETURN_MESSAGES = {
    Payment.Status.PAID: (
        messages.SUCCESS,
        gettext_lazy("Thank you: your payment has been received."),
    ),
    Payment.Status.CANCELLED: (
        messages.INFO,
        gettext_lazy("You cancelled the payment. Choose again how to pay."),
    ),
    Payment.Status.FAILED: (
        messages.ERROR,
        gettext_lazy("The payment did not succeed. Choose again how to pay."),
    ),
}


def _notifying_provider(provider_key: str) -> str:
    if provider_key not in providers.keys_where("notifies"):
        raise NotFound("no such provider")
    return provider_key


# --- the provider's calls -----------------------------------------------------------------


@csrf_exempt
@require_http_methods(["GET", "POST"])
def provider_notify(request: HttpRequest, provider_key: str) -> HttpResponse:
    """A provider's server-to-server call (GiroCheckout: 200 processed, 400 do not resend)."""
    params = {**request.GET.dict(), **request.POST.dict()}
    result = payment_apply_notification(
        provider_key=_notifying_provider(provider_key),
        params=params,
        source=PaymentEvent.Kind.NOTIFY,
    )
    if not result.accepted:
        return HttpResponse("refused", status=400, content_type="text/plain")
    return HttpResponse("OK", content_type="text/plain")


provider_notify.plain_text_errors = True  # type: ignore[attr-defined]  (core/middleware.py)


@never_cache
def provider_return(request: HttpRequest, provider_key: str, merchant_tx_id: str) -> HttpResponse:
    """Where the provider sends the browser back. The outcome shown is the database's; the
    redirect's parameters count only as a notification whose signature verifies (applied
    once)."""
    payment = selectors.payment_by_merchant_tx_id(_notifying_provider(provider_key), merchant_tx_id)
    params = request.GET.dict()
    if params:
        payment_apply_notification(
            provider_key=provider_key, params=params, source=PaymentEvent.Kind.REDIRECT
        )
    payment.refresh_from_db()
    page = payables.adapter().page_url(payment.payable, request)
    if page:
        level, text = RETURN_MESSAGES.get(
            payment.status,
            (messages.INFO, _("We are waiting for the confirmation of your payment.")),
        )
        messages.add_message(request, level, text)
        return redirect(page)
    return render(request, "payments/return.html", {"payment": payment})


def qr_svg(request: HttpRequest, payment_id: str) -> HttpResponse:
    payment = selectors.payment_for_qr(payment_id)
    svg = girocode.qr_svg(
        next_step(payment).payload, title=_("GiroCode for the transfer of the fee")
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
        code = sandbox.result_code(
            outcome=request.POST.get("outcome", ""), result=request.POST.get("result", "")
        )
        if code is None:
            return HttpResponse("unknown outcome", status=400, content_type="text/plain")
        return redirect(sandbox.complete(tx, code))
    return render(
        request,
        "payments/sandbox.html",
        {
            "tx": tx,
            "payee_name": sandbox.payee_name(tx),
            "done": bool(tx.result),
            "results": sandbox.result_choices(),
        },
    )


@csrf_exempt
@require_POST
def sandbox_api(request: HttpRequest, endpoint: str) -> HttpResponse:
    """The sandbox's API over HTTP, as GiroCheckout answers it: form fields in, JSON out,
    the reply's HMAC in the `hash` header."""
    if not settings.PAYMENTS_SANDBOX:
        raise Http404("sandbox off")
    body, signature = sandbox.api(endpoint, request.POST.dict())
    response = HttpResponse(body, content_type="application/json")
    if signature:
        response["hash"] = signature
    return response


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
            errors.append(_("Choose a camt.053 or camt.054 file, or a ZIP of them."))
        else:
            try:
                report = statements_upload(
                    municipality=municipality,
                    data=upload.read(camt.DEFAULT_MAX_BYTES + 1),
                    filename=upload.name or "",
                    user=request.user,
                ).as_dict()
            except Invalid as exc:
                errors.extend(exc.messages)
    return render(
        request,
        "payments/treasury.html",
        {
            "municipality": municipality,
            "report": report,
            "reports": (report.get("files") or [report]) if report else [],
            "errors": errors,
            "imports": selectors.statement_imports_for(municipality),
            "refunds": list(selectors.open_refunds_for(municipality)),
            "exports": selectors.refund_exports_for(municipality),
        },
        status=400 if errors else 200,
    )


def export_download(export: RefundExport) -> HttpResponse:
    """A stored pain.001 file, byte for byte as it was made."""
    response = HttpResponse(export.xml.encode("utf-8"), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@login_required
@require_POST
def treasury_export(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = selectors.municipality_for_treasury(request.user, slug)
    export = refunds_export(municipality=municipality, user=request.user)
    if export is None:
        messages.info(request, _("There are no open refunds to export."))
        return redirect("payments:treasury", slug=municipality.slug)
    return export_download(export)


@login_required
@never_cache
def treasury_export_again(request: HttpRequest, slug: str, export_id: int) -> HttpResponse:
    """Download a transfer file made before (the bank refuses it if it was uploaded)."""
    municipality = selectors.municipality_for_treasury(request.user, slug)
    return export_download(selectors.refund_export_for(municipality, export_id))
