"""Writes of the legal information: demo profiles and the accessibility feedback."""

from __future__ import annotations

import datetime
from typing import Any

from core import rls
from core.mail import send_templated
from core.tenancy import ALL
from legal.models import AccessibilityFeedback, LegalProfile
from legal.selectors import feedback_address
from municipalities.models import Municipality

PROFILE_FIELDS = {f.name for f in LegalProfile._meta.get_fields()} - {
    "id",
    "municipality",
    "updated_at",
}


def legal_profile_create_missing(*, municipality: Municipality, data: dict[str, Any]) -> bool:
    """Create a municipality's legal profile from `data` (legal.json's format) unless it has
    one: what its admin wrote stays. Returns whether one was created."""
    unknown = set(data) - PROFILE_FIELDS
    if unknown:
        raise ValueError(f"unknown legal profile fields: {', '.join(sorted(unknown))}")
    values = dict(data)
    if isinstance(values.get("accessibility_assessed_on"), str):
        values["accessibility_assessed_on"] = datetime.date.fromisoformat(
            values["accessibility_assessed_on"]
        )
    profile, created = LegalProfile.objects.get_or_create(
        municipality=municipality, defaults=values
    )
    if created:
        profile.full_clean()
    return created


def accessibility_feedback_submit(
    *,
    municipality: Municipality,
    message: str,
    name: str = "",
    email: str = "",
    page: str = "",
    language: str = "de",
) -> AccessibilityFeedback:
    """Store a message about a barrier and e-mail it to whoever answers for the town's
    accessibility (its feedback address). The row and the mail go together: a mail server
    that refuses raises, and nothing is stored."""
    to = feedback_address(municipality)
    # Anyone may write to any town: a signed-in clerk of another town too, whose database
    # scope would not include this town's rows (core/rls.py).
    with rls.scoped(ALL):
        feedback = AccessibilityFeedback.objects.create(
            municipality=municipality,
            name=name,
            email=email,
            page=page,
            message=message,
            language=language,
            forwarded_to=to,
        )
        if to:
            send_templated(
                template="emails/accessibility_feedback",
                context={"feedback": feedback, "municipality": municipality},
                to=[to],
                language="de",
            )
    return feedback
