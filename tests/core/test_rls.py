"""Row-level security on PostgreSQL (core/rls.py): as the app's role, a query with no
municipality set sees no tenant rows, and with one set only that municipality's rows —
whatever the ORM forgets to filter. The system check fails when a policy is missing."""

import os

import pytest
from django.db import connection
from django.test import RequestFactory

from cases.models import Actor, Case, CaseEvent, CaseStep
from cases.services import case_apply_action, case_submit
from catalog.models import ServiceOffering
from core import rls
from core.checks import check_row_level_security, tables_without_forced_policy
from district.models import CaseTally, DecisionTally
from municipalities.models import Membership
from tests.conftest import require_service
from tests.factories import (
    DelegationFactory,
    MembershipFactory,
    MunicipalityFactory,
    ServiceDefinitionFactory,
    ServiceOfferingFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    # Skips on a developer's SQLite; in CI (PostgreSQL) a missing database fails instead.
    require_service(
        "PostgreSQL", connection.vendor == "postgresql", "row-level security is PostgreSQL's"
    )


@pytest.fixture
def two_towns():
    """Two towns with one case each, plus one case Ahlen files that Beckum processes."""
    ahlen, beckum = MunicipalityFactory(slug="ahlen"), MunicipalityFactory(slug="beckum")
    service = ServiceDefinitionFactory(key="hund")
    delegated = ServiceDefinitionFactory(key="gewerbe")
    for town in (ahlen, beckum):
        ServiceOfferingFactory(municipality=town, service_key=service.key)
    ServiceOfferingFactory(municipality=ahlen, service_key=delegated.key)
    DelegationFactory(service_key=delegated.key, from_municipality=ahlen, to_municipality=beckum)
    applicant = {"name": "Erika Muster", "email": "erika@example.org"}
    data = {"anliegen": "Hund", "anzahl": 1}
    for town, key in ((ahlen, service.key), (beckum, service.key), (ahlen, delegated.key)):
        case_submit(municipality=town, service_key=key, applicant=applicant, data=data, files={})
    MembershipFactory(municipality=ahlen)
    MembershipFactory(municipality=beckum)
    return ahlen, beckum


@pytest.fixture
def as_app_role(db):
    """Switch this test's transaction to the role production connects as."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [rls.APP_ROLE])
        assert cursor.fetchone(), "the migration creates the role kreisportal_app"
        cursor.execute(f"SET LOCAL ROLE {rls.APP_ROLE}")
        cursor.execute("SELECT set_config('app.municipalities', '', true)")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def test_the_app_role_owns_no_tenant_table():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE tableowner = %s", [rls.APP_ROLE])
        assert cursor.fetchall() == []


def test_without_a_municipality_set_the_app_role_sees_no_tenant_rows(two_towns, as_app_role):
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0
    assert CaseStep.objects.count() == 0
    assert ServiceOffering.objects.count() == 0
    assert Membership.objects.count() == 0


def test_with_a_municipality_set_only_its_rows_are_visible(two_towns, as_app_role):
    ahlen, beckum = two_towns
    rls.set_scope([ahlen.pk], local=True)
    # Ahlen sees its own case and the one it filed for Beckum to process (it is that fee's
    # payee); which of them its clerks work is the selectors' rule (purpose limitation).
    assert sorted(Case.objects.values_list("processing_authority_id", flat=True)) == sorted(
        [ahlen.pk, beckum.pk]
    )
    assert set(Case.objects.values_list("municipality_id", flat=True)) == {ahlen.pk}
    assert {e.case.municipality_id for e in CaseEvent.objects.select_related("case")} == {ahlen.pk}
    assert set(ServiceOffering.objects.values_list("municipality_id", flat=True)) == {ahlen.pk}
    # The dashboard's counts follow the cases.
    assert list(CaseTally.objects.values_list("processing_authority_id", "cases")) == [
        (ahlen.pk, 1)
    ]
    rls.set_scope([beckum.pk], local=True)
    assert Case.objects.count() == 2
    assert sum(CaseTally.objects.values_list("cases", flat=True)) == 2
    rls.set_scope(rls.ALL, local=True)
    assert Case.objects.count() == 3


def test_a_clerk_deciding_under_the_policy_is_counted(two_towns, as_app_role):
    ahlen, _beckum = two_towns
    rls.set_scope([ahlen.pk], local=True)
    case = Case.objects.select_related("service").get(processing_authority=ahlen)
    clerk = Membership.objects.get(municipality=ahlen).user

    case_apply_action(case=case, action="approve", actor_kind=Actor.CLERK, actor=clerk)

    assert list(DecisionTally.objects.values_list("processing_authority_id", "decided")) == [
        (ahlen.pk, 1)
    ]


def test_the_app_role_cannot_write_into_another_municipality(two_towns, as_app_role):
    from django.db import DatabaseError, transaction

    ahlen, beckum = two_towns
    rls.set_scope([ahlen.pk], local=True)
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        ServiceOffering.objects.create(municipality=beckum, service_key="fremd")
    # An update of a row the role cannot see changes nothing.
    assert Case.objects.filter(municipality=beckum).update(applicant_name="x") == 0


def test_a_signed_in_clerk_request_is_narrowed_to_the_clerks_town(two_towns, as_app_role, settings):
    settings.DATABASE_RLS = True
    ahlen, _ = two_towns
    rls.set_scope(rls.ALL, local=True)
    clerk = Membership.objects.filter(municipality=ahlen).get().user
    seen = {}

    def view(request):
        seen["cases"] = Case.objects.count()
        from django.http import HttpResponse

        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = clerk
    rls.RowLevelSecurityMiddleware(view)(request)
    assert seen["cases"] == 2  # Ahlen's own and the one it filed for Beckum, not Beckum's
    # Afterwards the connection is a system context again.
    assert Case.objects.count() == 3


def test_a_token_api_caller_is_narrowed_too(two_towns, as_app_role, settings, api):
    from rest_framework.authtoken.models import Token

    settings.DATABASE_RLS = True
    ahlen, _ = two_towns
    rls.set_scope(rls.ALL, local=True)
    clerk = Membership.objects.filter(municipality=ahlen).get().user
    token = Token.objects.create(user=clerk)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/v1/queue/")
    assert response.status_code == 200
    assert {row["processing_authority"] for row in response.json()["results"]} == {"ahlen"}


def test_every_tenant_table_has_a_forced_policy():
    assert tables_without_forced_policy() == []
    assert check_row_level_security(databases=["default"]) == []


@pytest.mark.django_db(transaction=True)
def test_system_check_fails_when_a_tenant_table_loses_its_policy(schema_owner):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_expr(polqual, polrelid) FROM pg_policy "
            "WHERE polrelid = 'services_case'::regclass AND polname = 'tenant_isolation'"
        )
        (condition,) = cursor.fetchone()
        cursor.execute("DROP POLICY tenant_isolation ON services_case")
    try:
        errors = check_row_level_security(databases=["default"])
        assert [e.id for e in errors] == ["core.E001"]
        assert "services_case" in errors[0].msg
    finally:  # committed: put it back for the tests after this one
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE POLICY tenant_isolation ON services_case "
                f"USING ({condition}) WITH CHECK ({condition})"
            )
    assert check_row_level_security(databases=["default"]) == []


@pytest.mark.django_db(transaction=True)
def test_system_check_fails_when_row_level_security_is_not_forced(schema_owner):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE services_casestep NO FORCE ROW LEVEL SECURITY")
    try:
        assert tables_without_forced_policy() == ["services_casestep"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE services_casestep FORCE ROW LEVEL SECURITY")
    assert tables_without_forced_policy() == []


def test_ci_runs_the_suite_as_the_app_role_with_row_level_security(settings):
    """CI (.ci/run) connects as a login role that is a member of kreisportal_app, owns no
    table and bypasses nothing, with DATABASE_RLS=1: every test also tests the policies."""
    if not os.environ.get("DATABASE_OWNER_URL"):
        pytest.skip("a developer's run as the owner (set DATABASE_OWNER_URL, as .ci/run does)")
    assert settings.DATABASE_RLS
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, pg_has_role(current_user, %s, 'USAGE') "
            "FROM pg_roles WHERE rolname = current_user",
            [rls.APP_ROLE],
        )
        assert cursor.fetchone() == (False, False, True)
        cursor.execute("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")
        assert cursor.fetchone() == (0,)


def test_a_district_admins_request_sees_their_district_only(two_towns, as_app_role, settings):
    settings.DATABASE_RLS = True
    ahlen, beckum = two_towns
    rls.set_scope(rls.ALL, local=True)
    district = MunicipalityFactory(slug="kreis-warendorf", kind="district")
    ahlen.parent = district
    ahlen.save()  # Beckum stays outside this district
    admin = MembershipFactory(municipality=district, role=Membership.Role.DISTRICT_ADMIN).user
    seen = {}

    def view(request):
        from django.http import HttpResponse

        seen["offerings"] = set(ServiceOffering.objects.values_list("municipality_id", flat=True))
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = admin
    rls.RowLevelSecurityMiddleware(view)(request)
    # The same reach as in the admin and on the dashboard (core/tenancy.py), not every row.
    assert seen["offerings"] == {ahlen.pk}


@pytest.mark.django_db(transaction=True)
def test_the_migration_helper_gives_a_new_table_its_forced_policy(schema_owner):
    from django.db.migrations.state import ProjectState

    table = "kp_test_tenant_thing"
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {table} (id serial PRIMARY KEY, municipality_id bigint)")
        operation = rls.tenant_policy(table, rls.allowed("municipality_id"))
        state = ProjectState()
        with connection.schema_editor() as editor:
            operation.database_forwards("core", editor, state, state)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relrowsecurity, relforcerowsecurity, "
                "EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = c.oid) "
                "FROM pg_class c WHERE relname = %s",
                [table],
            )
            assert cursor.fetchone() == (True, True, True)
        with connection.schema_editor() as editor:
            operation.database_backwards("core", editor, state, state)
        with connection.cursor() as cursor:
            cursor.execute("SELECT relrowsecurity FROM pg_class WHERE relname = %s", [table])
            assert cursor.fetchone() == (False,)
    finally:  # committed: leave no table behind
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def test_a_privacy_officers_request_finds_the_person_in_their_district_only(
    two_towns, as_app_role, settings
):
    """The officer's connection sees the cases of every town of their district (a delegated
    case included), not another district's: the person's search runs under the net."""
    from district.privacy import person_cases

    settings.DATABASE_RLS = True
    ahlen, beckum = two_towns
    rls.set_scope(rls.ALL, local=True)
    district = MunicipalityFactory(slug="kreis-warendorf", kind="district")
    ahlen.parent = district
    ahlen.save()  # Beckum stays outside this district
    officer = MembershipFactory(municipality=district, role=Membership.Role.PRIVACY_OFFICER).user
    seen = {}

    def view(request):
        from django.http import HttpResponse

        from core.tenancy import scope_for_request

        found = person_cases(scope=scope_for_request(request), email="erika@example.org")
        seen["filed"] = sorted(found.values_list("municipality__slug", flat=True))
        seen["all"] = sorted(Case.objects.values_list("municipality__slug", flat=True))
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = officer
    rls.RowLevelSecurityMiddleware(view)(request)

    assert seen["filed"] == ["ahlen", "ahlen"]  # its own case and the one Beckum processes
    # Without the selector, the net alone: Beckum's own case stays out of sight.
    assert seen["all"] == ["ahlen", "ahlen"]
