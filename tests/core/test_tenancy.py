"""One tenancy scope (core/tenancy.py): every role's answer to "which municipalities may this
user see", and the same answer in the admin, the dashboard, the header and row-level
security."""

import pytest
from django.contrib.auth.models import AnonymousUser

from core.tenancy import ALL, scope_for
from municipalities.models import Membership
from tests.factories import MembershipFactory, MunicipalityFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def land():
    """Two districts; Kreis Unna with two towns, Kreis Soest with one."""
    unna = MunicipalityFactory(slug="kreis-unna", kind="district")
    soest = MunicipalityFactory(slug="kreis-soest", kind="district")
    kamen = MunicipalityFactory(slug="kamen", parent=unna)
    boenen = MunicipalityFactory(slug="boenen", parent=unna)
    werl = MunicipalityFactory(slug="werl", parent=soest)
    return unna, soest, kamen, boenen, werl


def member(municipality, role, user=None):
    user = user or UserFactory(is_staff=role != Role.CLERK)
    MembershipFactory(user=user, municipality=municipality, role=role)
    return user


def test_a_clerk_works_the_cases_of_their_towns_and_reads_no_configuration(land):
    _unna, _soest, kamen, boenen, _werl = land
    clerk = member(kamen, Role.CLERK)
    member(boenen, Role.CLERK, clerk)

    scope = scope_for(clerk)

    assert scope.clerk_of == {kamen.pk, boenen.pk}
    assert scope.admin_of == frozenset()
    assert scope.reach == frozenset() and not scope.sees_dashboard
    assert scope.rls_value() == ",".join(str(i) for i in sorted([kamen.pk, boenen.pk]))


def test_a_municipal_admin_reaches_their_own_town_only(land):
    _unna, _soest, kamen, _boenen, _werl = land
    admin = member(kamen, Role.MUNICIPAL_ADMIN)

    scope = scope_for(admin)

    assert scope.municipal_admin and not scope.district_admin
    assert scope.admin_of == scope.reach == {kamen.pk}
    assert scope.sees_dashboard
    assert scope.clerk_of == frozenset()


def test_a_district_admin_reaches_their_district_and_its_towns_everywhere(land):
    unna, soest, kamen, boenen, werl = land
    admin = member(unna, Role.DISTRICT_ADMIN)

    scope = scope_for(admin)

    expected = {unna.pk, kamen.pk, boenen.pk}
    assert scope.district_admin and not scope.municipal_admin
    assert scope.reach == expected  # admin and dashboard
    assert set(map(int, scope.rls_value().split(","))) == expected  # row-level security
    assert soest.pk not in scope.reach and werl.pk not in scope.reach


def test_superusers_see_everything_and_anonymous_callers_nothing_but_a_system_context(land):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    assert scope_for(superuser).reach is None
    assert scope_for(superuser).rls_value() == ALL
    nobody = scope_for(AnonymousUser())
    assert nobody.clerk_of == nobody.admin_of == frozenset()
    assert not nobody.sees_dashboard
    # Citizens reach a case only by its token; their requests run as a system context.
    assert nobody.rls_value() == ALL


def test_a_deactivated_user_has_no_scope(land):
    _unna, _soest, kamen, _boenen, _werl = land
    clerk = member(kamen, Role.CLERK)
    clerk.is_active = False
    clerk.save()
    assert scope_for(clerk).clerk_of == frozenset()


def test_the_header_links_the_dashboard_by_the_same_scope(client, land):
    _unna, _soest, kamen, _boenen, _werl = land
    admin = member(kamen, Role.MUNICIPAL_ADMIN)
    clerk = member(kamen, Role.CLERK)
    client.force_login(admin)
    assert 'href="/district/"' in client.get("/").content.decode()
    client.force_login(clerk)
    assert 'href="/district/"' not in client.get("/").content.decode()
