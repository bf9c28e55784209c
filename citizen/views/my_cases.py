"""“Meine Anträge” (/meine-antraege/): a signed-in citizen's requests in every town and at
the district, found by the pseudonym BundID confirmed, with status, what happens next and
the documents; no tracking link needed (docs/identity.md, Meine Anträge)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cases.models import Case
from cases.references import tracking_path
from cases.selectors import cases_of_applicant
from citizen.verified import sign_in_url
from citizen.views.tracking import STATUS_EXPLANATIONS
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
            token = case.access_token
            rows.append(
                {
                    "case": case,
                    "status_label": Case.Status(case.status).label,
                    "next_step": STATUS_EXPLANATIONS.get(case.status, ""),
                    "tracking_url": tracking_path(case.reference, token),
                    "access_token": token,
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
