"""The service provider's metadata (validated against the OASIS SAML 2.0 metadata schema,
which pysaml2 ships) and single logout through the development IdP."""

import re
import urllib.error
import urllib.parse
import urllib.request
from importlib.resources import files
from pathlib import Path

import pytest
import saml2.data.schemas
import xmlschema
from lxml import etree

from tests.identity.test_sign_in import identity_of

MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def metadata_schema() -> xmlschema.XMLSchema:
    schemas = files(saml2.data.schemas)
    locations = {
        "http://www.w3.org/XML/1998/namespace": str(schemas / "xml.xsd"),
        "http://www.w3.org/2000/09/xmldsig#": str(schemas / "xmldsig-core-schema.xsd"),
        "http://www.w3.org/2001/04/xmlenc#": str(schemas / "xenc-schema.xsd"),
        "urn:oasis:names:tc:SAML:2.0:assertion": str(schemas / "saml-schema-assertion-2.0.xsd"),
        "urn:oasis:names:tc:SAML:2.0:metadata": str(schemas / "saml-schema-metadata-2.0.xsd"),
    }
    return xmlschema.XMLSchema(
        str(schemas / "saml-schema-metadata-2.0.xsd"), locations=locations, allow="sandbox"
    )


def cert_body(path: str) -> str:
    pem = Path(path).read_text()
    return "".join(pem.split("-----")[2].split())


def test_sp_metadata_is_valid_and_names_the_post_consumer_and_both_keys(client, saml):
    response = client.get("/saml2/metadata/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/samlmetadata+xml")
    metadata_schema().validate(response.content)  # raises on any schema violation
    root = etree.fromstring(response.content)
    assert root.get("entityID") == "http://127.0.0.1:8000/saml2/metadata/"
    sp = root.find(f"{MD}SPSSODescriptor")
    assert sp.get("AuthnRequestsSigned") == "true"
    assert sp.get("WantAssertionsSigned") == "true"
    consumers = sp.findall(f"{MD}AssertionConsumerService")
    assert [(c.get("Binding"), c.get("Location")) for c in consumers] == [
        (POST, "http://127.0.0.1:8000/saml2/acs/")
    ]
    logouts = {s.get("Binding"): s.get("Location") for s in sp.findall(f"{MD}SingleLogoutService")}
    assert logouts[REDIRECT] == "http://127.0.0.1:8000/saml2/ls/"
    keys = {
        k.get("use"): k.findtext(f"{DS}KeyInfo/{DS}X509Data/{DS}X509Certificate")
        for k in sp.findall(f"{MD}KeyDescriptor")
    }
    assert set(keys) == {"signing", "encryption"}
    assert "".join(keys["signing"].split()) == cert_body(saml.idp.sp_cert)
    assert "".join(keys["encryption"].split()) == cert_body(saml.idp.sp_cert)
    assert [f.text for f in sp.findall(f"{MD}NameIDFormat")] == [
        "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
    ]


def test_the_schema_check_would_notice_a_broken_document(client, saml):
    broken = client.get("/saml2/metadata/").content.replace(
        b"AssertionConsumerService ", b"AssertionConsumerServic "
    )
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        metadata_schema().validate(broken)


def test_keys_can_be_given_as_pem_text_and_a_separate_encryption_pair(
    client, saml, settings, tmp_path
):
    from devidp.keys import make_pair

    make_pair(tmp_path / "enc.key", tmp_path / "enc.crt", "encryption")
    settings.SAML_SP_KEY = Path(saml.idp.sp_key).read_text()
    settings.SAML_SP_CERT = Path(saml.idp.sp_cert).read_text()
    settings.SAML_SP_ENCRYPTION_KEY = str(tmp_path / "enc.key")
    settings.SAML_SP_ENCRYPTION_CERT = str(tmp_path / "enc.crt")

    root = etree.fromstring(client.get("/saml2/metadata/").content)

    keys = {
        k.get("use"): "".join(k.findtext(f"{DS}KeyInfo/{DS}X509Data/{DS}X509Certificate").split())
        for k in root.iter(f"{MD}KeyDescriptor")
    }
    assert keys["signing"] == cert_body(saml.idp.sp_cert)
    assert keys["encryption"] == cert_body(str(tmp_path / "enc.crt"))


def test_without_a_key_pair_there_is_no_metadata(client, db, settings):
    settings.SAML_SP_KEY = ""
    settings.SAML_SP_CERT = ""

    assert client.get("/saml2/metadata/").status_code == 404


def test_logout_clears_the_identity_and_signs_out_at_the_idp_too(client, saml, caplog):
    saml.sign_in(client, "lukasz")
    assert identity_of(client) is not None

    page = client.post("/saml2/logout/", {"next": "/bergkamen/"})

    assert page.status_code == 200
    assert identity_of(client) is None
    assert "Sie sind nicht angemeldet." in client.get("/saml2/whoami/").content.decode()
    html = page.content.decode()
    refresh = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', html)
    idp_url = refresh.group(1).replace("&amp;", "&")
    assert idp_url.startswith(f"{saml.idp.base_url}/slo/redirect?SAMLRequest=")
    assert "Signature=" in idp_url
    assert f'href="{refresh.group(1)}"' in html  # the same way as a link, without refresh

    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answered:
        opener.open(idp_url)
    assert answered.value.code == 303
    back = urllib.parse.urlsplit(answered.value.headers["Location"])
    assert back.path == "/saml2/ls/" and "SAMLResponse=" in back.query

    final = client.get(f"{back.path}?{back.query}")
    assert final.status_code == 302 and final["Location"] == "/bergkamen/"
    assert "logout response refused" not in caplog.text  # signed, and answers our request
    assert identity_of(client) is None


def test_logout_without_a_sign_in_is_harmless(client, saml):
    page = client.post("/saml2/logout/")

    assert page.status_code == 200
    assert "refresh" not in page.content.decode()


def test_logout_needs_a_post_with_csrf_token(saml, db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    saml.sign_in(strict, "lukasz")

    assert strict.get("/saml2/logout/").status_code == 405
    assert strict.post("/saml2/logout/").status_code == 403
    assert identity_of(strict) is not None


def _idp_logout_request(saml, persona: str) -> urllib.parse.SplitResult:
    """Start a logout at the IdP; returns where it sends the browser (the portal)."""
    query = urllib.parse.urlencode(
        {"sp": "http://127.0.0.1:8000/saml2/metadata/", "persona": persona}
    )
    with pytest.raises(urllib.error.HTTPError) as sent:
        urllib.request.build_opener(_NoRedirect).open(f"{saml.idp.base_url}/slo/initiate?{query}")
    assert sent.value.code == 303
    return urllib.parse.urlsplit(sent.value.headers["Location"])


def test_a_logout_started_at_the_idp_signs_the_citizen_out(client, saml):
    saml.sign_in(client, "lukasz")
    request = _idp_logout_request(saml, "lukasz")
    assert request.path == "/saml2/ls/" and "Signature=" in request.query

    answer = client.get(f"{request.path}?{request.query}")

    assert identity_of(client) is None
    assert answer.status_code == 302
    assert answer["Location"].startswith(f"{saml.idp.base_url}/slo/redirect?SAMLResponse=")
    with urllib.request.urlopen(answer["Location"]) as confirmed:
        assert "Abmeldung bestätigt" in confirmed.read().decode()


def test_an_idp_logout_for_another_person_leaves_the_session_alone(client, saml):
    saml.sign_in(client, "lukasz")
    request = _idp_logout_request(saml, "zoe")

    assert client.get(f"{request.path}?{request.query}").status_code == 302
    assert identity_of(client).full_name == "Łukasz Yılmaz–Şahin"


def test_an_unsigned_or_tampered_logout_request_is_refused(client, saml):
    saml.sign_in(client, "lukasz")
    request = _idp_logout_request(saml, "lukasz")
    query = dict(urllib.parse.parse_qsl(request.query))

    unsigned = {k: v for k, v in query.items() if k not in ("Signature", "SigAlg")}
    assert client.get(request.path, unsigned).status_code == 400
    other = _idp_logout_request(saml, "zoe")
    tampered = {**query, "SAMLRequest": dict(urllib.parse.parse_qsl(other.query))["SAMLRequest"]}
    assert client.get(request.path, tampered).status_code == 400
    assert identity_of(client) is not None
