"""The privacy officer's pages (/district/privacy/): find a person's cases by e-mail address
across the district, download everything stored about them (GDPR Art. 15), see what an
erasure would erase and hold back, and erase (Art. 17). Addresses travel in POST bodies
only, never in URLs (access logs). Anyone else gets 404. The rules: district/privacy.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import Invalid, NotFound
from core.formats import language_of
from core.tenancy import Scope, scope_for_request
from district.privacy import may_handle_requests, privacy_erase, privacy_search
from district.privacy_export import privacy_export


def _officer(request: HttpRequest) -> Scope:
    scope = scope_for_request(request)
    if not may_handle_requests(scope):
        raise NotFound("not a privacy officer")
    return scope


def _form_error(request: HttpRequest, email: str, error: Invalid) -> HttpResponse:
    context = {"email": email, "error": error.errors["email"][0]}
    return render(request, "district/privacy.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def privacy_search_page(request: HttpRequest) -> HttpResponse:
    scope = _officer(request)
    if request.method == "GET":
        return render(request, "district/privacy.html", {"email": ""})
    email = request.POST.get("email", "")
    try:
        found = privacy_search(scope=scope, actor=request.user, email=email)
    except Invalid as error:
        return _form_error(request, email, error)
    return render(
        request,
        "district/privacy.html",
        {"email": email.strip(), "cases": found.cases, "other": found.other, "searched": True},
    )


@login_required
@require_POST
def privacy_export_download(request: HttpRequest) -> HttpResponse:
    scope = _officer(request)
    email = request.POST.get("email", "")
    try:
        content = privacy_export(
            scope=scope, actor=request.user, email=email, language=language_of()
        )
    except Invalid as error:
        return _form_error(request, email, error)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="auskunft-art15.zip"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def privacy_erase_page(request: HttpRequest) -> HttpResponse:
    """Without `confirm`: the dry-run report. With it: the erasure, and what it did."""
    scope = _officer(request)
    email = request.POST.get("email", "")
    confirmed = request.POST.get("confirm") == "erase"
    try:
        plan = privacy_erase(scope=scope, actor=request.user, email=email, dry_run=not confirmed)
    except Invalid as error:
        return _form_error(request, email, error)
    return render(
        request,
        "district/privacy_erase.html",
        {"email": plan.email, "plan": plan, "done": confirmed},
    )
