"""The signed-in citizen on the form pages: the sign-in a service's trust level asks for
before the first step, and the answers the identity provider confirmed (shown locked, never
taken from the browser). docs/identity.md, Verified data."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from catalog.forms.fields import Field
from citizen.flow import Flow
from identity import levels
from identity.citizen import Identity
from identity.selectors import current_identity


def sign_in_url(level: str, next_url: str) -> str:
    return f"{reverse('identity:login')}?{urlencode({'level': level, 'next': next_url})}"


def sign_in_first(request: HttpRequest, flow: Flow) -> HttpResponseRedirect | None:
    """A redirect to BundID when the service needs more than this session's identity, else
    None. The citizen comes back to the page they asked for."""
    required = flow.offer.service.trust_level
    identity = current_identity(request)
    if levels.satisfies(identity.level if identity else None, required):
        return None
    return HttpResponseRedirect(sign_in_url(required, request.get_full_path()))


def verified_answers(identity: Identity | None, fields: list[Field]) -> dict[str, Any]:
    """Field name → the verified value, for the fields that take one and have it."""
    if identity is None:
        return {}
    values = identity.verified_values()
    return {f.name: values[f.verified] for f in fields if f.verified in values}


def verified_contact(identity: Identity | None) -> dict[str, str]:
    """The contact step's fields the identity fills: the name, and the e-mail when given."""
    if identity is None:
        return {}
    answers = {"applicant_name": identity.full_name, "applicant_email": identity.email}
    return {name: value for name, value in answers.items() if value}
