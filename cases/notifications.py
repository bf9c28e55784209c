"""E-mails of the process steps: rendered in the recipient's language (core/mail.py), sent at
most once per (step, purpose) — the OutboundEmail row commits together with the step, and a
mail server that refuses makes the step fail and be retried (cases/steps.py)."""

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
    if not to or OutboundEmail.objects.filter(step=step, purpose=purpose).exists():
        return False
    rendered = render_templated(f"emails/{template}", context, language=language)
    # Recorded first: a concurrent run of the same step fails on the unique row, not after
    # its mail went out.
    OutboundEmail.objects.create(step=step, purpose=purpose, to=to, subject=rendered.subject[:255])
    send_rendered(rendered, to=to, attachments=attachments)
    return True
