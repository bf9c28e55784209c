"""Responses the portal must refuse, produced by the development IdP as real protocol
messages (its --test-faults switch) or replayed by the test. Each is refused with a clear
page and no identity in the session (issue 15, acceptance 4)."""

import re

import pytest
from django.test import Client

from tests.identity.test_sign_in import identity_of


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize(
    "fault",
    ["foreign-key", "wrong-audience", "expired", "unsolicited", "unencrypted"],
)
def test_a_bad_response_is_refused_and_nobody_is_signed_in(client, saml, fault):
    posted = saml.choose(saml.start(client), "lukasz", fault=fault)

    page = saml.deliver(client, posted)

    assert page.status_code == 400
    assert "Die Anmeldung konnte nicht bestätigt werden" in text(page)
    assert identity_of(client) is None
    assert "Łukasz" not in text(client.get("/saml2/whoami/"))


def test_the_faults_really_are_what_they_claim(client, saml):
    """Guard against a fault that breaks the message some other way: the markers each
    fault leaves are in the XML the portal receives."""
    audience = saml.choose(saml.start(client), "lukasz", fault="wrong-audience")
    assert b"elsewhere.example" not in audience.xml  # encrypted: the audience is inside
    unencrypted = saml.choose(saml.start(client), "lukasz", fault="unencrypted")
    assert b"EncryptedAssertion" not in unencrypted.xml and b"Assertion" in unencrypted.xml
    unsolicited = saml.choose(saml.start(client), "lukasz", fault="unsolicited")
    assert b"InResponseTo" not in unsolicited.xml
    good = saml.choose(saml.start(client), "lukasz")
    assert b"InResponseTo" in good.xml and b"EncryptedAssertion" in good.xml


def test_a_replayed_response_is_refused_in_the_same_and_in_another_session(client, saml):
    posted = saml.choose(saml.start(client), "lukasz")
    assert saml.deliver(client, posted).status_code == 302
    client.post("/saml2/logout/")
    assert identity_of(client) is None

    again = saml.deliver(client, posted)
    assert again.status_code == 400
    assert identity_of(client) is None

    attacker = Client()
    saml.start(attacker)  # even with a sign-in of its own under way
    assert saml.deliver(attacker, posted).status_code == 400
    assert identity_of(attacker) is None


def test_a_response_for_another_browsers_request_is_refused(client, saml):
    """Login CSRF: an attacker's own valid Response must not sign the victim in."""
    attacker = Client()
    posted = saml.choose(saml.start(attacker), "zoe", fault="")
    saml.start(client)

    assert saml.deliver(client, posted).status_code == 400
    assert identity_of(client) is None


def test_a_persona_below_the_required_level_is_refused_with_an_explanation(client, saml):
    """The IdP honours the minimum and answers NoAuthnContext; the portal explains."""
    posted = saml.choose(saml.start(client, level="high"), "zoe")

    page = saml.deliver(client, posted)

    assert page.status_code == 403
    shown = text(page)
    assert "Ihre Anmeldung reicht für diesen Dienst nicht aus" in shown
    assert "Sie melden sich mit dem Online-Ausweis an" in shown
    assert "PIN" in shown
    assert 'href="/saml2/login/?level=high&amp;next=%2Fsaml2%2Fwhoami%2F"' in page.content.decode()
    assert identity_of(client) is None


def test_an_assertion_below_the_required_level_is_refused_even_when_the_idp_issues_it(client, saml):
    posted = saml.choose(saml.start(client, level="high"), "zoe", fault="ignore-level")

    page = saml.deliver(client, posted)

    assert page.status_code == 403
    shown = text(page)
    assert "„niedrig“" in shown and "angemeldet mit Benutzername und Passwort" in shown
    assert identity_of(client) is None


def test_cancelling_at_the_idp_signs_nobody_in(client, saml):
    page = saml.deliver(client, saml.choose(saml.start(client, level="substantial"), None))

    assert page.status_code == 403
    assert "konnte Ihre Identität auf diesem Niveau nicht bestätigen" in text(page)
    assert identity_of(client) is None


def test_the_assertion_consumer_refuses_what_is_not_a_parked_response(client, saml):
    assert client.get("/saml2/acs/", {"r": "no-such-key"}).status_code == 400
    assert client.get("/saml2/acs/").status_code == 400
    assert client.post("/saml2/acs/", {}).status_code == 400
    assert client.post("/saml2/acs/", {"SAMLResponse": "x" * 200_001}).status_code == 400
    parked = client.post("/saml2/acs/", {"SAMLResponse": "bm90IHhtbA=="})
    assert client.get(parked["Location"]).status_code == 400
    assert identity_of(client) is None


def test_the_replay_store_accepts_an_assertion_id_once_and_forgets_expired_ones(db):
    """Behind the one-use rule of the consumer (which also refuses any response whose
    request was already answered): the store itself, shared by all workers."""
    import datetime

    from django.utils import timezone

    from identity.models import ConsumedAssertion
    from identity.saml import replay

    later = timezone.now() + datetime.timedelta(minutes=5)
    assert replay.consume("_a1", "https://idp.example", later) is True
    assert replay.consume("_a1", "https://idp.example", later) is False
    ConsumedAssertion.objects.filter(pk="_a1").update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert replay.consume("_a2", "https://idp.example", later) is True
    assert not ConsumedAssertion.objects.filter(pk="_a1").exists()
