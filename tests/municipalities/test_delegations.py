import datetime

import pytest
from django.core.exceptions import ValidationError

from municipalities.selectors import active_delegation
from municipalities.services import delegation_create
from tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db
JAN = datetime.date(2026, 1, 1)


def test_overlapping_delegation_is_refused_naming_the_existing_agreement():
    town, kamen, unna = (
        MunicipalityFactory(),
        MunicipalityFactory(name="Kamen"),
        MunicipalityFactory(),
    )
    delegation_create(
        service_key="fundsache", from_municipality=town, to_municipality=kamen, valid_from=JAN
    )
    with pytest.raises(ValidationError) as error:
        delegation_create(
            service_key="fundsache",
            from_municipality=town,
            to_municipality=unna,
            valid_from=datetime.date(2027, 1, 1),
        )
    assert "Kamen" in str(error.value)


def test_consecutive_delegations_do_not_overlap():
    town, a, b = MunicipalityFactory(), MunicipalityFactory(), MunicipalityFactory()
    delegation_create(
        service_key="fundsache",
        from_municipality=town,
        to_municipality=a,
        valid_from=JAN,
        valid_until=datetime.date(2026, 6, 30),
    )
    delegation_create(
        service_key="fundsache",
        from_municipality=town,
        to_municipality=b,
        valid_from=datetime.date(2026, 7, 1),
    )
    assert (
        active_delegation(
            service_key="fundsache", municipality=town, on=datetime.date(2026, 6, 30)
        ).to_municipality
        == a
    )
    assert (
        active_delegation(
            service_key="fundsache", municipality=town, on=datetime.date(2026, 7, 1)
        ).to_municipality
        == b
    )
    assert (
        active_delegation(
            service_key="fundsache", municipality=town, on=datetime.date(2025, 12, 31)
        )
        is None
    )


def test_delegation_to_itself_is_refused():
    town = MunicipalityFactory()
    with pytest.raises(ValidationError):
        delegation_create(
            service_key="fundsache", from_municipality=town, to_municipality=town, valid_from=JAN
        )


def test_invalid_iban_is_refused_on_a_municipality():
    town = MunicipalityFactory.build(iban="DE00443500600000100404")
    with pytest.raises(ValidationError) as error:
        town.full_clean()
    assert "iban" in error.value.message_dict
