"""The client address (core/clients.py, docs/operations.md): with the default settings no
X-Forwarded-For header can buy a fresh rate-limit budget; behind trusted proxies the
right-most address they did not write is the client's."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from core.clients import address_of_chain
from tests.factories import MunicipalityFactory, ServiceDefinitionFactory, ServiceOfferingFactory

pytestmark = pytest.mark.django_db

PEER = "10.0.0.1"


@pytest.fixture
def rates(monkeypatch):
    def lower(**scopes: str) -> None:
        monkeypatch.setattr(
            SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, **scopes}
        )

    return lower


@pytest.fixture
def filed(api):
    town = MunicipalityFactory(slug="unna-test")
    service = ServiceDefinitionFactory(key="sperrmuell-xff")
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    created = api.post(f"/api/v1/municipalities/{town.slug}/cases/", _case(service.key), "json")
    assert created.status_code == 201, created.content
    return town, service, created.json()


def _case(key: str) -> dict:
    return {
        "service": key,
        "applicant": {"name": "Łukasz Yılmaz–Şahin", "email": "lukasz@example.org"},
        "data": {"anliegen": "Sofa „grün“", "anzahl": 1},
    }


def _endpoints(filed):
    """(scope, send(client, api, **headers)) of every throttled door."""
    town, service, case = filed
    reference, token = case["reference"], case["access_token"]
    return {
        "submissions": lambda c, a, **h: a.post(
            f"/api/v1/municipalities/{town.slug}/cases/", _case(service.key), "json", **h
        ),
        "tokens": lambda c, a, **h: a.post(
            "/api/v1/auth/token/", {"username": "x", "password": "y"}, "json", **h
        ),
        "tracking": lambda c, a, **h: a.get(
            f"/api/v1/cases/{reference}/", HTTP_X_ACCESS_TOKEN=token, **h
        ),
        "tracking-page": lambda c, a, **h: c.get(
            f"/track/{reference}/", HTTP_X_ACCESS_TOKEN=token, **h
        ),
        "logins": lambda c, a, **h: c.post(
            "/accounts/login/", {"username": "nobody", "password": "x"}, **h
        ),
        "admin-logins": lambda c, a, **h: c.post(
            "/admin/login/", {"username": "nobody", "password": "x"}, **h
        ),
    }


SCOPES = {"tracking-page": "tracking", "admin-logins": "logins"}


@pytest.mark.parametrize(
    "door", ["submissions", "tokens", "tracking", "tracking-page", "logins", "admin-logins"]
)
def test_a_rotating_forwarded_for_does_not_lift_a_throttle(door, client, api, filed, rates):
    send = _endpoints(filed)[door]
    rates(**{SCOPES.get(door, door): "2/minute"})
    for n in range(2):
        response = send(client, api, REMOTE_ADDR=PEER, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert response.status_code < 429, response.content
    for n in range(2, 6):
        response = send(client, api, REMOTE_ADDR=PEER, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert response.status_code == 429
        assert int(response["Retry-After"]) >= 1
    # Another peer is another client.
    assert send(client, api, REMOTE_ADDR="10.0.0.2").status_code < 429


def test_behind_one_trusted_proxy_the_right_most_untrusted_address_counts(
    client, api, filed, rates, settings
):
    settings.TRUSTED_PROXIES = "1"
    send = _endpoints(filed)["tracking"]
    rates(tracking="2/minute")
    # The client writes whatever it likes on the left; the proxy appends the peer it saw.
    for forged in ("1.1.1.1", "2.2.2.2"):
        xff = f"{forged}, 198.51.100.7"
        assert send(client, api, REMOTE_ADDR=PEER, HTTP_X_FORWARDED_FOR=xff).status_code == 200
    xff = "3.3.3.3, 198.51.100.7"
    assert send(client, api, REMOTE_ADDR=PEER, HTTP_X_FORWARDED_FOR=xff).status_code == 429
    # Another client behind the same proxy has its own budget.
    xff = "198.51.100.8"
    assert send(client, api, REMOTE_ADDR=PEER, HTTP_X_FORWARDED_FOR=xff).status_code == 200


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "client"),
    [
        ("", PEER, ["198.51.100.7"], PEER),
        ("0", PEER, ["198.51.100.7"], PEER),
        ("1", PEER, ["6.6.6.6", "198.51.100.7"], "198.51.100.7"),
        ("2", PEER, ["6.6.6.6", "198.51.100.7", "10.0.0.9"], "198.51.100.7"),
        ("1", PEER, [], PEER),  # nothing forwarded: the peer itself
        ("1", PEER, ["not-an-address"], PEER),  # garbage where the client should be
        ("1", PEER, ["198.51.100.7:4711"], "198.51.100.7"),
        ("10.0.0.0/8", PEER, ["6.6.6.6", "198.51.100.7", "10.0.0.9"], "198.51.100.7"),
        ("10.0.0.0/8", "192.0.2.1", ["198.51.100.7"], "192.0.2.1"),  # peer not a proxy
        (
            "10.0.0.0/8, 2001:db8::/32",
            "2001:db8::1",
            ["2001:db9::5", "[2001:db8::2]"],
            "2001:db9::5",
        ),
    ],
)
def test_the_client_address_of_a_hop_chain(trusted, peer, forwarded, client):
    from core.clients import _parse

    assert address_of_chain(peer, forwarded, _parse(trusted)) == client


def test_axes_and_the_throttles_ask_the_same_function(rf, settings):
    from axes.helpers import get_client_ip_address

    from core.clients import client_address

    settings.TRUSTED_PROXIES = "1"
    request = rf.get("/", REMOTE_ADDR=PEER, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert get_client_ip_address(request) == client_address(request) == "198.51.100.7"
