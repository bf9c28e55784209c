"""Load the demo district (docs/api.md, Demo data). It creates what is missing and leaves
what exists as it is: `make run` runs it every time, and what admins changed since (a town's
account, a service's new version, a user's password) must survive that. A second run
changes nothing."""

import datetime
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from catalog.selectors import newest_definition
from catalog.services import offerings_default, service_import
from legal.services import legal_profile_create_missing
from municipalities.models import Delegation, Membership, Municipality
from municipalities.services import delegation_create
from payments import providers

DATA = Path(__file__).resolve().parents[2] / "demo_data"
# Demo delegations are in force from this fixed date so repeated runs are identical.
DELEGATIONS_FROM = datetime.date(2024, 1, 1)


class Command(BaseCommand):
    help = "Load Kreis Unna, its towns, the standard services, delegations and demo users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default="demo", help="password of every demo user")

    @transaction.atomic
    def handle(self, *args, password: str, **options) -> None:
        district_data = json.loads((DATA / "kreis-unna.json").read_text(encoding="utf-8"))
        services_data = json.loads((DATA / "services.json").read_text(encoding="utf-8"))
        legal_data = json.loads((DATA / "legal.json").read_text(encoding="utf-8"))

        district = self._municipality(district_data["district"], parent=None)
        towns = [self._municipality(t, parent=district) for t in district_data["towns"]]
        by_slug = {m.slug: m for m in [district, *towns]}

        created_services = 0
        for spec in services_data:
            definition = newest_definition(spec["key"])
            if definition is None:
                # Only a service nobody has yet: a version of the demo's text published over
                # an admin's edited version would replace it for every new case.
                # The privacy notice's facts and the Rechtsbehelfsbelehrung (legal.json).
                spec = {**spec, **legal_data["services"].get(spec["key"], {})}
                definition, _created = service_import(spec=spec)
                created_services += 1
            offerings_default(definition=definition, district=district)

        for item in district_data.get("delegations", []):
            exists = Delegation.objects.filter(
                service_key=item["service"],
                from_municipality=by_slug[item["from"]],
                to_municipality=by_slug[item["to"]],
                valid_from=DELEGATIONS_FROM,
            ).exists()
            if not exists:
                delegation_create(
                    service_key=item["service"],
                    from_municipality=by_slug[item["from"]],
                    to_municipality=by_slug[item["to"]],
                    valid_from=DELEGATIONS_FROM,
                    basis=item.get("basis", ""),
                )

        for slug, profile in legal_data["municipalities"].items():
            legal_profile_create_missing(municipality=by_slug[slug], data=profile)

        for municipality in by_slug.values():
            self._user(f"clerk-{municipality.slug}", password, municipality, Membership.Role.CLERK)
            self._user(
                f"admin-{municipality.slug}",
                password,
                municipality,
                Membership.Role.MUNICIPAL_ADMIN,
            )
        self._user("district-admin", password, district, Membership.Role.DISTRICT_ADMIN)

        self.stdout.write(
            self.style.SUCCESS(
                f"{len(by_slug)} municipalities, {len(services_data)} services "
                f"({created_services} new), {Delegation.objects.count()} delegations, "
                f"{2 * len(by_slug) + 1} demo users."
            )
        )

    def _municipality(self, data: dict, parent: Municipality | None) -> Municipality:
        municipality, _created = Municipality.objects.get_or_create(
            slug=data["slug"],
            defaults={
                "name": data["name"],
                "ags": data["ags"],
                "kind": data["kind"],
                "code": data["code"],
                "population": data.get("population"),
                "parent": parent,
                "payee_name": data["payee"]["name"],
                "iban": data["payee"]["iban"],
                "bic": data["payee"].get("bic", ""),
                "email": f"buergerservice@{data['slug']}.example",
            },
        )
        if not municipality.payment_providers:
            municipality.payment_providers = providers.keys()
            municipality.save(update_fields=["payment_providers"])
        municipality.clean_fields()  # IBAN, BIC, AGS and code formats
        return municipality

    def _user(self, username: str, password: str, municipality: Municipality, role: str) -> None:
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            return  # its password, rights and memberships are the admins' business now
        user = User.objects.create_user(
            username=username,
            email=f"{username}@kreisportal.example",
            password=password,
            is_staff=role in (Membership.Role.MUNICIPAL_ADMIN, Membership.Role.DISTRICT_ADMIN),
        )
        Membership.objects.create(user=user, municipality=municipality, role=role)
