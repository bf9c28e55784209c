from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistrictConfig(AppConfig):
    """The district's view: statistics and their running tallies, the dashboard, the
    retention purge, and the admin of tenants (municipalities, memberships, delegations)."""

    name = "district"
    verbose_name = _("District administration")

    def ready(self) -> None:
        import district.tally  # noqa: F401  (counts filings and decisions)
        from core import rls

        rls.register_tenant_tables(
            {
                "services_casetally": "processing_authority_id",
                "services_decisiontally": "processing_authority_id",
            }
        )
