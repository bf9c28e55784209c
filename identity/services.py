"""Writes of the citizen identity: sign in and sign out of this session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from identity.citizen import SESSION_KEY, SESSION_SAML_KEY, Identity


def sign_in(request: HttpRequest, identity: Identity, saml: dict[str, Any]) -> None:
    """Put a verified identity into the session. The session key changes (no fixation);
    whatever else the session held (language, drafts) stays."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = identity.to_session()
    request.session[SESSION_SAML_KEY] = saml


def sign_out(request: HttpRequest) -> dict[str, Any] | None:
    """Remove the identity from the session; returns what single logout needs (or None
    when nobody was signed in)."""
    request.session.pop(SESSION_KEY, None)
    saml = request.session.pop(SESSION_SAML_KEY, None)
    request.session.cycle_key()
    return saml
