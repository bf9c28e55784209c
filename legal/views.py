"""The legal pages: imprint, privacy notice and accessibility statement with its feedback
form, per town at /<slug>/… and the district's at the root (docs/legal.md)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.throttling import throttle
from legal.forms import FeedbackForm
from legal.selectors import feedback_address, legal_pages_for, privacy_services
from legal.services import accessibility_feedback_submit
from municipalities.models import Municipality
from municipalities.selectors import municipality_by_slug


def _municipality(slug: str | None) -> Municipality | None:
    """The town of the URL (404 if none), or the district for the root pages (None when
    the portal has no district yet)."""
    if slug is not None:
        return municipality_by_slug(slug)
    return Municipality.objects.filter(kind=Municipality.Kind.DISTRICT).order_by("pk").first()


def _context(municipality: Municipality | None, page: str, *fields: str) -> dict:
    """The page's municipality, whose text it shows (`pages`) and the texts themselves in
    the active language."""
    pages = legal_pages_for(municipality, page) if municipality is not None else None
    texts = {field: pages.text(field) if pages else "" for field in fields}
    return {"municipality": municipality, "pages": pages, "texts": texts}


def imprint(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    municipality = _municipality(slug)
    return render(request, "legal/imprint.html", _context(municipality, "imprint", "imprint"))


def privacy(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    municipality = _municipality(slug)
    context = _context(municipality, "privacy", "privacy")
    context["services"] = privacy_services(municipality) if municipality is not None else []
    return render(request, "legal/privacy.html", context)


@throttle("feedback", methods=["POST"])
def accessibility(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    municipality = _municipality(slug)
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and municipality is not None and form.is_valid():
        accessibility_feedback_submit(
            municipality=municipality,
            language=(get_language() or "de")[:2],
            **form.cleaned_data,
        )
        messages.success(
            request,
            _("Thank you. Your message has been sent to %(town)s.") % {"town": municipality.name},
        )
        return HttpResponseRedirect(request.path + "#feedback-heading")
    context = _context(
        municipality,
        "accessibility",
        "accessibility_barriers",
        "accessibility_method",
        "enforcement",
    )
    context["form"] = form
    context["feedback_email"] = feedback_address(municipality) if municipality is not None else ""
    context["errors"] = [
        {"href": f"#id_{name}", "label": form.fields[name].label, "message": " ".join(errors)}
        for name, errors in form.errors.items()
        if name in form.fields
    ]
    return render(request, "legal/accessibility.html", context, status=400 if form.errors else 200)
