"""Import a FIM XDatenfelder 2.0 or 3.0.0 Stammdatenschema as a service draft
(docs/fim.md): the report of what was not imported is printed; a file that cannot be read
leaves nothing behind."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.fim import FimImportError, FimReport
from catalog.fim_import import fim_service_import
from core.errors import PortalError


class Command(BaseCommand):
    help = "Import a FIM XDatenfelder schema (2.0 or 3.0.0) as a new draft of a service."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the XDatenfelder Stammdatenschema (XML)")
        parser.add_argument("--key", required=True, help="the service key, e.g. hundesteuer")
        parser.add_argument("--publish", action="store_true", help="publish at once")
        parser.add_argument(
            "--offer", default="", help="offer in these towns: all, or slugs joined by commas"
        )

    def handle(self, *args, file: str, key: str, publish: bool, offer: str, **options) -> None:
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        try:
            definition, report = fim_service_import(
                data=data, key=key, publish=publish, offer=offer, source=f"fim_import {file}"
            )
        except FimImportError as exc:
            raise CommandError(f"{file}: {exc}") from exc
        except PortalError as exc:
            raise CommandError(str(exc)) from exc
        state = "published" if publish else "draft"
        self.stdout.write(f"{definition.key}: {state} version {definition.version}")
        self.stdout.write(report_text(report))


def report_text(report: FimReport) -> str:
    lines = [
        f"XDatenfelder {report.standard}, schema {report.schema_id} "
        f"version {report.schema_version}: {report.schema_name}",
        f"{len(report.fields)} fields imported",
    ]
    for skipped in report.skipped:
        lines.append(f"not imported: field {skipped.fim_id} {skipped.label!r}: {skipped.reason}")
    for codes in report.code_lists_unknown:
        lines.append(f"not imported: code list {codes.urn} {codes.version} (unknown)")
    for rule in report.rules_not_converted:
        lines.append(f"not imported: rule {rule.id} {rule.text!r}: {rule.reason}")
    for note in report.notes:
        lines.append(f"note [{note.code}] {note.element}: {note.message}")
    return "\n".join(lines)
