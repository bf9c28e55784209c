"""What the purges erase of the legal app (core/purge.py): messages sent through the
accessibility feedback form. They belong to no request, so they have a retention period of
their own (FEEDBACK_RETENTION_DAYS after they arrived; the daily retention purge deletes
them), and a person's access and erasure requests find them by the sender's e-mail
address (district/privacy.py). A message is deleted whole: nothing of it is kept."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.purge import Reach, Unattached, unattached_data
from legal.models import AccessibilityFeedback


def _of(email: str, reach: Reach) -> QuerySet[AccessibilityFeedback]:
    # A privacy officer's connection is narrowed to their towns already (core/rls.py);
    # `reach` says the same for the system (commands) and for SQLite.
    found = AccessibilityFeedback.objects.filter(email__iexact=email)
    if reach is not None:
        found = found.filter(municipality_id__in=list(reach))
    return found.select_related("municipality").order_by("received_at", "pk")


def feedback_expire(now: datetime.datetime) -> int:
    """Delete the messages older than FEEDBACK_RETENTION_DAYS; returns how many."""
    before = now - datetime.timedelta(days=settings.FEEDBACK_RETENTION_DAYS)
    deleted, _by_model = AccessibilityFeedback.objects.filter(received_at__lt=before).delete()
    return deleted


def feedback_find(email: str, reach: Reach) -> list[dict[str, Any]]:
    """The person's messages, as an access request shows them."""
    return [
        {
            "municipality": feedback.municipality.name,
            "received_at": feedback.received_at.isoformat(),
            "name": feedback.name,
            "email": feedback.email,
            "page": feedback.page,
            "message": feedback.message,
            "lines": [
                ": ".join(filter(None, [feedback.municipality.name, feedback.page])),
                feedback.message,
            ],
        }
        for feedback in _of(email, reach)
    ]


def feedback_erase(email: str, reach: Reach) -> int:
    deleted, _by_model = _of(email, reach).delete()
    return deleted


unattached_data(
    "legal.accessibility_feedback",
    erases=[AccessibilityFeedback],
    data=Unattached(
        label=_("Messages sent through the accessibility feedback form"),
        expire=feedback_expire,
        find=feedback_find,
        erase=feedback_erase,
    ),
)
