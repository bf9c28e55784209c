"""A person's whole journey through the portal, and a scan of everything the portal stores
for what could identify them: every text and JSON column of every table (PostgreSQL's
catalog names them, so a table added later is scanned too) and every file under
MEDIA_ROOT. Used by the retention purge's and the erasure's tests (tests/district/)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from schwifty import IBAN

from catalog.models import ServiceOffering
from tests.factories import ServiceDefinitionFactory
from tests.files import pdf_bytes
from tests.payments.camt import Credit, camt053

FORM = {
    "steps": [
        {
            "title": {"de": "Antrag", "en": "Application"},
            "fields": [
                {
                    "name": "anliegen",
                    "type": "textarea",
                    "label": {"de": "Anliegen", "en": "Matter"},
                    "required": True,
                },
                {
                    "name": "konto",
                    "type": "iban",
                    "label": {"de": "Konto für Erstattungen", "en": "Account for refunds"},
                },
                {
                    "name": "beleg",
                    "type": "file",
                    "label": {"de": "Nachweis", "en": "Evidence"},
                    "required": True,
                    "accept": ["application/pdf"],
                },
            ],
        }
    ]
}
TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "xml")


@dataclass(frozen=True)
class Person:
    """Everything that identifies one applicant, each carrying `marker` (ASCII, so that it
    survives the SEPA character set)."""

    marker: str

    @property
    def name(self) -> str:
        return f"Łukasz {self.marker} Yılmaz–Şahin"

    @property
    def email(self) -> str:
        return f"{self.marker.lower()}@example.org"

    @property
    def iban(self) -> str:
        digits = "".join(str(ord(c) % 10) for c in self.marker)[:10].ljust(10, "0")
        return str(IBAN.generate("DE", bank_code="37040044", account_code=digits))

    @property
    def needles(self) -> list[str]:
        """What must be found nowhere once the person's data is gone."""
        grouped = " ".join(self.iban[i : i + 4] for i in range(0, len(self.iban), 4))
        return [self.marker, self.iban, grouped]


def prepaid_service(key: str = "bescheinigung", *, retention_days: int = 0, **extra):
    return ServiceDefinitionFactory(
        key=key,
        form=FORM,
        prepay=True,
        fee={"kind": "fixed", "cents": 3000},
        fee_min_cents=100,
        fee_max_cents=10000,
        retention_days=retention_days,
        process_steps=["send_receipt", "notify_authority", "request_payment", "issue_document"],
        **extra,
    )


def offer(town, service) -> None:
    ServiceOffering.objects.update_or_create(municipality=town, service_key=service.key)


def file_case(api, town, service, person: Person) -> dict:
    """File through the API as a citizen does: name, e-mail, free text and file name all
    carry the person's marker. Returns the API's answer (reference, access_token, …)."""
    payload = {
        "service": service.key,
        "applicant": {"name": person.name, "email": person.email},
        "data": {
            "anliegen": f"Bitte um „Bescheinigung“ für {person.marker}, Tel. 0170",
            "konto": person.iban,
        },
    }
    upload = SimpleUploadedFile(
        f"Nachweis-{person.marker}.pdf", pdf_bytes(f"Nachweis {person.marker}"), "application/pdf"
    )
    api.credentials()
    response = api.post(
        f"/api/v1/municipalities/{town.slug}/cases/",
        {"payload": json.dumps(payload), "beleg": upload},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()


def pay_by_girocode(api, client, town, town_admin, filed: dict, person: Person, *, paid: str):
    """The citizen chooses a GiroCode transfer, pays `paid` euros (more than the fee: the
    surplus becomes a refund), and the town's admin imports the camt.053 statement."""
    response = api.post(
        f"/api/v1/cases/{filed['reference']}/payments/?access_token={filed['access_token']}",
        {"provider": "girocode"},
        format="json",
    )
    assert response.status_code == 201, response.content
    statement = camt053(
        [
            Credit(
                paid,
                response.json()["creditor_reference"],
                debtor_name=person.name,
                debtor_iban=person.iban,
                bank_reference=f"REF{filed['reference'].replace('-', '')}",
            )
        ],
        iban="".join(town.iban.split()),
        message_id=f"STMT-{filed['reference']}",
    )
    client.force_login(town_admin)
    page = client.post(
        f"/payments/statements/{town.slug}/",
        {"file": SimpleUploadedFile("auszug.xml", statement, "text/xml")},
    )
    assert page.status_code == 200, page.content.decode()[:2000]


def tables_quoting(needles: list[str]) -> dict[str, int]:
    """Rows per "table.column" in which any needle occurs, over every text and JSON column of
    every table of the database (PostgreSQL)."""
    assert connection.vendor == "postgresql"
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = ANY(%s)",
            [list(TEXT_TYPES)],
        )
        columns = cursor.fetchall()
        for table, column in columns:
            condition = " OR ".join(f'"{column}"::text ILIKE %s' for _ in needles)
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE {condition}',
                [f"%{needle}%" for needle in needles],
            )
            (count,) = cursor.fetchone()
            if count:
                found[f"{table}.{column}"] = count
    return found


def files_quoting(needles: list[str]) -> list[str]:
    """Files under MEDIA_ROOT whose path or bytes contain any needle."""
    root = Path(settings.MEDIA_ROOT)
    hits = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            content = path.read_bytes()
            relative = str(path.relative_to(root))
            if any(n in relative or n.encode() in content for n in needles):
                hits.append(relative)
    return hits


def privacy_officer(username: str = "datenschutz"):
    """A user with the district's membership as data protection officer (needs the demo's
    district, or any municipality of kind district)."""
    from municipalities.models import Membership, Municipality
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username=username, is_staff=True)
    MembershipFactory(
        user=user,
        municipality=Municipality.objects.get(kind=Municipality.Kind.DISTRICT),
        role=Membership.Role.PRIVACY_OFFICER,
    )
    return user
