"""Acceptance (issue 13, 1): once the retention purge has run, nothing the portal stores
names the applicant — not the case, its answers, file, timeline or e-mails, not the payment
events, the statement line, the import report, the refunds or the stored pain.001 file, not
the audit trail — in any text or JSON column of any table, nor in any file under
MEDIA_ROOT. What the statistics count stays. On PostgreSQL (the production database), with
on-commit callbacks as in production."""

import pytest
from django.core import mail
from django.db import connection

from cases.models import Case
from district.models import CaseTally, DecisionTally
from district.tasks import purge_expired_cases
from municipalities.models import Membership
from payments.models import Refund, RefundExport
from tests.conftest import require_service
from tests.factories import MembershipFactory, MunicipalityFactory, UserFactory
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
def town():
    return MunicipalityFactory(
        slug="bergkamen",
        name="Bergkamen",
        code="BKM",
        payee_name="Stadt Bergkamen",
        iban="DE81443500600000100404",
        bic="WELADED1UNN",
        payment_providers=["girocode", "counter"],
    )


def test_a_purged_case_leaves_its_applicant_nowhere(api, client, town):
    require_service(
        "PostgreSQL",
        connection.vendor == "postgresql",
        "the scan reads the database's own catalog (DATABASE_URL=postgres://…)",
    )
    service = prepaid_service()
    offer(town, service)
    clerk = MembershipFactory(municipality=town, role=Membership.Role.CLERK).user
    town_admin = UserFactory(is_staff=True)
    MembershipFactory(user=town_admin, municipality=town, role=Membership.Role.MUNICIPAL_ADMIN)
    person = Person("Vorbeck7Qx")

    filed = file_case(api, town, service, person)
    pay_by_girocode(api, client, town, town_admin, filed, person, paid="35.00")
    reference = filed["reference"]
    api.force_authenticate(clerk)
    rejected = api.post(
        f"/api/v1/cases/{reference}/actions/",
        {"action": "reject", "comment": f"Abgelehnt: {person.marker} ist nicht zuständig."},
        format="json",
    )
    assert rejected.status_code == 200, rejected.content
    refund = api.post(f"/api/v1/cases/{reference}/payments/refund/", {}, format="json")
    assert refund.status_code == 200, refund.content
    client.force_login(town_admin)
    assert client.post("/payments/statements/bergkamen/refunds.xml").status_code == 200
    # The journey really stored the person everywhere the purge must reach.
    assert Refund.objects.filter(creditor_iban=person.iban).count() == 2  # fee and surplus
    assert person.marker.encode() in RefundExport.objects.get().xml.encode()
    assert any(person.email in message.to for message in mail.outbox)
    before = tables_quoting(person.needles)
    assert {
        "services_case.applicant_name",
        "services_case.data",
        "services_caseevent.comment",
        "services_attachment.original_name",
        "services_outboundemail.to",
        "payments_paymentevent.payload",
        "payments_statementline.debtor_name",
        "payments_statementline.debtor_iban",
        "payments_statementimport.report",
        "payments_refund.creditor_name",
        "payments_refundexport.xml",
    } <= set(before), before
    assert files_quoting(person.needles)
    tallies = (list(CaseTally.objects.values()), list(DecisionTally.objects.values()))

    purge_expired_cases.delay()  # retention 0 days: due at once; the real task, eagerly

    assert tables_quoting(person.needles) == {}
    assert files_quoting(person.needles) == []
    case = Case.objects.get(reference=reference)
    assert case.purged_at is not None
    assert (case.status, case.fee_cents) == ("rejected", 3000)
    assert (list(CaseTally.objects.values()), list(DecisionTally.objects.values())) == tallies
    assert RefundExport.objects.get().count == 2  # the books keep the export's record
