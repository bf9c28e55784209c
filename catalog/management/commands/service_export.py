"""Export one service definition in services.json format."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.models import ServiceDefinition
from catalog.services import service_export


class Command(BaseCommand):
    help = "Print a service definition (newest published version unless --version) as JSON."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        # Our --version is the definition's version; it replaces Django's --version flag.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key", help="the service key, e.g. sperrmuell")
        parser.add_argument("--version", dest="number", type=int, help="version number")
        parser.add_argument("--output", "-o", help="write to this file instead of stdout")

    def handle(self, *args, key: str, number: int | None, output: str | None, **options):
        versions = ServiceDefinition.objects.filter(key=key)
        if number is not None:
            definition = versions.filter(version=number).first()
        else:
            definition = (
                versions.filter(status=ServiceDefinition.Status.PUBLISHED)
                .order_by("-version")
                .first()
            )
        if definition is None:
            raise CommandError(
                f"no service {key!r}" + (f" version {number}" if number is not None else "")
            )
        text = json.dumps(service_export(definition), ensure_ascii=False, indent=2) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
        else:
            self.stdout.write(text, ending="")
