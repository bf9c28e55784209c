"""Answer an erasure request (GDPR Art. 17) from the shell: erase every case of the person
who filed with an e-mail address that the law lets go now; `--dry-run` only reports
(docs/operations.md)."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import Invalid
from district.privacy import privacy_erase


class Command(BaseCommand):
    help = (
        "Erase (anonymise) the cases of the person who filed with --email, across every town, "
        "except those the law holds back (each with its reason). Statistics stay. "
        "--dry-run lists what would be erased and what is held back, and changes nothing. "
        "Recorded in the audit trail."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True, help="the address the person filed with")
        parser.add_argument("--dry-run", action="store_true", help="report only")

    def handle(self, *args, email: str, dry_run: bool, **options) -> None:
        try:
            plan = privacy_erase(scope=None, actor=None, email=email, dry_run=dry_run)
        except Invalid as exc:
            raise CommandError(f"--email: {exc.errors['email'][0]}") from exc
        verb = "would erase" if dry_run else "erased"
        for case in plan.erase:
            self.stdout.write(f"{verb}: {case.reference} ({case.municipality.name})")
        for held in plan.held:
            self.stdout.write(
                f"held back: {held.case.reference} ({held.case.municipality.name}): {held.reason}"
            )
        for records in plan.other:
            self.stdout.write(f"{verb}: {records.label}: {len(records.records)}")
        self.stdout.write(f"{len(plan.erase)} case(s) {verb}, {len(plan.held)} held back")
