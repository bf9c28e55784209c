"""Delegations (IKZ agreements) in the admin: overlaps are refused with a message naming the
conflicting agreement; an agreement that starts tomorrow does not route today's cases."""

import datetime

import pytest
from django.utils import timezone

from catalog.selectors import offer_for
from core.models import AuditEntry
from municipalities.models import Delegation, Membership
from tests.factories import (
    DelegationFactory,
    MembershipFactory,
    MunicipalityFactory,
    ServiceDefinitionFactory,
    ServiceOfferingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
ADD = "/admin/municipalities/delegation/add/"


@pytest.fixture
def setting(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    district = MunicipalityFactory(slug="kreis-d", name="Kreis D", kind="district")
    kamen = MunicipalityFactory(slug="kamen-d", name="Kamen", parent=district)
    boenen = MunicipalityFactory(slug="boenen-d", name="Bönen", parent=district)
    unna = MunicipalityFactory(slug="unna-d", name="Unna", parent=district)
    ServiceDefinitionFactory(key="trade-test")
    ServiceOfferingFactory(municipality=boenen, service_key="trade-test")
    admin = UserFactory(username="kreis-d-admin", is_staff=True)
    MembershipFactory(user=admin, municipality=district, role=Membership.Role.DISTRICT_ADMIN)
    client.force_login(admin)
    return kamen, boenen, unna, admin


def test_overlapping_delegation_is_refused_naming_the_conflicting_agreement(client, setting):
    kamen, boenen, unna, _admin = setting
    DelegationFactory(
        service_key="trade-test",
        from_municipality=boenen,
        to_municipality=kamen,
        valid_from=datetime.date(2024, 1, 1),
        valid_until=datetime.date(2026, 12, 31),
    )

    response = client.post(
        ADD,
        {
            "service_key": "trade-test",
            "from_municipality": boenen.pk,
            "to_municipality": unna.pk,
            "valid_from": "2026-06-01",
            "valid_until": "",
        },
    )

    assert response.status_code == 200
    assert "Overlaps the existing delegation to Kamen valid 2024-01-01–2026-12-31." in (
        response.content.decode()
    )
    assert Delegation.objects.filter(from_municipality=boenen).count() == 1


def test_delegation_after_the_old_one_ends_is_accepted_and_audited(client, setting):
    kamen, boenen, unna, admin = setting
    DelegationFactory(
        service_key="trade-test",
        from_municipality=boenen,
        to_municipality=kamen,
        valid_from=datetime.date(2024, 1, 1),
        valid_until=datetime.date(2026, 12, 31),
    )

    response = client.post(
        ADD,
        {
            "service_key": "trade-test",
            "from_municipality": boenen.pk,
            "to_municipality": unna.pk,
            "valid_from": "2027-01-01",
            "valid_until": "",
        },
    )

    assert response.status_code == 302
    created = Delegation.objects.get(to_municipality=unna)
    assert AuditEntry.objects.filter(
        action="add",
        object_type="municipalities.delegation",
        object_id=str(created.pk),
        actor=admin,
        municipality=boenen,
    ).exists()


def test_delegation_to_itself_is_refused(client, setting):
    _kamen, boenen, _unna, _admin = setting

    response = client.post(
        ADD,
        {
            "service_key": "trade-test",
            "from_municipality": boenen.pk,
            "to_municipality": boenen.pk,
            "valid_from": "2027-01-01",
        },
    )

    assert response.status_code == 200
    assert "cannot delegate to itself" in response.content.decode()


def test_delegation_starting_tomorrow_does_not_route_todays_case(client, setting):
    kamen, boenen, _unna, _admin = setting
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)

    response = client.post(
        ADD,
        {
            "service_key": "trade-test",
            "from_municipality": boenen.pk,
            "to_municipality": kamen.pk,
            "valid_from": tomorrow.isoformat(),
        },
    )

    assert response.status_code == 302
    assert offer_for(boenen, "trade-test").processing_authority == boenen
    assert offer_for(boenen, "trade-test", on=tomorrow).processing_authority == kamen


def test_delegation_list_query_count_is_bounded(client, setting, django_assert_max_num_queries):
    kamen, boenen, unna, _admin = setting
    for year in range(2010, 2020):
        DelegationFactory(
            service_key="trade-test",
            from_municipality=boenen,
            to_municipality=kamen,
            valid_from=datetime.date(year, 1, 1),
            valid_until=datetime.date(year, 12, 31),
        )

    with django_assert_max_num_queries(12):
        response = client.get("/admin/municipalities/delegation/")

    assert response.status_code == 200
    assert response.content.decode().count("/change/") >= 10
