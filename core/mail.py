"""The one way the portal writes an e-mail: a template pair, rendered in the recipient's
language, sent from DEFAULT_FROM_EMAIL.

A template `emails/receipt` is the two files `templates/emails/receipt_subject.txt` (one
line) and `templates/emails/receipt.txt` (the body).

`send_templated` sends at once and raises when the mail server refuses. It does not make a
send durable by itself: a mail that must not be lost is sent by a process step
(cases/steps.py), whose row is retried until the mail server takes the message and whose
`OutboundEmail` record, committed with the step, keeps a retry from sending it twice."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

Attachment = tuple[str, bytes, str]  # file name, content, MIME type


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def render_templated(template: str, context: Mapping[str, Any], *, language: str) -> Rendered:
    """Subject (one line, whitespace folded) and body of `template` in `language`."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", dict(context))
        body = render_to_string(f"{template}.txt", dict(context))
    return Rendered(subject=" ".join(subject.split()), body=body)


def send_rendered(
    rendered: Rendered, *, to: Iterable[str], attachments: Iterable[Attachment] = ()
) -> None:
    """Send an e-mail rendered before (e.g. recorded first, then sent)."""
    message = EmailMessage(
        subject=rendered.subject,
        body=rendered.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
    )
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send(fail_silently=False)


def send_templated(
    *,
    template: str,
    context: Mapping[str, Any],
    to: Iterable[str],
    language: str,
    attachments: Iterable[Attachment] = (),
) -> Rendered:
    """Render `template` in `language` and send it to `to`; returns what was sent."""
    rendered = render_templated(template, context, language=language)
    send_rendered(rendered, to=to, attachments=attachments)
    return rendered
