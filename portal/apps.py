from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Kreisportal"

    def ready(self) -> None:
        from portal import checks, rls  # noqa: F401  (registers the checks and the RLS hooks)
