"""Load the demo district (docs/api.md, Demo data). Idempotent: a second run changes
nothing."""

import datetime
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from catalog.services import offerings_default, service_import
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

        district = self._municipality(district_data["district"], parent=None)
        towns = [self._municipality(t, parent=district) for t in district_data["towns"]]
        by_slug = {m.slug: m for m in [district, *towns]}

        created_services = 0
        for spec in services_data:
            definition, created = service_import(spec=spec)
            created_services += created
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
                f"({created_services} new versions), {Delegation.objects.count()} delegations, "
                f"{2 * len(by_slug) + 1} demo users."
            )
        )

    def _municipality(self, data: dict, parent: Municipality | None) -> Municipality:
        municipality, _created = Municipality.objects.update_or_create(
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
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@kreisportal.example"}
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        if (
            role in (Membership.Role.MUNICIPAL_ADMIN, Membership.Role.DISTRICT_ADMIN)
            and not user.is_staff
        ):
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        Membership.objects.get_or_create(user=user, municipality=municipality, role=role)
