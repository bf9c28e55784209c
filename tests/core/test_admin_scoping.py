"""The admin by role: a municipal admin of one town neither sees nor changes another town's
data on any admin page; clerks have no admin; every change is in the audit trail."""

import datetime
import re

import pytest

from cases.models import CaseStep
from catalog.models import ServiceOffering
from core.models import AuditEntry
from municipalities.models import Delegation, Membership
from tests.district import at
from tests.factories import (
    CaseFactory,
    DelegationFactory,
    MembershipFactory,
    MunicipalityFactory,
    ServiceDefinitionFactory,
    ServiceOfferingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def towns():
    district = MunicipalityFactory(slug="kreis-s", name="Kreis S", kind="district")
    own = MunicipalityFactory(slug="ownton", name="Ownton", parent=district)
    other = MunicipalityFactory(slug="otherton", name="Otherton", parent=district)
    service = ServiceDefinitionFactory(key="bulky-test", fee_min_cents=500, fee_max_cents=3000)
    objects = {}
    for town in (own, other):
        clerk = UserFactory(username=f"clerk-{town.slug}")
        objects[town.slug] = {
            "municipality": town,
            "membership": MembershipFactory(user=clerk, municipality=town, role=Role.CLERK),
            "offering": ServiceOfferingFactory(municipality=town, service_key=service.key),
            "step": CaseStep.objects.create(
                case=CaseFactory(
                    municipality=town, service=service, submitted_at=at("2026-03-01 10:00")
                ),
                name="send_receipt",
                key="send_receipt",
                status="failed",
            ),
        }
    third = MunicipalityFactory(slug="thirdton", name="Thirdton", parent=district)
    objects["otherton"]["delegation"] = DelegationFactory(
        service_key="bulky-test", from_municipality=other, to_municipality=third
    )
    admin = UserFactory(username="admin-ownton", is_staff=True)
    MembershipFactory(user=admin, municipality=own, role=Role.MUNICIPAL_ADMIN)
    AuditEntry.objects.create(
        actor_label="someone",
        action="change",
        object_type="x",
        municipality=other,
        object_repr="Otherton secret change",
    )
    return own, other, objects, admin


PAGES = {
    "municipality": "/admin/municipalities/municipality/",
    "membership": "/admin/municipalities/membership/",
    "offering": "/admin/catalog/serviceoffering/",
    "delegation": "/admin/municipalities/delegation/",
    "step": "/admin/cases/casestep/",
}


@pytest.mark.parametrize("kind", list(PAGES))
def test_municipal_admin_does_not_see_another_towns_rows_in_the_changelist(
    client, towns, kind, django_assert_max_num_queries
):
    own, other, objects, admin = towns
    client.force_login(admin)
    foreign = objects["otherton"][kind]

    with django_assert_max_num_queries(15):
        response = client.get(PAGES[kind])

    assert response.status_code == 200
    change_links = re.findall(r'href="(/admin/[^"]+/\d+/change/)', response.content.decode())
    assert f"{PAGES[kind]}{foreign.pk}/change/" not in change_links
    if kind in objects["ownton"]:
        assert f"{PAGES[kind]}{objects['ownton'][kind].pk}/change/" in change_links


@pytest.mark.parametrize("kind", list(PAGES))
def test_municipal_admin_gets_no_change_page_of_another_towns_row(client, towns, kind):
    own, other, objects, admin = towns
    client.force_login(admin)
    foreign = objects["otherton"][kind]

    page = client.get(f"{PAGES[kind]}{foreign.pk}/change/")
    post = client.post(f"{PAGES[kind]}{foreign.pk}/change/", {"payee_name": "Hijacked"})
    delete = client.post(f"{PAGES[kind]}{foreign.pk}/delete/", {"post": "yes"})

    # Django's admin answers a row outside the queryset like a missing one; a write the
    # role may not make at all is refused before the row is even looked up.
    assert page.status_code == 302 and page["Location"] == "/admin/"
    for response in (post, delete):
        assert response.status_code in (302, 403)
        assert response.status_code == 403 or response["Location"] == "/admin/"
    assert type(foreign).objects.filter(pk=foreign.pk).exists()
    other.refresh_from_db()
    assert other.payee_name != "Hijacked"


def test_audit_view_shows_only_the_own_towns_entries(client, towns):
    own, _other, _objects, admin = towns
    client.force_login(admin)
    mine = AuditEntry.objects.create(
        actor_label="me",
        action="change",
        object_type="x",
        municipality=own,
        object_repr="Ownton visible change",
    )

    response = client.get("/admin/core/auditentry/")
    foreign = AuditEntry.objects.get(object_repr="Otherton secret change")

    assert "Ownton visible change" in response.content.decode()
    assert "Otherton secret change" not in response.content.decode()
    assert client.get(f"/admin/core/auditentry/{foreign.pk}/change/").status_code == 302
    assert client.get(f"/admin/core/auditentry/{mine.pk}/change/").status_code == 200


def test_membership_form_offers_only_the_own_town_and_no_district_role(client, towns):
    own, other, _objects, admin = towns
    client.force_login(admin)

    html = client.get("/admin/municipalities/membership/add/").content.decode()
    refused = client.post(
        "/admin/municipalities/membership/add/",
        {"user": "clerk-otherton", "municipality": other.pk, "role": "clerk"},
    )
    escalation = client.post(
        "/admin/municipalities/membership/add/",
        {"user": "clerk-otherton", "municipality": own.pk, "role": "district_admin"},
    )

    assert f'<option value="{own.pk}"' in html
    assert f'<option value="{other.pk}"' not in html
    assert 'value="district_admin"' not in html
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert escalation.status_code == 200
    assert not Membership.objects.filter(
        municipality=other, user__username="clerk-otherton", role="district_admin"
    ).exists()
    assert not Membership.objects.filter(role="district_admin", municipality=own).exists()


def test_municipal_admin_adds_a_clerk_of_their_town_and_it_is_audited(client, towns):
    own, _other, _objects, admin = towns
    newcomer = UserFactory(username="new-clerk")
    client.force_login(admin)

    response = client.post(
        "/admin/municipalities/membership/add/",
        {"user": "new-clerk", "municipality": own.pk, "role": "clerk"},
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user=newcomer, municipality=own, role="clerk")
    entry = AuditEntry.objects.get(action="add", object_id=str(membership.pk))
    assert entry.actor == admin and entry.municipality == own
    assert entry.object_type == "municipalities.membership"


def test_municipal_admin_changes_payee_data_with_a_valid_iban_only(client, towns):
    own, _other, _objects, admin = towns
    client.force_login(admin)
    url = f"/admin/municipalities/municipality/{own.pk}/change/"
    base = {
        "payee_name": "Stadtkasse Ownton",
        "bic": "WELADED1UNN",
        "email": "kasse@ownton.example",
        "payment_providers": ["girocode", "counter"],
    }

    wrong = client.post(url, {**base, "iban": "DE00 1234 5678 9012 3456 78"})
    right = client.post(url, {**base, "iban": "DE89 3704 0044 0532 0130 00"})

    assert wrong.status_code == 200 and "errornote" in wrong.content.decode()
    assert right.status_code == 302
    own.refresh_from_db()
    assert own.iban == "DE89370400440532013000"
    assert own.payment_providers == ["girocode", "counter"]
    assert own.name == "Ownton"  # read-only for the town
    entry = AuditEntry.objects.get(action="change", object_id=str(own.pk))
    assert entry.actor == admin
    assert entry.changes["fields"]["iban"]["to"] == "DE89370400440532013000"


def test_fee_override_outside_the_districts_bounds_is_refused(client, towns):
    own, _other, objects, admin = towns
    offering = objects["ownton"]["offering"]
    client.force_login(admin)
    url = f"/admin/catalog/serviceoffering/{offering.pk}/change/"

    too_high = client.post(url, {"fee_override": "99.99"}, HTTP_ACCEPT_LANGUAGE="en")
    not_euros = client.post(url, {"fee_override": "20.00"}, HTTP_ACCEPT_LANGUAGE="de")
    fine = client.post(url, {"fee_override": "20,00"}, HTTP_ACCEPT_LANGUAGE="de")

    assert too_high.status_code == 200
    assert "between 5,00 € and 30,00 €" in too_high.content.decode()
    assert not_euros.status_code == 200  # "20.00" is no German amount
    assert fine.status_code == 302
    offering.refresh_from_db()
    assert offering.fee_override_cents == 2000
    assert offering.active is True


def test_on_off_stays_with_the_district_in_the_list(client, towns):
    own, _other, objects, admin = towns
    offering = objects["ownton"]["offering"]
    client.force_login(admin)
    base = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": offering.pk,
        "_save": "Save",
    }

    client.post(PAGES["offering"], base)  # the unticked (disabled) box sends nothing

    offering.refresh_from_db()
    assert offering.active is True


def test_the_former_matrix_leads_to_the_offerings_list(client, towns):
    _own, _other, _objects, admin = towns
    client.force_login(admin)

    response = client.get("/admin/catalog/serviceoffering/matrix/")

    assert response.status_code == 302 and response["Location"] == "/district/offerings/"


def test_district_admin_switches_offerings_in_the_list(client, towns):
    own, other, objects, _admin = towns
    district_admin = UserFactory(username="kreis-s-admin", is_staff=True)
    MembershipFactory(user=district_admin, municipality=own.parent, role=Role.DISTRICT_ADMIN)
    foreign_district_town = MunicipalityFactory(slug="fremd", name="Fremdstadt")
    client.force_login(district_admin)

    page = client.get("/district/offerings/?service=bulky-test")
    client.post(
        "/district/offerings/",
        {"service": "bulky-test", "action": "withdraw", "select": f"{other.pk}-bulky-test"},
    )

    assert page.status_code == 200
    assert "Fremdstadt" not in page.content.decode()
    assert f"{foreign_district_town.pk}-bulky-test" not in page.content.decode()
    assert ServiceOffering.objects.get(municipality=own).active is True
    assert ServiceOffering.objects.get(municipality=other).active is False
    assert AuditEntry.objects.filter(actor=district_admin, municipality=other).exists()


def test_district_admin_sees_no_town_of_another_district(client, towns):
    own, _other, _objects, _admin = towns
    district_admin = UserFactory(username="kreis-s-admin", is_staff=True)
    MembershipFactory(user=district_admin, municipality=own.parent, role=Role.DISTRICT_ADMIN)
    stranger = MunicipalityFactory(slug="fremd", name="Fremdstadt")
    client.force_login(district_admin)

    listing = client.get(PAGES["municipality"]).content.decode()
    form = client.get("/admin/municipalities/delegation/add/").content.decode()

    assert "Fremdstadt" not in listing
    assert f'<option value="{stranger.pk}"' not in form
    assert f'<option value="{own.pk}"' in form
    assert client.get(f"{PAGES['municipality']}{stranger.pk}/change/").status_code == 302


def test_cases_and_attachments_are_not_in_the_admin_of_district_or_town(client, towns):
    own, _other, _objects, admin = towns
    client.force_login(admin)

    assert client.get("/admin/cases/case/").status_code == 403
    assert client.get("/admin/cases/attachment/").status_code == 403
    assert client.get("/admin/auth/user/").status_code == 403


def test_clerks_have_no_admin_access(client, towns):
    own, _other, _objects, _admin = towns
    clerk = Membership.objects.filter(municipality=own, role="clerk").first().user

    client.force_login(clerk)
    response = client.get("/admin/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_audit_entries_cannot_be_changed_or_deleted(client, towns):
    entry = AuditEntry.objects.first()
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)

    assert (
        client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    entry.object_repr = "rewritten"
    with pytest.raises(ValueError):
        entry.save()


def test_delegation_admin_is_read_only_for_the_involved_town(client, towns):
    own, other, objects, _admin = towns
    involved_admin = UserFactory(username="admin-otherton", is_staff=True)
    MembershipFactory(user=involved_admin, municipality=other, role=Role.MUNICIPAL_ADMIN)
    delegation = objects["otherton"]["delegation"]
    client.force_login(involved_admin)

    page = client.get(f"{PAGES['delegation']}{delegation.pk}/change/")
    post = client.post(
        f"{PAGES['delegation']}{delegation.pk}/change/",
        {
            "service_key": "bulky-test",
            "from_municipality": other.pk,
            "to_municipality": own.pk,
            "valid_from": "2024-01-01",
        },
    )

    assert page.status_code == 200
    assert post.status_code == 403
    assert Delegation.objects.get(pk=delegation.pk).valid_from == datetime.date(2024, 1, 1)


def test_superuser_changes_on_users_and_other_admin_pages_are_audited(client, towns):
    from django_celery_beat.models import IntervalSchedule

    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)

    created = client.post(
        "/admin/auth/user/add/",
        {
            "username": "new-person",
            "password1": "x-Very-long-pass-91",
            "password2": "x-Very-long-pass-91",
            "usable_password": "true",
        },
    )
    schedule = client.post(
        "/admin/django_celery_beat/intervalschedule/add/",
        {
            "every": 7,
            "period": "days",
            "periodictask_set-TOTAL_FORMS": 0,
            "periodictask_set-INITIAL_FORMS": 0,
        },
    )

    assert created.status_code == 302
    assert schedule.status_code == 302
    user_entry = AuditEntry.objects.get(object_type="auth.user", action="add")
    assert user_entry.actor == superuser and user_entry.object_repr == "new-person"
    interval = IntervalSchedule.objects.get(every=7, period="days")
    assert AuditEntry.objects.filter(
        object_type="django_celery_beat.intervalschedule",
        object_id=str(interval.pk),
        action="add",
        actor=superuser,
    ).exists()


def test_membership_form_does_not_tell_a_town_admin_which_user_names_exist(client, towns):
    """A user of another town and a name nobody has get the same answer (issue 12)."""
    own, _other, _objects, admin = towns
    client.force_login(admin)

    def attempt(name: str) -> str:
        response = client.post(
            "/admin/municipalities/membership/add/",
            {"user": name, "municipality": own.pk, "role": "clerk"},
        )
        assert response.status_code == 200
        return response.content.decode().replace(name, "NAME")

    elsewhere, nobody = attempt("clerk-otherton"), attempt("niemand-xyz")
    assert "There is no user with this name." in elsewhere
    # The same page but for the (masked, per-answer) CSRF tokens.
    masked = re.compile(r'value="[A-Za-z0-9]{64}"')
    assert masked.sub("", elsewhere) == masked.sub("", nobody)
    assert not Membership.objects.filter(user__username="clerk-otherton", municipality=own)
