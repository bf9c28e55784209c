"""Fixtures of the payments app tests: a town with its fee account, a prepaid service,
cases filed the way citizens file them, and people in their roles."""

from pathlib import Path

import pytest

from catalog.models import ServiceOffering
from municipalities.models import Membership
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    ServiceDefinitionFactory,
    UserFactory,
    submit_case,
)

SAMPLES = Path(__file__).parent / "samples"
#: The fee account of the statement samples (Stadt Bergkamen, fictional).
SAMPLE_IBAN = "DE81443500600000100404"


@pytest.fixture
def town(db):
    return MunicipalityFactory(
        slug="bergkamen",
        name="Bergkamen",
        code="BKM",
        payee_name="Stadt Bergkamen",
        iban=SAMPLE_IBAN,
        bic="WELADED1UNN",
        payment_providers=["girocode", "girocheckout", "counter"],
    )


@pytest.fixture
def other_town(db):
    return MunicipalityFactory(
        slug="kamen",
        name="Kamen",
        code="KAM",
        payee_name="Stadt Kamen",
        iban="DE02120300000000202051",
        bic="",
    )


@pytest.fixture
def service(db):
    return ServiceDefinitionFactory(
        key="bescheinigung",
        prepay=True,
        fee={"kind": "fixed", "cents": 3000},
        fee_min_cents=100,
        fee_max_cents=10000,
        process_steps=[],
    )


@pytest.fixture
def make_case(town, service):
    """make_case(fee_cents=3000, municipality=town) → a prepaid case filed the way citizens
    file them (tests/factories.py, submit_case), at the given fee."""

    def _make(*, fee_cents: int = 3000, municipality=None):
        municipality = municipality or town
        ServiceOffering.objects.update_or_create(
            municipality=municipality,
            service_key=service.key,
            defaults={"fee_override_cents": fee_cents},
        )
        return submit_case(
            municipality=municipality,
            service_key=service.key,
            data={"anliegen": "Bescheinigung", "anzahl": 1},
        )

    return _make


@pytest.fixture
def case(make_case):
    return make_case()


@pytest.fixture
def clerk(town):
    return MembershipFactory(municipality=town, role=Membership.Role.CLERK).user


@pytest.fixture
def town_admin(town):
    user = UserFactory(is_staff=True)
    MembershipFactory(user=user, municipality=town, role=Membership.Role.MUNICIPAL_ADMIN)
    return user


@pytest.fixture
def stranger(other_town):
    user = UserFactory()
    MembershipFactory(user=user, municipality=other_town, role=Membership.Role.CLERK)
    MembershipFactory(user=user, municipality=other_town, role=Membership.Role.MUNICIPAL_ADMIN)
    return user


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def start_online(api, case):
    """Start a GiroCheckout payment as the citizen does through the API: (payment, the
    checkout's redirect URL)."""
    from payments.models import Payment

    response = api.post(
        f"/api/v1/cases/{case.reference}/payments/?access_token={case.access_token}",
        {"provider": "girocheckout"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return Payment.objects.get(pk=response.json()["id"]), response.json()["redirect_url"]
