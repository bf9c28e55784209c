from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Kreisportal"

    def ready(self) -> None:
        # Registers the checks and the RLS hooks; `core` is no app yet (issue 11 makes it
        # one), so the upload scanner's checks register here too.
        import core.scanning  # noqa: F401
        from portal import checks, rls  # noqa: F401
