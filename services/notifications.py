"""E-mails of the process steps: rendered in the applicant's language, sent at most once
per (step, purpose) — the OutboundEmail row commits together with the step."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from services.models import CaseStep, OutboundEmail


def send_step_email(
    *,
    step: CaseStep,
    purpose: str,
    to: list[str],
    template: str,
    context: dict,
    language: str,
    attachments: list[tuple[str, bytes, str]] = (),
) -> bool:
    """Send one e-mail for `step` unless it was sent already. Returns True when sent."""
    if not to or OutboundEmail.objects.filter(step=step, purpose=purpose).exists():
        return False
    with translation.override(language):
        subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"emails/{template}.txt", context)
    OutboundEmail.objects.create(step=step, purpose=purpose, to=to, subject=subject[:255])
    message = EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send(fail_silently=False)
    return True
