"""Template context shared by every page."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core.tenancy import scope_for_request


def roles(request: HttpRequest) -> dict:
    """What the header may link to, computed only when a template asks (core/tenancy.py
    decides)."""
    return {
        "can_see_dashboard": SimpleLazyObject(lambda: scope_for_request(request).sees_dashboard),
        # The service designer (district admins) and the offerings list (and town admins).
        "can_design": SimpleLazyObject(
            lambda: (
                scope_for_request(request).superuser or scope_for_request(request).district_admin
            )
        ),
        # Requests of data subjects (district/privacy.py): privacy officers.
        "can_handle_privacy": SimpleLazyObject(
            lambda: (scope := scope_for_request(request)).superuser or bool(scope.privacy_of)
        ),
        "can_price": SimpleLazyObject(
            lambda: (
                (scope := scope_for_request(request)).superuser
                or scope.district_admin
                or bool(scope.admin_of)
            )
        ),
        "can_work_cases": SimpleLazyObject(lambda: scope_for_request(request).works_cases),
    }
