"""Template context shared by every page."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from municipalities.models import Membership
from municipalities.selectors import municipality_ids_for


def roles(request: HttpRequest) -> dict:
    """The signed-in user's roles, computed only when a template asks."""
    user = getattr(request, "user", None)

    def roles_of() -> set[str]:
        if user is None or not user.is_authenticated:
            return set()
        return set(Membership.objects.filter(user=user).values_list("role", flat=True))

    lazy = SimpleLazyObject(roles_of)
    return {
        "user_roles": lazy,
        "can_see_dashboard": SimpleLazyObject(
            lambda: (
                bool(
                    municipality_ids_for(
                        user, Membership.Role.DISTRICT_ADMIN, Membership.Role.MUNICIPAL_ADMIN
                    )
                )
                if user is not None
                else False
            )
        ),
    }
