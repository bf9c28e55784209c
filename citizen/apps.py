from django.apps import AppConfig


class CitizenConfig(AppConfig):
    """The citizen's pages: a town's services, the form with its drafts, the tracking page
    and the choice of how to pay. No models: what a citizen files is a case (cases/)."""

    name = "citizen"

    def ready(self) -> None:
        import citizen.drafts  # noqa: F401  (names the drafts' upload area)
