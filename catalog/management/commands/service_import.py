"""Import service definitions in services.json format (a list or one object), all or
nothing, into the audit trail like the admin's import (catalog.services.services_import)."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.services import services_import
from core.errors import Invalid


class Command(BaseCommand):
    help = (
        "Import service definitions from a services.json-format file (a list or one object). "
        "Changed definitions become new published versions; unchanged ones are skipped. "
        "Each new version is recorded in the audit trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path to the JSON file, or - for standard input")
        parser.add_argument(
            "--draft", action="store_true", help="import new versions as drafts, not published"
        )
        parser.add_argument(
            "--user",
            default="",
            help="the portal user the audit trail names (default: the system)",
        )

    def handle(self, *args, file: str, draft: bool, user: str, **options) -> None:
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"there is no user {user!r}")
        try:
            text = self.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
            data = json.loads(text)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        specs = data if isinstance(data, list) else [data]
        if not all(isinstance(spec, dict) for spec in specs):
            raise CommandError("the file must hold an object or a list of objects")
        source = "standard input" if file == "-" else Path(file).name
        try:
            imported = services_import(
                specs=specs, publish=not draft, actor=actor, source=f"service_import {source}"
            )
        except Invalid as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        for definition, created in imported:
            state = "imported as" if created else "unchanged:"
            self.stdout.write(f"{definition.key}: {state} version {definition.version}")
