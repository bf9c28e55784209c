"""What the portal sends to BundID: a signed AuthnRequest over the Redirect binding with
the trust level as RequestedAuthnContext (minimum) and BundID's akdb extension
(docs/identity.md, "BundID mapping")."""

import urllib.error
import urllib.parse
import urllib.request

import pytest

SAMLP = "{urn:oasis:names:tc:SAML:2.0:protocol}"
SAML = "{urn:oasis:names:tc:SAML:2.0:assertion}"
AKDB = "{https://www.akdb.de/request/2018/09}"
UI = "{https://www.akdb.de/request/2018/09/classic-ui/v1}"
BPK2 = "urn:oid:1.3.6.1.4.1.25484.494450.3"


@pytest.mark.parametrize(
    ("level", "class_ref"),
    [
        ("low", "STORK-QAA-Level-1"),
        ("substantial", "STORK-QAA-Level-3"),
        ("high", "STORK-QAA-Level-4"),
    ],
)
def test_the_level_is_requested_as_a_minimum_stork_class(client, saml, level, class_ref):
    request = saml.authn_request(saml.start(client, level=level))

    context = request.find(f"{SAMLP}RequestedAuthnContext")
    assert context.get("Comparison") == "minimum"
    assert [ref.text for ref in context.findall(f"{SAML}AuthnContextClassRef")] == [class_ref]


def test_the_request_carries_bundids_extension_and_is_signed(client, saml, settings):
    settings.SAML_ORGANIZATION_DISPLAY_NAME = "Kreis Unna – Bürgerservice"
    settings.SAML_ONLINE_SERVICE_ID = "KU-0815"
    location = saml.start(client)
    request = saml.authn_request(location)

    extension = request.find(f"{SAMLP}Extensions/{AKDB}AuthenticationRequest")
    assert extension.get("Version") == "2"
    requested = {
        item.get("Name"): item.get("RequiredAttribute")
        for item in extension.findall(f"{AKDB}RequestedAttributes/{AKDB}RequestedAttribute")
    }
    assert requested[BPK2] == "true"
    for oid in (
        "urn:oid:2.5.4.42",  # given name
        "urn:oid:2.5.4.4",  # surname
        "urn:oid:1.2.40.0.10.2.1.1.55",  # birth date
        "urn:oid:2.5.4.16",  # street
        "urn:oid:2.5.4.17",  # postal code
        "urn:oid:2.5.4.7",  # locality
        "urn:oid:0.9.2342.19200300.100.1.3",  # e-mail
    ):
        assert requested[oid] == "false"
    shown = extension.find(f"{AKDB}DisplayInformation/{UI}Version")
    assert shown.findtext(f"{UI}OrganizationDisplayName") == "Kreis Unna – Bürgerservice"
    assert shown.findtext(f"{UI}OnlineServiceId") == "KU-0815"
    # SAML 2.0 Core 3.4.1: Extensions come before RequestedAuthnContext.
    tags = [child.tag for child in request]
    assert tags.index(f"{SAMLP}Extensions") < tags.index(f"{SAMLP}RequestedAuthnContext")

    assert request.get("AssertionConsumerServiceURL") == "http://127.0.0.1:8000/saml2/acs/"
    assert request.get("ProtocolBinding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    assert request.find(f"{SAMLP}NameIDPolicy").get("Format") == (
        "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
    )
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    assert query["SigAlg"] == ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"]
    assert query["Signature"][0]
    # …and the IdP, which wants signed requests, accepts it and offers its personas.
    page = saml.idp_page(location)
    assert "Kreis Unna – Bürgerservice" in page.text_content()


def test_a_tampered_request_is_refused_by_the_identity_provider(client, saml):
    location = saml.start(client, level="high")
    parts = urllib.parse.urlsplit(location)
    query = dict(urllib.parse.parse_qsl(parts.query))
    other = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(saml.start(client, "low")).query))
    query["SAMLRequest"] = other["SAMLRequest"]  # low level under the high request's signature

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(parts._replace(query=urllib.parse.urlencode(query)).geturl())
    assert refused.value.code == 400


def test_sign_in_is_off_until_configured(client, db, settings):
    settings.SAML_IDP_METADATA = ""

    response = client.get("/saml2/login/", {"level": "high"})

    assert response.status_code == 503
    assert "Die Anmeldung ist nicht verfügbar" in response.content.decode()
