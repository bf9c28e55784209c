"""Answer an access request (GDPR Art. 15) from the shell: a ZIP of everything the portal
stores about the person who filed with an e-mail address (docs/operations.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import Invalid
from district.privacy_export import privacy_export


class Command(BaseCommand):
    help = (
        "Write a ZIP with everything stored about the person who filed with --email: "
        "data.json, summary.pdf and their files, across every town. Recorded in the audit trail."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True, help="the address the person filed with")
        parser.add_argument("--out", required=True, type=Path, help="the ZIP file to write")
        parser.add_argument("--language", default="de", choices=["de", "en"])

    def handle(self, *args, email: str, out: Path, language: str, **options) -> None:
        try:
            content = privacy_export(scope=None, actor=None, email=email, language=language)
        except Invalid as exc:
            raise CommandError(f"--email: {exc.errors['email'][0]}") from exc
        out.write_bytes(content)
        self.stdout.write(f"written {out} ({len(content)} bytes)")
