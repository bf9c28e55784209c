"""The daily deadline digest: each processing authority's clerks get one e-mail listing
their overdue and due-soon cases; an authority with nothing due gets nothing."""

import datetime
import logging
from itertools import groupby

from django.conf import settings
from django.utils import timezone

from cases.calendar import is_working_day
from cases.selectors import cases_due_for_digest, deadline_flag, due_soon_limit
from core.mail import send_templated
from municipalities.selectors import clerk_emails

logger = logging.getLogger(__name__)


def digest_send(*, today: datetime.date | None = None) -> int:
    """Send today's digests; returns how many e-mails went out. Skips weekends and NRW
    holidays (nobody reads it then; the next working day's digest lists the same cases)."""
    today = today or timezone.localdate()
    if not is_working_day(today):
        return 0
    soon = due_soon_limit(today)
    sent = 0
    cases = cases_due_for_digest(until=soon)
    for _authority_id, group in groupby(cases, key=lambda case: case.processing_authority_id):
        rows = list(group)
        authority = rows[0].processing_authority
        to = _clerk_addresses(authority.pk)
        if not to:
            logger.warning("digest for %s: no clerk with an e-mail address", authority.slug)
            continue
        overdue = [c for c in rows if deadline_flag(c, today=today, soon=soon) == "overdue"]
        due_soon = [c for c in rows if deadline_flag(c, today=today, soon=soon) == "due_soon"]
        context = {
            "authority": authority,
            "today": today,
            "overdue": overdue,
            "due_soon": due_soon,
            "base_url": settings.PORTAL_BASE_URL,
        }
        # Clerks' e-mails are German like the rest of the authority side.
        send_templated(template="workspace/emails/digest", context=context, to=to, language="de")
        sent += 1
    return sent


def _clerk_addresses(authority_id: int) -> list[str]:
    return clerk_emails(authority_id)
