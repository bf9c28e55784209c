"""Recount the dashboard's tallies from the cases (after a bulk load or a restore)."""

from django.core.management.base import BaseCommand

from district.tally import tally_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the district dashboard's running counts from the case table. Needed only "
        "when cases were written around the portal (bulk import, COPY, partial restore)."
    )

    def handle(self, *args, **options) -> None:
        filed, decided = tally_rebuild()
        self.stdout.write(f"tallies rebuilt: {filed} month rows, {decided} decision rows")
