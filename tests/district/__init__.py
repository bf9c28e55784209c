"""District administration and statistics tests. `known_cases` builds the fixed data set the
dashboard tests (and the dashboard screenshot) compute their expectations from."""

import datetime
import zoneinfo
from dataclasses import dataclass

from cases.models import Case
from catalog.models import ServiceDefinition
from district.tally import tally_rebuild
from municipalities.models import Membership, Municipality
from tests.factories import (
    CaseFactory,
    MembershipFactory,
    MunicipalityFactory,
    ServiceDefinitionFactory,
    UserFactory,
)

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def at(text: str) -> datetime.datetime:
    """A Berlin wall-clock time, e.g. at("2026-01-10 10:00")."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


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
        CaseFactory(
            municipality=town_a,
            service=bulky,
            submitted_at=at("2026-01-10 10:00"),
            closed_at=at("2026-01-12 10:00"),
            due_date=day("2026-01-15"),
            status=S.APPROVED,
        ),
        # 2: ten days, late
        CaseFactory(
            municipality=town_a,
            service=bulky,
            submitted_at=at("2026-01-20 09:00"),
            closed_at=at("2026-01-30 09:00"),
            due_date=day("2026-01-25"),
            status=S.REJECTED,
        ),
        # 3: closed half an hour after local midnight: the local date is past the due date
        # (the UTC date is not)
        CaseFactory(
            municipality=town_a,
            service=bulky,
            submitted_at=at("2026-02-03 12:00"),
            closed_at=at("2026-02-08 00:30"),
            due_date=day("2026-02-07"),
            status=S.APPROVED,
        ),
        # 4: one day, other town, first version of the dog tax
        CaseFactory(
            municipality=town_b,
            service=dogs_v1,
            submitted_at=at("2026-01-05 08:00"),
            closed_at=at("2026-01-06 08:00"),
            due_date=day("2026-01-10"),
            status=S.APPROVED,
        ),
        # 5: open and overdue
        CaseFactory(
            municipality=town_b,
            service=dogs_v2,
            submitted_at=at("2026-02-14 11:00"),
            due_date=day("2026-02-20"),
            status=S.IN_REVIEW,
        ),
        # 6: filed in A, processed by B, open, not yet due
        CaseFactory(
            municipality=town_a,
            service=dogs_v2,
            submitted_at=at("2026-02-15 11:00"),
            due_date=day("2099-01-01"),
            status=S.SUBMITTED,
            processing_authority=town_b,
        ),
        # 7: filed in A, processed by B, withdrawn (not a decision: no processing time)
        CaseFactory(
            municipality=town_a,
            service=dogs_v2,
            submitted_at=at("2026-03-01 11:00"),
            closed_at=at("2026-03-02 11:00"),
            due_date=day("2026-03-10"),
            status=S.WITHDRAWN,
            processing_authority=town_b,
        ),
        # 8: waiting for the applicant, clock paused: open, not overdue
        CaseFactory(
            municipality=town_a,
            service=bulky,
            submitted_at=at("2026-01-25 10:00"),
            due_date=day("2026-01-01"),
            paused_at=day("2025-12-30"),
            status=S.AWAITING_APPLICANT,
        ),
        # 9: half an hour before New Year, local time: belongs to December 2025
        CaseFactory(
            municipality=town_a,
            service=bulky,
            submitted_at=at("2025-12-31 23:30"),
            closed_at=at("2026-01-03 23:30"),
            due_date=day("2026-01-06"),
            status=S.APPROVED,
        ),
        # 10: outside the district: nobody of Kreis Testland sees it
        CaseFactory(
            municipality=elsewhere,
            service=bulky,
            submitted_at=at("2026-01-11 10:00"),
            closed_at=at("2026-01-12 10:00"),
            due_date=day("2026-01-15"),
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
    # does after one (the portal's own path is tested in tests/district/test_tally.py).
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
