"""A district admin changes a service's form in a new version through the admin: new cases
use it, cases filed earlier keep the version they were filed under."""

import copy
import json

import pytest

from cases.services import SubmissionInvalid, case_submit
from catalog.models import ServiceDefinition
from core.models import AuditEntry
from municipalities.models import Membership
from tests.factories import (
    SIMPLE_FORM,
    MembershipFactory,
    MunicipalityFactory,
    ServiceDefinitionFactory,
    ServiceOfferingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/catalog/servicedefinition/"
APPLICANT = {"name": "Erika Mustermann", "email": "erika@example.org"}


@pytest.fixture
def setting():
    district = MunicipalityFactory(slug="kreis-v", name="Kreis V", kind="district")
    town = MunicipalityFactory(slug="vtown", name="Vtown", parent=district)
    v1 = ServiceDefinitionFactory(key="bulky-test")
    ServiceOfferingFactory(municipality=town, service_key="bulky-test")
    admin = UserFactory(username="district-v", is_staff=True)
    MembershipFactory(user=admin, municipality=district, role=Membership.Role.DISTRICT_ADMIN)
    return town, v1, admin


def form_data(definition: ServiceDefinition, **overrides) -> dict:
    data = {
        "leika": definition.leika,
        "name": json.dumps(definition.name),
        "description": json.dumps(definition.description),
        "offered_by": definition.offered_by,
        "form": json.dumps(definition.form),
        "fee": json.dumps(definition.fee),
        "fee_min_cents": definition.fee_min_cents,
        "fee_max_cents": definition.fee_max_cents,
        "sla_days": definition.sla_days,
        "retention_days": definition.retention_days,
        "process_steps": json.dumps(definition.process_steps),
        "agency_email": definition.agency_email,
        "trust_level": definition.trust_level,
    }
    data.update(overrides)
    return data


def with_floor_field() -> dict:
    form = copy.deepcopy(SIMPLE_FORM)
    form["steps"][0]["fields"].append(
        {
            "name": "etage",
            "type": "integer",
            "label": {"de": "Etage", "en": "Floor"},
            "required": True,
            "min": 0,
            "max": 40,
        }
    )
    return form


def test_new_version_through_the_admin_is_used_by_new_cases_and_old_cases_keep_theirs(
    client, setting
):
    town, v1, admin = setting
    old = case_submit(
        municipality=town,
        service_key="bulky-test",
        applicant=APPLICANT,
        data={"anliegen": "Sofa", "anzahl": 1},
    ).case
    client.force_login(admin)

    drafted = client.post(CHANGELIST, {"action": "create_next_draft", "_selected_action": [v1.pk]})
    draft = ServiceDefinition.objects.get(key="bulky-test", status="draft")
    published = client.post(
        f"{CHANGELIST}{draft.pk}/change/",
        form_data(draft, form=json.dumps(with_floor_field()), _publish="1"),
    )

    assert drafted.status_code == 302
    assert drafted["Location"].endswith(f"{draft.pk}/change/")
    assert published.status_code == 302
    draft.refresh_from_db()
    assert (draft.version, draft.status) == (2, "published")
    new = case_submit(
        municipality=town,
        service_key="bulky-test",
        applicant=APPLICANT,
        data={"anliegen": "Schrank", "anzahl": 1, "etage": 3},
    ).case
    assert new.service == draft
    old.refresh_from_db()
    assert old.service == v1
    assert [f["name"] for f in old.service.form["steps"][0]["fields"]] == ["anliegen", "anzahl"]
    with pytest.raises(SubmissionInvalid) as missing:
        case_submit(
            municipality=town,
            service_key="bulky-test",
            applicant=APPLICANT,
            data={"anliegen": "Tisch", "anzahl": 1},
        )
    assert "data.etage" in missing.value.errors
    assert AuditEntry.objects.filter(
        action="publish", object_id=str(draft.pk), actor=admin
    ).exists()


def test_an_invalid_form_is_refused_with_a_clear_message_and_nothing_is_published(client, setting):
    _town, v1, admin = setting
    client.force_login(admin)
    client.post(CHANGELIST, {"action": "create_next_draft", "_selected_action": [v1.pk]})
    draft = ServiceDefinition.objects.get(key="bulky-test", status="draft")
    broken = copy.deepcopy(SIMPLE_FORM)
    broken["steps"][0]["fields"][0]["type"] = "colour"

    response = client.post(
        f"{CHANGELIST}{draft.pk}/change/",
        form_data(draft, form=json.dumps(broken), _publish="1"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "unknown type &#x27;colour&#x27;" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.form == SIMPLE_FORM


def test_published_versions_are_read_only_in_the_admin(client, setting):
    _town, v1, admin = setting
    client.force_login(admin)

    page = client.get(f"{CHANGELIST}{v1.pk}/change/")
    post = client.post(f"{CHANGELIST}{v1.pk}/change/", form_data(v1, sla_days=99))
    delete = client.post(f"{CHANGELIST}{v1.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert 'name="form"' not in page.content.decode()
    assert post.status_code == 403
    assert delete.status_code == 403
    v1.refresh_from_db()
    assert v1.sla_days == 5


def test_preview_shows_the_form_as_citizens_see_it(client, setting):
    _town, v1, admin = setting
    client.force_login(admin)

    response = client.get(f"{CHANGELIST}{v1.pk}/preview/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Matter" in html and "Number" in html and "Details" in html


def test_a_second_draft_of_the_same_service_is_the_first_one(client, setting):
    _town, v1, admin = setting
    client.force_login(admin)

    for _ in range(2):
        client.post(CHANGELIST, {"action": "create_next_draft", "_selected_action": [v1.pk]})

    assert ServiceDefinition.objects.filter(key="bulky-test", status="draft").count() == 1


def test_changelist_query_count_is_bounded(client, setting, django_assert_max_num_queries):
    _town, _v1, admin = setting
    for n in range(10):
        ServiceDefinitionFactory(key=f"extra-{n}")
    client.force_login(admin)

    with django_assert_max_num_queries(12):
        response = client.get(CHANGELIST)

    assert response.status_code == 200
