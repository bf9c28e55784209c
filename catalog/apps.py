from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """Service definitions and versions, offerings, fees and the form engine."""

    name = "catalog"
    verbose_name = _("Services")

    def ready(self) -> None:
        from core import rls

        rls.register_tenant_tables({"services_serviceoffering": "municipality_id"})
