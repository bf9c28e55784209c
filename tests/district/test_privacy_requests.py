"""Requests of data subjects (issue 13, 2): a person with cases in three towns (one of them
processed by another town under a delegation) is found across the district; the export
holds all three cases and their files; the erasure's dry run lists them; the erasure leaves
the person in no column of any table and no file; every step is in the audit trail, which
itself names no one. On PostgreSQL, through the management commands."""

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection

from core.models import AuditEntry
from district.models import CaseTally, DecisionTally
from municipalities.models import Membership, Municipality
from tests.conftest import require_service
from tests.factories import DelegationFactory, MembershipFactory, MunicipalityFactory, UserFactory
from tests.privacy import (
    Person,
    file_case,
    files_quoting,
    offer,
    pay_by_girocode,
    prepaid_service,
    tables_quoting,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def district():
    unna = MunicipalityFactory(
        slug="kreis-unna", name="Kreis Unna", code="UN", kind=Municipality.Kind.DISTRICT
    )
    towns = {
        slug: MunicipalityFactory(
            slug=slug,
            name=name,
            code=code,
            parent=unna,
            payee_name=f"Stadt {name}",
            iban=iban,
            payment_providers=["girocode", "counter"],
        )
        for slug, name, code, iban in [
            ("bergkamen", "Bergkamen", "BKM", "DE81443500600000100404"),
            ("kamen", "Kamen", "KAM", "DE02120300000000202051"),
            ("boenen", "Bönen", "BOE", "DE89370400440532013000"),
        ]
    }
    return unna, towns


def test_a_person_is_exported_and_erased_across_three_towns(api, client, district, tmp_path):
    require_service(
        "PostgreSQL",
        connection.vendor == "postgresql",
        "the scan reads the database's own catalog (DATABASE_URL=postgres://…)",
    )
    _unna, towns = district
    service = prepaid_service()
    for town in towns.values():
        offer(town, service)
    DelegationFactory(
        service_key=service.key, from_municipality=towns["boenen"], to_municipality=towns["kamen"]
    )
    clerks = {
        slug: MembershipFactory(municipality=towns[slug], role=Membership.Role.CLERK).user
        for slug in ("bergkamen", "kamen")
    }
    admin = UserFactory(is_staff=True)
    MembershipFactory(
        user=admin, municipality=towns["bergkamen"], role=Membership.Role.MUNICIPAL_ADMIN
    )
    person = Person("Kowalczyk9Zt")
    filed = {slug: file_case(api, town, service, person) for slug, town in towns.items()}
    assert filed["boenen"]["processing_authority"] == "kamen"  # delegated
    pay_by_girocode(
        api, client, towns["bergkamen"], admin, filed["bergkamen"], person, paid="30.00"
    )
    for slug, clerk_town, action in [
        ("bergkamen", "bergkamen", "approve"),
        ("kamen", "kamen", "reject"),
        ("boenen", "kamen", "reject"),
    ]:
        api.force_authenticate(clerks[clerk_town])
        response = api.post(
            f"/api/v1/cases/{filed[slug]['reference']}/actions/",
            {"action": action, "comment": f"Entscheidung für {person.marker}"},
            format="json",
        )
        assert response.status_code == 200, response.content
    api.force_authenticate(None)
    references = {filed[slug]["reference"] for slug in towns}
    other = Person("Nebenan4Qp")  # someone else, who must keep their data
    kept = file_case(api, towns["kamen"], service, other)

    out = tmp_path / "auskunft.zip"
    call_command("privacy_export", "--email", person.email.upper(), "--out", str(out))

    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        data = json.loads(archive.read("data.json"))
        assert archive.read("summary.pdf").startswith(b"%PDF")
    assert {case["reference"] for case in data["cases"]} == references
    for case in data["cases"]:
        assert case["applicant"]["email"] == person.email
        assert case["answers"]["konto"] == person.iban
        uploads = [f for f in case["files"] if f["kind"] == "upload"]
        assert [f["name"] for f in uploads] == [f"Nachweis-{person.marker}.pdf"]
        documents = [f for f in case["files"] if f["kind"] == "document"]
        assert documents  # the decision issued for it
        assert all(f["path"] in names for f in case["files"])
        assert any(m["to"] == [person.email] for m in case["emails"])  # receipt, decision
    paid = next(c for c in data["cases"] if c["reference"] == filed["bergkamen"]["reference"])
    assert paid["payments"][0]["transfers"][0]["payer_iban"] == person.iban
    assert kept["reference"] not in json.dumps(data)

    report = io.StringIO()
    call_command("privacy_erase", "--email", person.email, "--dry-run", stdout=report)
    assert all(f"would erase: {reference}" in report.getvalue() for reference in references)
    assert "3 case(s) would erase, 0 held back" in report.getvalue()
    assert tables_quoting(person.needles)  # a dry run erases nothing

    tallies = (list(CaseTally.objects.values()), list(DecisionTally.objects.values()))
    call_command("privacy_erase", "--email", person.email, stdout=io.StringIO())

    assert tables_quoting(person.needles) == {}
    assert files_quoting(person.needles) == []
    assert (list(CaseTally.objects.values()), list(DecisionTally.objects.values())) == tallies
    assert tables_quoting(other.needles)  # the neighbour is untouched
    trail = AuditEntry.objects.filter(object_type="privacy.request").order_by("at", "id")
    assert [(e.action, e.changes.get("dry_run")) for e in trail] == [
        ("export", None),
        ("search", True),
        ("purge", False),
    ]
    assert all(set(e.changes["cases"]) == references for e in trail)
    assert len({e.object_id for e in trail}) == 1  # one request, one pseudonym
