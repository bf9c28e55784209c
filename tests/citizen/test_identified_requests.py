"""Services with a trust level, through the real development IdP (issue 15): the page sends
an anonymous citizen to BundID before the first step, the API answers 401, a signed-in
citizen's verified data is prefilled and locked, the case is linked to the pseudonym, and
"Meine Anträge" lists the person's cases in every town."""

import re

from django.contrib.auth import get_user_model
from django.test import Client

from cases.models import Attachment, Case
from cases.services import attachment_add_generated
from identity.levels import Level

FZ = "/unna/fuehrungszeugnis/"
LUKASZ = {
    "familienname": "Yılmaz–Şahin",
    "vornamen": "Łukasz",
    "geburtsdatum": "1987-03-14",
}


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def input_tag(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert match, f"no input {name}"
    return match.group(0)


def file_fuehrungszeugnis(client: Client, *, typed_name: str = "Muster") -> Case:
    """Walk the Führungszeugnis pages as a signed-in citizen; the browser posts a
    different surname for the locked field, which must not win."""
    steps = [
        {
            "familienname": typed_name,
            "vornamen": "Erika",
            "geburtsname": "Yılmaz",
            "geburtsdatum": "01.01.2000",
            "geburtsort": "Gdańsk",
        },
        {"art": "privat"},
        {},
        {"applicant_name": "Erika Muster", "applicant_email": "erika@example.org"},
    ]
    for number, answers in enumerate(steps, start=1):
        url = FZ if number == 1 else f"{FZ}{number}/"
        response = client.post(url, answers)
        assert response.status_code == 302, text(response)[:3000]
    response = client.post(f"{FZ}check/")
    assert response.status_code == 302 and "/done/" in response["Location"], response
    reference = response["Location"].rstrip("/").split("/")[-1]
    return Case.objects.get(reference=reference)


def test_an_anonymous_citizen_is_sent_to_sign_in_before_the_first_step(client, demo, saml):
    for path in (FZ, f"{FZ}2/", f"{FZ}check/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/saml2/login/?level=high&next=%2Funna%2F")
    # …and the redirect continues to the identity provider asking for the online ID card.
    location = saml.start(client, "high", FZ)
    assert saml.authn_request(location) is not None
    assert client.post(f"{FZ}check/").status_code == 302
    assert not Case.objects.exists()


def test_the_municipality_page_says_how_to_sign_in(client, demo):
    page = text(client.get("/unna/", HTTP_ACCEPT_LANGUAGE="de"))
    assert "Sie melden sich mit dem Online-Ausweis an" in page
    english = text(client.get("/unna/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "You sign in with the online ID card" in english


def test_an_anonymous_api_submission_to_a_high_service_answers_401(api, demo):
    response = api.post(
        "/api/v1/municipalities/unna/cases/",
        {
            "service": "fuehrungszeugnis",
            "applicant": {"name": "Erika Muster", "email": "erika@example.org"},
            "data": {**LUKASZ, "geburtsname": "X", "geburtsort": "Y", "art": "privat"},
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"]
    body = response.json()
    assert "BundID" in body["detail"] and "Online-Ausweis" in body["detail"]
    assert body["trust_level"] == "high"
    assert body["sign_in_url"] == "/saml2/login/?level=high"
    assert not Case.objects.exists()


def test_a_signed_in_citizen_finds_verified_data_locked_and_the_case_linked(client, demo, saml):
    saml.sign_in(client, "lukasz", level="high", next_url=FZ)
    page = text(client.get(FZ))
    assert 'id="signed-in-as"' in page and "identifiziert mit Online-Ausweis" in page
    surname = input_tag(page, "familienname")
    assert 'value="Yılmaz–Şahin"' in surname and "readonly" in surname
    assert "field-familienname-verified" in surname  # described by the "confirmed" note
    assert "readonly" in input_tag(page, "geburtsdatum") and "14.03.1987" in page
    assert "readonly" not in input_tag(page, "geburtsname")  # BundID does not confirm it

    case = file_fuehrungszeugnis(client, typed_name="Muster")
    done = text(client.get(f"{FZ}done/{case.reference}/"))
    assert 'id="done-my-cases" href="/meine-antraege/"' in done

    assert {k: case.data[k] for k in LUKASZ} == LUKASZ  # the verified values, not the typed
    assert case.data["geburtsname"] == "Yılmaz"
    assert case.applicant_name == "Łukasz Yılmaz–Şahin"
    assert case.applicant_email == "lukasz.yilmaz-sahin@example.org"
    assert case.identity_level == Level.HIGH and case.identified_at is not None
    assert case.applicant_pseudonym and case.applicant_pseudonym not in (
        case.applicant_name,
        case.applicant_email,
    )

    clerk = Client()
    clerk.force_login(get_user_model().objects.get(username="clerk-unna"))
    workspace = text(clerk.get(f"/workspace/cases/{case.reference}/", HTTP_ACCEPT_LANGUAGE="de"))
    assert "identifiziert mit Online-Ausweis" in workspace


def test_a_sign_in_below_the_service_level_is_refused_and_sent_to_sign_in_again(client, demo, saml):
    refused = saml.sign_in(client, "zoe", level="high", next_url=FZ)
    assert refused.status_code == 403
    assert "Online-Ausweis" in text(refused)
    assert client.get(FZ).status_code == 302  # still nobody signed in
    # Signed in at "low" for another service, the Führungszeugnis asks for more.
    saml.sign_in(client, "zoe", level="low", next_url="/unna/")
    again = client.get(FZ)
    assert again.status_code == 302 and again["Location"].startswith("/saml2/login/?level=high")


def test_the_api_accepts_the_session_of_the_saml_sign_in(client, demo, saml):
    saml.sign_in(client, "lukasz", level="high")
    response = client.post(
        "/api/v1/municipalities/kamen/cases/",
        {
            "service": "fuehrungszeugnis",
            "applicant": {"name": "Someone Else", "email": "else@example.org"},
            "data": {
                "familienname": "Else",
                "vornamen": "Some",
                "geburtsname": "Yılmaz",
                "geburtsdatum": "2001-01-01",
                "geburtsort": "Gdańsk",
                "art": "privat",
            },
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.applicant_name == "Łukasz Yılmaz–Şahin"
    assert {k: case.data[k] for k in LUKASZ} == LUKASZ
    assert case.identity_level == Level.HIGH
    detail = client.get(
        f"/api/v1/cases/{case.reference}/", HTTP_X_ACCESS_TOKEN=response.json()["access_token"]
    ).json()
    assert detail["identity_level"] == "high" and detail["identified_at"]
    assert case.applicant_pseudonym not in str(detail)  # the pseudonym stays inside


def test_a_substantial_sign_in_is_not_enough_for_the_api_either(client, demo, saml):
    saml.sign_in(client, "minh-khai", level="substantial")
    response = client.post(
        "/api/v1/municipalities/kamen/cases/",
        {"service": "fuehrungszeugnis", "applicant": {}, "data": {}},
        content_type="application/json",
    )
    assert response.status_code == 401 and response.json()["trust_level"] == "high"
    assert not Case.objects.exists()


def test_an_anonymous_service_stays_anonymous_and_links_a_signed_in_citizen(client, demo, saml):
    assert client.get("/unna/meldebescheinigung/").status_code == 200  # no sign-in asked
    saml.sign_in(client, "minh-khai", level="substantial")
    page = text(client.get("/kamen/meldebescheinigung/2/"))
    assert 'value="Weststraße"' in input_tag(page, "strasse")
    assert 'value="7"' in input_tag(page, "hausnummer") and "readonly" in input_tag(page, "plz")
    response = client.post(
        "/api/v1/municipalities/kamen/cases/",
        {
            "service": "meldebescheinigung",
            "applicant": {"name": "x", "email": "minh-khai.nguyen@example.org"},
            "data": {"art": "einfach", "zustellung": "post"},
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.identity_level == Level.SUBSTANTIAL and case.applicant_pseudonym
    assert case.data["strasse"] == "Weststraße" and case.data["ort"] == "Kamen"


def test_meine_antraege_lists_the_persons_cases_in_every_town_and_logout_clears_it(
    client, demo, saml, file_case
):
    anonymous = file_case().case  # someone's anonymous case: never listed
    saml.sign_in(client, "lukasz", level="high", next_url=FZ)
    in_unna = file_fuehrungszeugnis(client)
    in_kamen = client.post(
        "/api/v1/municipalities/kamen/cases/",
        {
            "service": "meldebescheinigung",
            "applicant": {},
            "data": {"art": "einfach", "zustellung": "post"},
        },
        content_type="application/json",
    ).json()["reference"]
    other = Client()
    saml.sign_in(other, "minh-khai", level="substantial")
    theirs = other.post(
        "/api/v1/municipalities/unna/cases/",
        {"service": "meldebescheinigung", "data": {"art": "einfach", "zustellung": "post"}},
        content_type="application/json",
    ).json()["reference"]

    attachment_add_generated(  # as issuing a decision stores it
        case=in_unna,
        field_name="bescheid",
        filename="Bescheid – Łukasz Yılmaz–Şahin.pdf",
        content=b"%PDF-1.7 Bescheid",
        kind=Attachment.Kind.DOCUMENT,
    )
    page = text(client.get("/meine-antraege/", HTTP_ACCEPT_LANGUAGE="de"))
    assert "Łukasz Yılmaz–Şahin" in page
    assert in_unna.reference in page and in_kamen in page
    filed_with = re.findall(r"Eingereicht bei</dt> <dd[^>]*>([^<]+)</dd>", page)
    assert sorted(filed_with) == ["Kamen", "Unna"]
    assert anonymous.reference not in page and theirs not in page
    assert "Zahlung ausstehend" in page  # status, and what happens next:
    assert "Ihr Antrag wird geprüft, sobald die Gebühr bezahlt ist." in page
    # The links open the case by the sign-in: no access token in any address.
    assert "access_token" not in page
    opened = client.get(f"/meine-antraege/{in_unna.reference}/")
    assert opened.status_code == 302 and opened["Location"] == f"/track/{in_unna.reference}/"
    assert "Zahlung ausstehend" in text(client.get(opened["Location"]))
    receipt = re.search(rf'href="(/meine-antraege/{in_unna.reference}/files/\d+/)"', page)
    download = client.get(receipt.group(1))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.7 Bescheid"
    # Someone else, signed in or not, finds neither the case nor its documents.
    for stranger in (other, Client()):
        assert stranger.get(f"/meine-antraege/{in_unna.reference}/").status_code == 404
        assert stranger.get(receipt.group(1)).status_code == 404

    client.post("/saml2/logout/", {"next": "/meine-antraege/"})
    after = text(client.get("/meine-antraege/"))
    assert in_unna.reference not in after and 'id="my-cases-sign-in"' in after


def test_a_weaker_sign_in_does_not_open_cases_filed_with_the_online_id_card(client, demo, saml):
    """The same person (same pseudonym) signed in with a password sees that there is more,
    not what it is."""
    saml.sign_in(client, "lukasz", level="high", next_url=FZ)
    case = file_fuehrungszeugnis(client)
    Case.objects.filter(pk=case.pk).update(identity_level=Level.HIGH)
    session = client.session
    session["identity"] = {**session["identity"], "level": "low"}
    session.save()
    page = text(client.get("/meine-antraege/", HTTP_ACCEPT_LANGUAGE="de"))
    assert case.reference not in page
    assert 'id="my-cases-stronger"' in page and "level=high" in page
    assert client.get(f"/meine-antraege/{case.reference}/").status_code == 404


def test_the_pages_read_in_english_too(client, demo, saml):
    saml.sign_in(client, "lukasz", level="high", next_url=FZ)
    page = text(client.get(FZ, HTTP_ACCEPT_LANGUAGE="en"))
    assert "Confirmed by your BundID sign-in; it cannot be changed here." in page
    assert "identified with the online ID card" in page
    file_fuehrungszeugnis(client)
    mine = text(client.get("/meine-antraege/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "My requests" in mine and "Apply for a certificate of good conduct" in mine
    assert "Your request will be reviewed once the fee has been paid." in mine


def test_meine_antraege_reads_the_database_a_fixed_number_of_times(
    client, demo, saml, django_assert_max_num_queries
):
    """However many requests a person has, the page costs the same few queries (the
    cases with service and towns in one, their documents in a second)."""
    saml.sign_in(client, "minh-khai", level="substantial")
    body = {"service": "meldebescheinigung", "data": {"art": "einfach", "zustellung": "post"}}
    for town in ("unna", "kamen", "bergkamen", "selm", "werne", "holzwickede"):
        response = client.post(
            f"/api/v1/municipalities/{town}/cases/", body, content_type="application/json"
        )
        assert response.status_code == 201, response.content
    with django_assert_max_num_queries(4):
        page = text(client.get("/meine-antraege/"))
    assert page.count('id="case-') == 6
