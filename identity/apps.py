from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    """Who a citizen is, as BundID confirms it (docs/identity.md). Sits beside catalog and
    payments: imports no portal app but `core` and `municipalities`; cases and the citizen's
    pages may ask it (tests/test_architecture.py)."""

    name = "identity"
    verbose_name = _("Citizen identity")
