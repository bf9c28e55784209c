from django.apps import AppConfig


class ServicesConfig(AppConfig):
    """A retired app: `services` held the catalog, cases, the citizen pages and the district's
    statistics until they were split into `catalog`, `cases`, `citizen` and `district`. It
    keeps only its migrations — the history that created the tables (still named
    `services_*`) — so that fresh databases and databases created before the split both
    migrate. Its last migration hands every model over to the new apps; it has no code."""

    name = "services"
    verbose_name = "services (history only)"
