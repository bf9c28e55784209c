"""“Meine Anträge” (/meine-antraege/): a signed-in citizen's requests in every town and at
the district, found by the pseudonym BundID confirmed, with status, what happens next and
the documents; no tracking link needed (docs/identity.md, Meine Anträge)."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cases.models import Case
from cases.selectors import cases_of_applicant
from citizen.verified import sign_in_url
from citizen.views.tracking import (
    STATUS_EXPLANATIONS,
    document_response,
    tracking_page_for_applicant,
)
from core.errors import NotFound
from identity import levels
from identity.selectors import current_identity


@never_cache
@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    identity = current_identity(request)
    rows, stronger = [], []
    if identity is not None:
        for case in cases_of_applicant(identity.pseudonym):
            # A request filed with the online ID card opens only to a sign-in as strong.
            if not levels.satisfies(identity.level, case.identity_level):
                stronger.append(levels.parse(case.identity_level))
                continue
            rows.append(
                {
                    "case": case,
                    "status_label": Case.Status(case.status).label,
                    "next_step": STATUS_EXPLANATIONS.get(case.status, ""),
                    "documents": [a for a in case.attachments.all() if a.public],
                }
            )
    return render(
        request,
        "citizen/my_cases.html",
        {
            "identity": identity,
            "rows": rows,
            "stronger": len(stronger),
            "sign_in_url": sign_in_url(levels.Level.LOW, request.path),
            "stronger_url": sign_in_url(max(stronger, key=levels.rank), request.path)
            if stronger
            else "",
        },
    )


def _own_case(request: HttpRequest, reference: str) -> Case:
    """A case the signed-in citizen filed, at a sign-in as strong as the one it was filed
    with; 404 for anyone else, like a wrong tracking link."""
    identity = current_identity(request)
    if identity is None:
        raise NotFound("case not found")
    case = cases_of_applicant(identity.pseudonym).filter(reference=reference).first()
    if case is None or not levels.satisfies(identity.level, case.identity_level):
        raise NotFound("case not found")
    return case


@never_cache
@require_GET
def my_case(request: HttpRequest, reference: str) -> HttpResponse:
    """One of the citizen's requests: its tracking page, opened by the sign-in, so that no
    access token appears in a link (docs/identity.md, Meine Anträge)."""
    return tracking_page_for_applicant(_own_case(request, reference))


@never_cache
@require_GET
def my_case_document(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    """A public document of one of the citizen's requests, opened by the sign-in."""
    return document_response(_own_case(request, reference), attachment_id)
