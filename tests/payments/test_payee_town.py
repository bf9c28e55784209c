"""The payee town of a delegated case (issue 12): Bergkamen files a case that Kamen processes,
and the fee is Bergkamen's. Its admin books the transfer from Bergkamen's bank statement,
its clerk takes the fee at the desk, its admin opens the payment in the admin, and nobody
reminds a citizen who has paid. In CI these run as the app's role with row-level security
on (.ci/run), where the policies once hid the case from the payee town."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from municipalities.models import Membership
from payments.models import Payment, StatementImport
from payments.services.periodic import payment_send_reminders
from tests.factories import DelegationFactory, MembershipFactory
from tests.payments.camt import Credit, camt053

pytestmark = pytest.mark.django_db


@pytest.fixture
def delegated(make_case, town, other_town, service):
    """A case filed in Bergkamen (the payee) and processed by Kamen."""
    DelegationFactory(service_key=service.key, from_municipality=town, to_municipality=other_town)
    case = make_case()
    assert case.municipality == town and case.processing_authority == other_town
    return case


def citizen_pays_by_transfer(api, case) -> Payment:
    response = api.post(
        f"/api/v1/cases/{case.reference}/payments/",
        {"provider": "girocode"},
        format="json",
        HTTP_X_ACCESS_TOKEN=case.access_token,
    )
    assert response.status_code == 201, response.content
    return Payment.objects.get(pk=response.json()["id"])


def test_the_payee_towns_admin_books_the_transfer_from_the_statement(
    client, api, delegated, town_admin, settings
):
    payment = citizen_pays_by_transfer(api, delegated)
    assert payment.payee_municipality.slug == "bergkamen"
    statement = camt053([Credit("30.00", payment.creditor_reference)])

    client.force_login(town_admin)
    response = client.post(
        "/payments/statements/bergkamen/", {"file": SimpleUploadedFile("auszug.xml", statement)}
    )

    assert response.status_code in (200, 302), response.content
    line = StatementImport.objects.get().lines.get()
    assert line.outcome == "matched"
    payment.refresh_from_db()
    assert payment.status == "paid"
    # The citizen who paid is not asked to pay again.
    settings.GIROCODE_REMINDER_DAYS = 1
    Payment.objects.filter(pk=payment.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    assert payment_send_reminders() == 0
    assert not [m for m in mail.outbox if "erinner" in m.subject.lower()]


def test_the_payee_towns_clerk_takes_the_fee_at_the_desk(client, delegated, town):
    clerk = MembershipFactory(municipality=town, role=Membership.Role.CLERK).user
    client.force_login(clerk)

    response = client.post(
        f"/payments/cases/{delegated.reference}/counter/",
        {"receipt_number": "K-2026-0815", "next": "/workspace/"},
    )

    assert response.status_code == 302, response.content
    payment = Payment.objects.get(payable=delegated)
    assert payment.status == "paid" and payment.payee_municipality == town


def test_the_payee_towns_admin_opens_the_payment_in_the_admin(
    client, api, delegated, town_admin, stranger
):
    payment = citizen_pays_by_transfer(api, delegated)
    client.force_login(town_admin)
    page = client.get(f"/admin/payments/payment/{payment.pk}/change/")
    assert page.status_code == 200
    assert delegated.reference in page.content.decode()
    # A town that is neither payee nor processing authority does not see it.
    third = MembershipFactory(
        municipality__slug="boenen", role=Membership.Role.MUNICIPAL_ADMIN, user__is_staff=True
    ).user
    client.force_login(third)
    assert client.get(f"/admin/payments/payment/{payment.pk}/change/").status_code in (302, 404)
