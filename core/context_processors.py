"""Template context shared by every page."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core.tenancy import scope_for_request


def roles(request: HttpRequest) -> dict:
    """What the header may link to, computed only when a template asks (core/tenancy.py
    decides)."""
    return {
        "can_see_dashboard": SimpleLazyObject(lambda: scope_for_request(request).sees_dashboard)
    }
