"""District administration and statistics tests. `known_cases` builds the fixed data set the
dashboard tests (and the dashboard screenshot) compute their expectations from."""

import datetime
import itertools
import zoneinfo
from dataclasses import dataclass

from cases.models import Case
from catalog.models import ServiceDefinition
from district.tally import tally_rebuild
from municipalities.models import Membership, Municipality
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    ServiceDefinitionFactory,
    UserFactory,
)

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
_references = itertools.count(1)


def at(text: str) -> datetime.datetime:
    """A Berlin wall-clock time, e.g. at("2026-01-10 10:00")."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def make_case(
    *,
    town: Municipality,
    service: ServiceDefinition,
    submitted: str,
    status: str = Case.Status.IN_REVIEW,
    closed: str | None = None,
    due: str | None = None,
    authority: Municipality | None = None,
    paused: str | None = None,
    name: str = "Erika Mustermann",
    email: str = "erika@example.org",
    data: dict | None = None,
    fee_cents: int = 1500,
) -> Case:
    number = next(_references)
    return Case.objects.create(
        reference=f"{town.code}-2026-T{number:05d}",
        access_token_hash="x" * 64,
        token_salt="salt",
        municipality=town,
        processing_authority=authority or town,
        service=service,
        applicant_name=name,
        applicant_email=email,
        data=data if data is not None else {"anliegen": "Sofa und Schrank", "anzahl": 2},
        status=status,
        fee_cents=fee_cents,
        submitted_at=at(submitted),
        closed_at=at(closed) if closed else None,
        due_date=datetime.date.fromisoformat(due) if due else None,
        paused_at=datetime.date.fromisoformat(paused) if paused else None,
    )


@dataclass
class KnownData:
    district: Municipality
    town_a: Municipality
    town_b: Municipality
    bulky: ServiceDefinition
    dogs_v1: ServiceDefinition
    dogs_v2: ServiceDefinition
    cases: list[Case]
    district_admin: object
    admin_a: object


def known_cases() -> KnownData:
    """Ten cases with fixed dates in two towns of one district (plus one case elsewhere)."""
    district = MunicipalityFactory(slug="kreis-test", name="Kreis Testland", kind="district")
    town_a = MunicipalityFactory(slug="aachtal", name="Aachtal", parent=district)
    town_b = MunicipalityFactory(slug="boehmfeld", name="Böhmfeld", parent=district)
    elsewhere = MunicipalityFactory(slug="anderswo", name="Anderswo")
    bulky = ServiceDefinitionFactory(
        key="bulky-test", name={"de": "Sperrmüll", "en": "Bulky waste"}
    )
    dogs_v1 = ServiceDefinitionFactory(key="dogs-test", name={"de": "Hundesteuer", "en": "Dog tax"})
    dogs_v2 = ServiceDefinitionFactory(
        key="dogs-test", version=2, name={"de": "Hundesteuer", "en": "Dog tax"}
    )
    S = Case.Status
    cases = [
        # 1: two days, within the deadline
        make_case(
            town=town_a,
            service=bulky,
            submitted="2026-01-10 10:00",
            closed="2026-01-12 10:00",
            due="2026-01-15",
            status=S.APPROVED,
        ),
        # 2: ten days, late
        make_case(
            town=town_a,
            service=bulky,
            submitted="2026-01-20 09:00",
            closed="2026-01-30 09:00",
            due="2026-01-25",
            status=S.REJECTED,
        ),
        # 3: closed half an hour after local midnight: the local date is past the due date
        # (the UTC date is not)
        make_case(
            town=town_a,
            service=bulky,
            submitted="2026-02-03 12:00",
            closed="2026-02-08 00:30",
            due="2026-02-07",
            status=S.APPROVED,
        ),
        # 4: one day, other town, first version of the dog tax
        make_case(
            town=town_b,
            service=dogs_v1,
            submitted="2026-01-05 08:00",
            closed="2026-01-06 08:00",
            due="2026-01-10",
            status=S.APPROVED,
        ),
        # 5: open and overdue
        make_case(
            town=town_b,
            service=dogs_v2,
            submitted="2026-02-14 11:00",
            due="2026-02-20",
            status=S.IN_REVIEW,
        ),
        # 6: filed in A, processed by B, open, not yet due
        make_case(
            town=town_a,
            service=dogs_v2,
            submitted="2026-02-15 11:00",
            due="2099-01-01",
            status=S.SUBMITTED,
            authority=town_b,
        ),
        # 7: filed in A, processed by B, withdrawn (not a decision: no processing time)
        make_case(
            town=town_a,
            service=dogs_v2,
            submitted="2026-03-01 11:00",
            closed="2026-03-02 11:00",
            due="2026-03-10",
            status=S.WITHDRAWN,
            authority=town_b,
        ),
        # 8: waiting for the applicant, clock paused: open, not overdue
        make_case(
            town=town_a,
            service=bulky,
            submitted="2026-01-25 10:00",
            due="2026-01-01",
            paused="2025-12-30",
            status=S.AWAITING_APPLICANT,
        ),
        # 9: half an hour before New Year, local time: belongs to December 2025
        make_case(
            town=town_a,
            service=bulky,
            submitted="2025-12-31 23:30",
            closed="2026-01-03 23:30",
            due="2026-01-06",
            status=S.APPROVED,
        ),
        # 10: outside the district: nobody of Kreis Testland sees it
        make_case(
            town=elsewhere,
            service=bulky,
            submitted="2026-01-11 10:00",
            closed="2026-01-12 10:00",
            due="2026-01-15",
            status=S.APPROVED,
        ),
    ]
    district_admin = UserFactory(username="kreis-admin", is_staff=True)
    MembershipFactory(
        user=district_admin, municipality=district, role=Membership.Role.DISTRICT_ADMIN
    )
    admin_a = UserFactory(username="admin-aachtal", is_staff=True)
    MembershipFactory(user=admin_a, municipality=town_a, role=Membership.Role.MUNICIPAL_ADMIN)
    # The cases were written directly, like a bulk import: count them the way an operator
    # does after one (the portal's own path is tested in tests/services/test_tally.py).
    tally_rebuild()
    return KnownData(
        district=district,
        town_a=town_a,
        town_b=town_b,
        bulky=bulky,
        dogs_v1=dogs_v1,
        dogs_v2=dogs_v2,
        cases=cases,
        district_admin=district_admin,
        admin_a=admin_a,
    )


def make_payment(case, *, provider, cents, paid, status="paid", payee=None):
    """A payment of `case`, settled at Berlin time `paid` (None: not paid)."""
    from payments.models import Payment

    number = Payment.objects.count() + 1
    return Payment.objects.create(
        payable=case,
        attempt=case.payments.count() + 1,
        provider=provider,
        status=status,
        amount_cents=cents,
        creditor_reference=f"RF18TEST{number:05d}",
        merchant_tx_id=f"tx-{number}",
        payee_municipality=payee or case.municipality,
        payee_name="Stadtkasse",
        payee_iban="DE89370400440532013000",
        paid_at=at(paid) if paid else None,
    )
