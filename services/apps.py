from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Services and cases")

    def ready(self) -> None:
        from core import rls

        rls.register_tenant_tables(
            {
                "services_serviceoffering": "municipality_id",
                "services_case": "processing_authority_id",
                "services_caseevent": "via services_case",
                "services_attachment": "via services_case",
                "services_casestep": "via services_case",
                "services_outboundemail": "via services_casestep",
                "services_casetally": "processing_authority_id",
                "services_decisiontally": "processing_authority_id",
            }
        )
