"""Documented limits (docs/api.md, issue 12): comments and free text have a length limit, a
file field takes `max_files` files (default 1), a case's files together at most
CASE_UPLOAD_MAX_BYTES; and every error under /api/ is JSON — 404 for unknown paths, 413
for bodies over the limit — never an HTML page."""

import json

import pytest

from cases.models import Attachment, Case, CaseEvent
from municipalities.models import Membership
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    ServiceDefinitionFactory,
    ServiceOfferingFactory,
    submit_case,
)
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

LABEL = {"de": "Feld", "en": "Field"}
APPLICANT = {"name": "Łukasz Yılmaz–Şahin", "email": "lukasz@example.org"}


def form(*fields):
    return {"steps": [{"title": {"de": "Angaben", "en": "Details"}, "fields": list(fields)}]}


@pytest.fixture
def town():
    return MunicipalityFactory(slug="schwerte", name="Schwerte", code="SWT")


def offer(town, key, definition):
    service = ServiceDefinitionFactory(
        key=key, form=definition, fee={"kind": "free"}, process_steps=[]
    )
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    return service


def submit(api, town, key, data, files=None):
    url = f"/api/v1/municipalities/{town.slug}/cases/"
    if files is None:
        return api.post(url, {"service": key, "applicant": APPLICANT, "data": data}, format="json")
    payload = {"payload": json.dumps({"service": key, "applicant": APPLICANT, "data": data})}
    return api.post(url, {**payload, **files}, format="multipart")


# --- free text ----------------------------------------------------------------------------


def test_a_textarea_without_its_own_limit_takes_at_most_10000_characters(api, town):
    offer(town, "anregung", form({"name": "text", "type": "textarea", "label": LABEL}))
    assert submit(api, town, "anregung", {"text": "„ä“" * 3333}).status_code == 201
    response = submit(api, town, "anregung", {"text": "ä" * 10001})
    assert response.status_code == 400
    assert "data.text" in response.json()["errors"]
    assert Case.objects.count() == 1


def test_comments_of_clerks_and_citizens_take_at_most_5000_characters(api, client, town):
    offer(town, "anregung", form({"name": "text", "type": "text", "label": LABEL}))
    case = submit_case(municipality=town, service_key="anregung", data={"text": "Bank"})
    clerk = MembershipFactory(municipality=town, role=Membership.Role.CLERK).user
    events = CaseEvent.objects.count()

    api.force_authenticate(clerk)
    url = f"/api/v1/cases/{case.reference}/actions/"
    long = {"action": "request_info", "comment": "ß" * 5001}
    response = api.post(url, long, format="json")
    assert response.status_code == 400 and "comment" in response.json()["errors"]
    client.force_login(clerk)
    page = client.post(f"/workspace/cases/{case.reference}/", long)
    assert page.status_code == 400 and "5000" in page.content.decode()
    assert CaseEvent.objects.count() == events

    ok = api.post(url, {"action": "request_info", "comment": "ß" * 5000}, format="json")
    assert ok.status_code == 200
    api.force_authenticate(None)
    token = {"HTTP_X_ACCESS_TOKEN": case.access_token}
    answer = api.post(url, {"action": "respond", "comment": "x" * 5001}, format="json", **token)
    assert answer.status_code == 400 and "comment" in answer.json()["errors"]


# --- files --------------------------------------------------------------------------------


def file_field(**extra):
    return {"name": "beleg", "type": "file", "label": LABEL, **extra}


def test_a_file_field_takes_one_file_unless_its_definition_says_more(api, town, settings):
    offer(town, "einer", form(file_field()))
    two = [upload("a.pdf", pdf_bytes("eins")), upload("b.pdf", pdf_bytes("zwei"))]
    response = submit(api, town, "einer", {}, {"beleg": two})
    assert response.status_code == 400
    assert "data.beleg" in response.json()["errors"]
    assert not Case.objects.exists() and not Attachment.objects.exists()

    offer(town, "zwei", form(file_field(max_files=2)))
    two = [upload("a.pdf", pdf_bytes("eins")), upload("b.pdf", pdf_bytes("zwei"))]
    assert submit(api, town, "zwei", {}, {"beleg": two}).status_code == 201
    assert Attachment.objects.count() == 2


def test_a_definition_with_a_wrong_max_files_is_refused():
    from catalog.forms.validation import schema_errors as form_errors

    problems = form_errors(form(file_field(max_files=0)))
    assert any("max_files" in p for p in problems)
    assert not [p for p in form_errors(form(file_field(max_files=3))) if "max_files" in p]


def test_the_files_of_a_case_together_are_limited(api, town, settings):
    settings.CASE_UPLOAD_MAX_BYTES = 3000
    offer(town, "viele", form(file_field(max_files=5)))
    files = [upload(f"{n}.pdf", pdf_bytes("Nachweis " * 40)) for n in range(5)]
    assert sum(len(f.read()) for f in files) > 3000
    for f in files:
        f.seek(0)
    response = submit(api, town, "viele", {}, {"beleg": files})
    assert response.status_code == 413
    assert response.json()["detail"]
    assert not Case.objects.exists() and not Attachment.objects.exists()


# --- JSON errors under /api/ ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/nichts/", "/api/v1/cases/", "/api/v2/", "/api/nope", "/api/"]
)
def test_an_unknown_api_path_is_a_json_404(api, db, path):
    response = api.get(path, follow=True)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_a_body_over_the_limits_is_a_json_413(api, town, settings):
    url = f"/api/v1/municipalities/{town.slug}/cases/"
    settings.REQUEST_MAX_BYTES = 1000
    response = api.post(url, {"data": "x" * 2000}, format="json")
    assert response.status_code == 413 and response.json()["detail"]
    # Within the request limit, past Django's limit for bodies it reads into memory.
    settings.REQUEST_MAX_BYTES = 10**6
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post(url, {"data": "x" * 2000}, format="json")
    assert response.status_code == 413 and response.json()["detail"]
    assert not Case.objects.exists()
