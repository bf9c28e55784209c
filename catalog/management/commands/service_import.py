"""Import service definitions in services.json format (a list or one object)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.services import service_import
from core.errors import Invalid


class Command(BaseCommand):
    help = (
        "Import service definitions from a services.json-format file (a list or one object). "
        "Changed definitions become new published versions; unchanged ones are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path to the JSON file, or - for standard input")
        parser.add_argument(
            "--draft", action="store_true", help="import new versions as drafts, not published"
        )

    def handle(self, *args, file: str, draft: bool, **options) -> None:
        try:
            text = self.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
            data = json.loads(text)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        specs = data if isinstance(data, list) else [data]
        if not all(isinstance(spec, dict) for spec in specs):
            raise CommandError("the file must hold an object or a list of objects")
        for spec in specs:
            try:
                definition, created = service_import(spec=spec, publish=not draft)
            except Invalid as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            state = "imported as" if created else "unchanged:"
            self.stdout.write(f"{definition.key}: {state} version {definition.version}")
