"""Reads of the citizen identity: the one function other apps call."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from identity.citizen import SESSION_KEY, Identity
from identity.levels import Level, satisfies


def current_identity(request: HttpRequest) -> Identity | None:
    """The citizen's verified identity in this session, or None.

    None also when the sign-in is older than ``IDENTITY_MAX_AGE_MINUTES``: verified data
    must not outlive the visit it was confirmed for."""
    data = request.session.get(SESSION_KEY)
    if not data:
        return None
    try:
        identity = Identity.from_session(data)
    except (KeyError, TypeError, ValueError):
        return None
    max_age = datetime.timedelta(minutes=settings.IDENTITY_MAX_AGE_MINUTES)
    if timezone.now() - identity.authenticated_at > max_age:
        return None
    return identity


def has_level(request: HttpRequest, required: str | Level) -> bool:
    """True when the session's identity is enough for ``required`` (``none`` always is)."""
    if satisfies(Level.NONE, required):
        return True
    identity = current_identity(request)
    return identity is not None and satisfies(identity.level, required)
