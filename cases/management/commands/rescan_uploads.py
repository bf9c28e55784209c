"""Rescan every stored file with the virus check (after a signature update)."""

from django.core.management.base import BaseCommand, CommandError

from cases.quarantine import ScanningOff, attachments_rescan
from core.scanning import ScannerUnavailable


class Command(BaseCommand):
    help = (
        "Send every stored attachment (citizens' uploads, issued documents) that is not yet "
        "quarantined to the virus check again; files a signature now matches are quarantined: "
        "never served again, a warning on the case, an entry in its timeline and the audit "
        "trail. Exits with an error when UPLOAD_SCAN_URL is empty or clamd does not answer."
    )

    def handle(self, *args, **options) -> None:
        try:
            report = attachments_rescan()
        except ScanningOff as exc:
            raise CommandError(
                "UPLOAD_SCAN_URL is empty: there is no scanner to rescan with."
            ) from exc
        except ScannerUnavailable as exc:
            raise CommandError(
                f"The virus check did not answer, nothing more was scanned: {exc}"
            ) from exc
        self.stdout.write(
            f"{report.scanned} file(s) scanned, {len(report.quarantined)} quarantined, "
            f"{report.missing} missing, {report.too_large} too large for the scanner"
        )
        for attachment in report.quarantined:
            self.stdout.write(
                f"quarantined: case {attachment.case.reference}, file {attachment.pk} "
                f"„{attachment.original_name}“: {attachment.quarantine_signature}"
            )
