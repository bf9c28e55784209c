"""One error hierarchy, mapped to HTTP in two places (core/errors.py): the API always answers
JSON `{"detail": …, "errors": {…}}` with the error's status; pages answer with the status's
page, `Retry-After` on 429. Real endpoints, and a view raising each error through the real
middleware stack."""

import pytest
from django.test import override_settings
from django.urls import path

from core.errors import Conflict, Forbidden, Invalid, NotFound, PortalError, Throttled, TooLarge
from portal import urls as portal_urls

pytestmark = pytest.mark.django_db

ERRORS = {
    "invalid": Invalid(errors={"comment": ["Bitte einen Kommentar schreiben."]}),
    "forbidden": Forbidden(),
    "not-found": NotFound("secret reason"),
    "conflict": Conflict("Jemand hat den Vorgang gerade geändert."),
    "too-large": TooLarge("Die Datei ist zu groß.", field="beleg", limit=1024),
    "throttled": Throttled(retry_after=42),
}


def raising(error: PortalError):
    def view(request):
        raise error

    return view


urlpatterns = [
    *(path(f"raise/{name}/", raising(error)) for name, error in ERRORS.items()),
    *(path(f"api/raise/{name}/", raising(error)) for name, error in ERRORS.items()),
    *portal_urls.urlpatterns,  # the pages' header and footer link to them
]


@pytest.mark.parametrize("name", ERRORS)
@override_settings(ROOT_URLCONF="tests.core.test_errors")
def test_a_page_answers_each_error_with_its_status_page(client, name):
    error = ERRORS[name]

    response = client.get(f"/raise/{name}/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == error.status
    assert f"errors/{error.status}.html" in [t.name for t in response.templates]
    assert response["Content-Type"].startswith("text/html")
    if isinstance(error, Throttled):
        assert response["Retry-After"] == "42"
    if isinstance(error, NotFound):
        assert "secret reason" not in response.content.decode()  # no 404 tells why


@pytest.mark.parametrize("name", ERRORS)
@override_settings(ROOT_URLCONF="tests.core.test_errors")
def test_under_api_the_same_errors_are_json(client, name):
    error = ERRORS[name]

    response = client.get(f"/api/raise/{name}/")

    assert response.status_code == error.status
    body = response.json()
    assert set(body) >= {"detail", "errors"}
    assert body["errors"] == error.errors


def test_api_errors_carry_detail_and_field_errors(api, demo):
    submission = {"service": "fundsache", "applicant": {"name": "", "email": "x"}, "data": {}}
    invalid = api.post("/api/v1/municipalities/unna/cases/", submission, format="json")
    missing = api.get("/api/v1/cases/UNA-2026-AAAAAA/", HTTP_X_ACCESS_TOKEN="x")
    unknown_town = api.get("/api/v1/municipalities/nirgendwo/services/")
    unauthenticated = api.get("/api/v1/queue/")

    assert invalid.status_code == 400
    assert invalid.json()["detail"]
    assert {"applicant.name", "applicant.email"} <= set(invalid.json()["errors"])
    for response, status in ((missing, 404), (unknown_town, 404), (unauthenticated, 401)):
        assert response.status_code == status
        assert set(response.json()) == {"detail", "errors"}
        assert response.json()["errors"] == {}


def test_the_409_of_an_action_names_the_case_status(api, file_case):
    submitted = file_case("unna", "fundsache")
    response = api.post(
        f"/api/v1/cases/{submitted.case.reference}/actions/",
        {"action": "respond", "comment": "Hier"},
        format="json",
        HTTP_X_ACCESS_TOKEN=submitted.access_token,
    )
    assert response.status_code == 409
    assert response.json()["status"] == "in_review"
    assert response.json()["detail"] and response.json()["errors"] == {}


def test_an_unknown_page_answers_the_404_page(client, demo):
    response = client.get("/unna/keine-solche-leistung/", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()
