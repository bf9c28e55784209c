"""The retention purge erases the link of a case to a person's BundID pseudonym with the
rest of the personal data (issue 15); "Meine Anträge" no longer finds the case."""

import pytest

from cases.models import Case
from cases.selectors import cases_of_applicant
from district.retention import cases_purge_expired
from tests.district import at, known_cases

pytestmark = pytest.mark.django_db
NOW = at("2026-06-01 03:30")
PSEUDONYM = "n3BWmVJ8m1V3xq8Q1+H2c0mYtq6X1Zqk3Vv4tE8rB0A="


def test_the_purge_erases_the_pseudonym_and_the_time_of_sign_in_and_keeps_the_level():
    data = known_cases()
    data.bulky.retention_days = 90
    data.bulky.save()
    expired = data.cases[0]  # closed 2026-01-12, 90 days retention
    kept = next(c for c in data.cases if c.is_open)
    Case.objects.filter(pk__in=[expired.pk, kept.pk]).update(
        applicant_pseudonym=PSEUDONYM, identity_level="high", identified_at=at("2026-01-10 09:58")
    )
    assert set(cases_of_applicant(PSEUDONYM)) == {expired, kept}

    cases_purge_expired(now=NOW)

    expired.refresh_from_db()
    assert expired.purged_at == NOW
    assert (expired.applicant_pseudonym, expired.identified_at) == ("", None)
    assert expired.identity_level == "high"  # names no one; the statistics may count it
    assert list(cases_of_applicant(PSEUDONYM)) == [kept]
    assert list(cases_of_applicant("")) == []
