"""E-mails of the process steps: rendered in the recipient's language (core/mail.py), sent at
most once per (step, purpose) — the OutboundEmail row commits together with the step, and a
mail server that refuses makes the step fail and be retried (cases/steps.py)."""

import json

from django.db import connection
from django.utils import timezone

from cases.models import CaseStep, OutboundEmail
from core.mail import Attachment, render_templated, send_rendered


def send_step_email(
    *,
    step: CaseStep,
    purpose: str,
    to: list[str],
    template: str,
    context: dict,
    language: str,
    attachments: list[Attachment] = (),
) -> bool:
    """Send `templates/emails/<template>` for `step` unless it was sent already. Returns True
    when sent."""
    if not to:
        return False
    rendered = render_templated(f"emails/{template}", context, language=language)
    # Recorded first, and only if not recorded yet, in one statement: a concurrent run of the
    # same step waits on the unique row and then sends nothing.
    if not _record_once(step=step, purpose=purpose, to=to, subject=rendered.subject[:255]):
        return False
    send_rendered(rendered, to=to, attachments=attachments)
    return True


def _record_once(*, step: CaseStep, purpose: str, to: list[str], subject: str) -> bool:
    """Insert the OutboundEmail row unless (step, purpose) has one; True when inserted.
    One round trip instead of a check and an insert (docs/performance.md)."""
    table = connection.ops.quote_name(OutboundEmail._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} (step_id, purpose, "to", subject, sent_at) '
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (step_id, purpose) DO NOTHING RETURNING id",
            [
                step.pk,
                purpose,
                json.dumps(to),
                subject,
                connection.ops.adapt_datetimefield_value(timezone.now()),
            ],
        )
        return cursor.fetchone() is not None
