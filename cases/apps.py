from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Cases, the workflow table, process steps, documents, notifications and the clerk
    workspace."""

    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        import cases.purge  # noqa: F401  (registers what the retention purge erases)
        from cases.payable import CasePayable
        from core import rls
        from payments import payables

        payables.register(CasePayable())
        rls.register_tenant_tables(
            {
                "services_case": "processing_authority_id or municipality_id",
                "services_caseevent": "via services_case",
                "services_attachment": "via services_case",
                "services_casestep": "via services_case",
                "services_outboundemail": "via services_casestep",
            }
        )
