from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project: settings, URLs, the Celery app, the WSGI entry point and project-wide
    commands (load_demo). No app imports it; its migrations are history (the audit trail
    they made now belongs to `core`)."""

    name = "portal"
    verbose_name = "Kreisportal"
