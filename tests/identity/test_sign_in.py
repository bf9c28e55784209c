"""Sign-in through the real development IdP at each trust level: the portal's redirect, the
IdP's persona page, the signed and encrypted Response POSTed back (issue 15)."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from identity.levels import Level
from identity.selectors import current_identity

PERSONAS = {
    "lukasz": {
        "level": Level.HIGH,
        "name": "Łukasz Yılmaz–Şahin",
        "birth_date": datetime.date(1987, 3, 14),
        "shown_birth_date": "14.03.1987",
        "address": "Bahnhofstraße 12, 59199 Bönen",
        "email": "lukasz.yilmaz-sahin@example.org",
        "shown_level": "identifiziert mit Online-Ausweis",
    },
    "minh-khai": {
        "level": Level.SUBSTANTIAL,
        "name": "Thị Minh Khai Nguyễn",
        "birth_date": datetime.date(1992, 11, 2),
        "shown_birth_date": "02.11.1992",
        "address": "Weststraße 7, 59174 Kamen",
        "email": "minh-khai.nguyen@example.org",
        "shown_level": "identifiziert mit ELSTER-Zertifikat",
    },
    "zoe": {
        "level": Level.LOW,
        "name": "Zoë Brückner-Øvergaard",
        "birth_date": datetime.date(1975, 6, 30),
        "shown_birth_date": "30.06.1975",
        "address": "Massener Straße 33, 59423 Unna",
        "email": "zoe.brueckner@example.org",
        "shown_level": "angemeldet mit Benutzername und Passwort",
    },
}


def identity_of(client):
    request = RequestFactory().get("/")
    request.session = client.session
    return current_identity(request)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_signs_in_at_its_own_level_and_sees_their_verified_data(client, saml, persona):
    expected = PERSONAS[persona]
    users_before = get_user_model().objects.count()

    page = saml.sign_in(client, persona, level=expected["level"].value)

    assert page.status_code == 302 and page["Location"] == "/saml2/whoami/"
    whoami = text(client.get("/saml2/whoami/"))
    for shown in (
        expected["name"],
        expected["shown_birth_date"],
        expected["address"],
        expected["email"],
        expected["shown_level"],
    ):
        assert shown in whoami
    identity = identity_of(client)
    assert identity.level == expected["level"]
    assert identity.full_name == expected["name"]
    assert identity.birth_date == expected["birth_date"]
    assert identity.address == expected["address"]
    assert identity.email == expected["email"]
    assert identity.country == "DE"
    assert len(identity.pseudonym) >= 20
    assert abs(identity.authenticated_at - datetime.datetime.now(datetime.UTC)).seconds < 120
    # A citizen is no Django user: no row, and request.user stays anonymous.
    assert get_user_model().objects.count() == users_before
    assert client.get("/admin/").status_code == 302


def test_a_higher_level_than_required_is_accepted(client, saml):
    saml.sign_in(client, "lukasz", level="low")

    assert identity_of(client).level == Level.HIGH


def test_the_same_person_has_the_same_pseudonym_at_every_sign_in(client, saml):
    saml.sign_in(client, "minh-khai", level="substantial")
    first = identity_of(client).pseudonym
    client.post("/saml2/logout/")
    assert identity_of(client) is None

    saml.sign_in(client, "minh-khai", level="low")

    assert identity_of(client).pseudonym == first


def test_sign_in_changes_the_session_key_and_keeps_the_language(client, saml):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.get("/saml2/whoami/")
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    location = saml.start(client)
    session_during = client.cookies["sessionid"].value

    saml.deliver(client, saml.choose(location, "lukasz"))

    assert client.cookies["sessionid"].value not in (before, session_during)
    page = text(client.get("/saml2/whoami/"))
    assert "identified with the online ID card" in page  # English kept
    assert "Łukasz Yılmaz–Şahin" in page


def test_next_is_kept_but_never_leads_off_site(client, saml):
    assert saml.sign_in(client, "lukasz", next_url="/bergkamen/")["Location"] == "/bergkamen/"
    client.post("/saml2/logout/")

    page = saml.sign_in(client, "lukasz", next_url="https://evil.example/steal")

    assert page["Location"] == "/"


def test_an_unknown_level_is_a_clear_400_naming_the_parameter(client, saml):
    response = client.get("/saml2/login/", {"level": "very-high"})

    assert response.status_code == 400
    assert "„level“" in response.content.decode()
    assert "substantial" in response.content.decode()


def test_identity_expires_after_the_configured_time(client, saml, settings):
    saml.sign_in(client, "lukasz")
    assert identity_of(client) is not None

    settings.IDENTITY_MAX_AGE_MINUTES = 0

    assert identity_of(client) is None
    assert "Sie sind nicht angemeldet." in text(client.get("/saml2/whoami/"))


def test_identity_pages_keep_the_strict_content_security_policy(client, saml):
    saml.sign_in(client, "lukasz")
    pages = [client.get("/saml2/whoami/"), client.post("/saml2/logout/")]
    pages.append(saml.deliver(client, saml.choose(saml.start(client), "zoe")))  # 403 page

    for page in pages:
        header = page["Content-Security-Policy"]
        assert "unsafe-inline" not in header and "script-src 'self'" in header
        html = page.content.decode()
        assert "<script" not in html and " style=" not in html and " onload=" not in html


def test_the_citizens_data_stays_out_of_the_log(client, saml, caplog):
    import logging

    caplog.set_level(logging.INFO)

    saml.sign_in(client, "lukasz")

    identity = identity_of(client)
    assert identity is not None
    assert identity.pseudonym not in caplog.text
    assert "Yılmaz" not in caplog.text and "1987-03-14" not in caplog.text
