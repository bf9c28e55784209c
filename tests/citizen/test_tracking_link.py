"""The tracking link of the e-mails (/track/<reference>/?access_token=…, issue 12): the token
is exchanged for a signed cookie scoped to that case and the browser is sent to the address
without it; the page works with the cookie, another case's page does not; the API keeps
taking the token in the X-Access-Token header."""

import pytest

from tests.factories import (
    MunicipalityFactory,
    ServiceDefinitionFactory,
    ServiceOfferingFactory,
    submit_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cases():
    town = MunicipalityFactory(slug="holzwickede", name="Holzwickede", code="HWK")
    service = ServiceDefinitionFactory(key="sperrmuell-link", process_steps=[])
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    data = {"anliegen": "Sofa „grün“", "anzahl": 1}
    return (
        submit_case(municipality=town, service_key=service.key, data=data),
        submit_case(
            municipality=town, service_key=service.key, data=data, name="Nguyễn Thị Minh Khai"
        ),
    )


def test_the_link_is_exchanged_for_a_cookie_and_a_token_free_address(client, two_cases):
    mine, other = two_cases
    page = f"/track/{mine.reference}/"

    response = client.get(page, {"access_token": mine.access_token})

    assert response.status_code == 302
    assert response["Location"] == page  # no token in the address any more
    cookie = response.cookies[f"track-{mine.reference}"]
    assert cookie["path"] == page and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert 0 < int(cookie["max-age"]) <= 2 * 3600

    shown = client.get(page)
    assert shown.status_code == 200
    html = shown.content.decode()
    assert mine.reference in html
    # Links on the page (documents) carry no token either.
    assert f"?access_token={mine.access_token}" not in html
    # The cookie opens this case only.
    assert client.get(f"/track/{other.reference}/").status_code == 404


def test_a_wrong_token_is_a_404_and_sets_nothing(client, two_cases):
    mine, other = two_cases
    response = client.get(f"/track/{mine.reference}/", {"access_token": other.access_token})
    assert response.status_code == 404
    assert f"track-{mine.reference}" not in response.cookies
    assert client.get(f"/track/{mine.reference}/").status_code == 404


def test_a_forged_or_foreign_cookie_opens_nothing(client, two_cases):
    mine, other = two_cases
    client.get(f"/track/{other.reference}/", {"access_token": other.access_token})
    signed = client.cookies[f"track-{other.reference}"].value
    # Another case's cookie under this case's name: signed for another case.
    client.cookies[f"track-{mine.reference}"] = signed
    assert client.get(f"/track/{mine.reference}/").status_code == 404
    client.cookies[f"track-{mine.reference}"] = mine.access_token  # unsigned
    assert client.get(f"/track/{mine.reference}/").status_code == 404


def test_an_expired_cookie_opens_nothing(client, two_cases, settings):
    mine, _ = two_cases
    client.get(f"/track/{mine.reference}/", {"access_token": mine.access_token})
    settings.TRACKING_COOKIE_SECONDS = -1
    assert client.get(f"/track/{mine.reference}/").status_code == 404


def test_the_api_still_takes_the_token_in_the_header(api, two_cases):
    mine, _ = two_cases
    response = api.get(f"/api/v1/cases/{mine.reference}/", HTTP_X_ACCESS_TOKEN=mine.access_token)
    assert response.status_code == 200
    assert response.json()["reference"] == mine.reference
