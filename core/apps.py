from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared machinery under the domain apps: errors, the tenancy scope, row-level
    security, audit, throttling, admin scoping, mail. Imports no portal app but
    `municipalities` (tests/test_architecture.py)."""

    name = "core"
    verbose_name = _("Audit and security")

    def ready(self) -> None:
        # Registers the system checks (the database's, the upload scanner's, personal data's)
        # and the RLS hooks.
        from core import checks, purge, rls, scanning  # noqa: F401

        rls.register_tenant_tables({"municipalities_membership": "municipality_id"})
