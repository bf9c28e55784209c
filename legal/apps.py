from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    """What every operator of a public website must publish: imprint, privacy notice and
    accessibility statement per municipality (falling back to the district's), the
    accessibility feedback, and the letterhead and Rechtsbehelfsbelehrung of Bescheide."""

    name = "legal"
    verbose_name = _("Legal information")

    def ready(self) -> None:
        import legal.purge  # noqa: F401  (registers what the purges erase)
        from core import rls

        rls.register_tenant_tables({"legal_accessibilityfeedback": "municipality_id"})
