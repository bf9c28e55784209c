"""Abuse limits (docs/api.md, Machine-readable): past a scope's rate, a client gets 429 with
Retry-After — on the API and on the pages that do the same look-ups."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import MunicipalityFactory, ServiceDefinitionFactory, ServiceOfferingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(monkeypatch):
    """Lower one scope's rate for a test; the others stay out of the way."""

    def lower(**scopes: str) -> None:
        monkeypatch.setattr(
            SimpleRateThrottle,
            "THROTTLE_RATES",
            {**SimpleRateThrottle.THROTTLE_RATES, **scopes},
        )

    return lower


@pytest.fixture
def offer():
    town = MunicipalityFactory(slug="throttleton")
    service = ServiceDefinitionFactory(key="sperrmuell-test")
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    return town, service


def _submission(service_key: str) -> dict:
    return {
        "service": service_key,
        "applicant": {"name": "Erika Muster", "email": "erika@example.org"},
        "data": {"anliegen": "Sofa", "anzahl": 1},
    }


def _assert_throttled(response) -> None:
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


def test_third_submission_within_the_rate_is_refused_with_retry_after(api, offer, rates):
    rates(submissions="2/minute")
    town, service = offer
    url = f"/api/v1/municipalities/{town.slug}/cases/"
    for _ in range(2):
        assert api.post(url, _submission(service.key), format="json").status_code == 201
    response = api.post(url, _submission(service.key), format="json")
    _assert_throttled(response)
    assert "detail" in response.json()


def test_submissions_are_limited_per_client_address(api, offer, rates):
    rates(submissions="1/minute")
    town, service = offer
    url = f"/api/v1/municipalities/{town.slug}/cases/"
    assert (
        api.post(url, _submission(service.key), format="json", REMOTE_ADDR="10.0.0.1").status_code
        == 201
    )
    _assert_throttled(
        api.post(url, _submission(service.key), format="json", REMOTE_ADDR="10.0.0.1")
    )
    other = api.post(url, _submission(service.key), format="json", REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 201


def test_token_requests_beyond_the_rate_get_429(api, db, rates):
    rates(tokens="3/minute")
    for _ in range(3):
        response = api.post(
            "/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json"
        )
        assert response.status_code == 400
    _assert_throttled(
        api.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json")
    )


def test_tracking_lookups_through_the_api_are_limited(api, offer, rates):
    town, service = offer
    created = api.post(
        f"/api/v1/municipalities/{town.slug}/cases/", _submission(service.key), format="json"
    ).json()
    rates(tracking="2/minute")
    url = f"/api/v1/cases/{created['reference']}/"
    assert api.get(url, HTTP_X_ACCESS_TOKEN=created["access_token"]).status_code == 200
    # Guessing references with wrong tokens costs from the same budget.
    assert api.get(url, HTTP_X_ACCESS_TOKEN="wrong").status_code == 404
    _assert_throttled(api.get(url, HTTP_X_ACCESS_TOKEN=created["access_token"]))


def test_tracking_page_is_limited_like_the_api(api, client, offer, rates):
    from citizen.views import tracking

    assert getattr(tracking.track, "throttle_scope", None) == "tracking"
    town, service = offer
    created = api.post(
        f"/api/v1/municipalities/{town.slug}/cases/", _submission(service.key), format="json"
    ).json()
    rates(tracking="2/minute")
    url = f"/track/{created['reference']}/"
    assert client.get(url, {"access_token": created["access_token"]}).status_code == 302
    assert client.get(url, {"access_token": "wrong"}).status_code == 404
    _assert_throttled(client.get(url, {"access_token": created["access_token"]}))


def test_login_form_posts_beyond_the_rate_get_429(client, db, rates):
    rates(logins="3/minute")
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": "nobody", "password": "x"})
        assert response.status_code == 200
    _assert_throttled(client.post("/accounts/login/", {"username": "nobody", "password": "x"}))
    # Reading the form is not counted: a locked-out client still sees why.
    assert client.get("/accounts/login/").status_code == 200


def test_page_throttle_uses_the_same_rates_as_the_api(rf, rates):
    from core.errors import Throttled
    from core.throttling import throttle

    rates(tracking="1/hour")
    view = throttle("tracking")(lambda request: __import__("django").http.HttpResponse("ok"))
    assert view(rf.get("/", REMOTE_ADDR="10.1.1.1")).status_code == 200
    # Past the rate the page raises; the error middleware answers (429, Retry-After).
    with pytest.raises(Throttled) as raised:
        view(rf.get("/", REMOTE_ADDR="10.1.1.1"))
    assert 3000 < raised.value.retry_after <= 3600
    assert raised.value.status == 429
