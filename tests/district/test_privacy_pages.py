"""The privacy officer's pages: only the district's privacy officer finds a person across
its towns (everyone else: 404); a bad address is a 400 naming the field; the export is a
ZIP; the erasure report holds back an open request with its reason and erases the rest
only once confirmed; addresses never appear in a URL."""

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile

from cases.models import Actor, Attachment, Case
from cases.services import case_apply_action
from core.models import AuditEntry
from municipalities.models import Membership, Municipality
from tests.factories import MembershipFactory, UserFactory
from tests.privacy import privacy_officer

pytestmark = pytest.mark.django_db
EMAIL = "minh.khai@example.org"


@pytest.fixture
def officer(demo):
    return privacy_officer()


@pytest.fixture
def filed(file_case):
    """Two requests of one person: Bönen's (processed by Kamen) decided, Unna's open."""
    decided = file_case("boenen", name="Nguyễn Thị Minh Khai", email=EMAIL).case
    kamen = Membership.objects.get(municipality__slug="kamen", role="clerk").user
    case_apply_action(
        case=decided, action="reject", actor_kind=Actor.CLERK, actor=kamen, comment="Nein"
    )
    open_case = file_case("unna", name="Nguyễn Thị Minh Khai", email=EMAIL.upper()).case
    return decided, open_case


def test_the_officer_finds_the_person_in_every_town(client, officer, filed):
    client.force_login(officer)
    form = client.get("/district/privacy/")
    assert form.status_code == 200
    assert (
        'href="/district/privacy/">Datenschutzanfragen</a>' in form.content.decode()
    )  # header link

    page = client.post("/district/privacy/", {"email": EMAIL})

    assert page.status_code == 200
    text = page.content.decode()
    assert all(case.reference in text for case in filed)
    assert "2 Anträge gefunden" in text
    entry = AuditEntry.objects.get(object_type="privacy.request")
    assert (entry.action, entry.actor) == ("search", officer)
    assert EMAIL not in json.dumps(entry.changes) and EMAIL not in entry.object_repr


@pytest.mark.parametrize("role", ["district_admin", "clerk", "municipal_admin"])
def test_anyone_else_gets_404(client, demo, filed, role):
    user = UserFactory(is_staff=True)
    where = "kreis-unna" if role == "district_admin" else "kamen"
    MembershipFactory(user=user, municipality=Municipality.objects.get(slug=where), role=role)
    client.force_login(user)

    for url in ("/district/privacy/", "/district/privacy/export/", "/district/privacy/erase/"):
        assert client.post(url, {"email": EMAIL}).status_code == 404
    assert not AuditEntry.objects.filter(object_type="privacy.request").exists()


def test_a_bad_address_is_a_400_naming_the_field(client, officer):
    client.force_login(officer)

    page = client.post("/district/privacy/", {"email": "keine adresse"})

    assert page.status_code == 400
    assert 'aria-invalid="true"' in page.content.decode()
    assert "E-Mail-Adresse" in page.content.decode()


def test_export_erasure_report_and_erasure_through_the_pages(client, officer, filed):
    decided, open_case = filed
    hostile = Attachment(
        case=decided,
        original_name="..\\../../Nachweis „Minh“.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
    )
    hostile.file.save("nachweis.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    hostile.save()
    client.force_login(officer)

    download = client.post("/district/privacy/export/", {"email": EMAIL})

    assert download["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        data = json.loads(archive.read("data.json"))
        names = archive.namelist()
    # Every file inside its case's folder, whatever its name said.
    assert f"files/{decided.reference}/{hostile.pk}-Nachweis „Minh“.pdf" in names
    assert not any(".." in name for name in names)
    assert {c["reference"] for c in data["cases"]} == {decided.reference, open_case.reference}
    assert data["cases"][0]["applicant"]["name"] == "Nguyễn Thị Minh Khai"

    report = client.post("/district/privacy/erase/", {"email": EMAIL})

    text = report.content.decode()
    assert "Erasure report" in text or "Löschbericht" in text
    assert open_case.reference in text and "noch bearbeitet" in text  # held back, with why
    assert Case.objects.get(pk=decided.pk).applicant_email == EMAIL  # nothing erased yet

    done = client.post("/district/privacy/erase/", {"email": EMAIL, "confirm": "erase"})

    assert done.status_code == 200
    decided.refresh_from_db()
    open_case.refresh_from_db()
    assert (decided.applicant_name, decided.applicant_email, decided.data) == ("", "", {})
    assert decided.purged_at is not None
    assert open_case.applicant_email == EMAIL.upper()  # held back
    actions = list(
        AuditEntry.objects.filter(object_type="privacy.request")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["export", "search", "purge"]


@pytest.mark.parametrize(
    ("status", "payment", "refund", "held"),
    [
        ("in_review", None, None, "noch bearbeitet"),
        ("rejected", "pending", None, "Zahlung der Gebühr"),
        ("rejected", "paid", "open", "zu erstatten"),
        ("rejected", "refunded", "exported", ""),  # the treasury holds the transfer file
        ("approved", "paid", None, ""),
    ],
)
def test_what_the_law_holds_back(status, payment, refund, held):
    from django.utils import translation

    from district.privacy import hold_reason
    from payments.models import Refund
    from tests.factories import CaseFactory, PaymentFactory

    case = CaseFactory(status=status)
    if payment:
        paid = PaymentFactory(payable=case, status=payment)
        if refund:
            Refund.objects.create(payment=paid, amount_cents=1500, status=refund)

    with translation.override("de"):
        reason = hold_reason(case)

    assert (held in reason) if held else reason == ""
