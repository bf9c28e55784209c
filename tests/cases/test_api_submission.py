"""Filing a request through the API (docs/api.md, Cases): validation per field type, fees,
routing, uploads, and the citizen's tracking view and actions."""

import datetime
import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from cases.models import Actor, Attachment, Case, CaseEvent
from cases.references import is_well_formed
from cases.services import case_apply_action, case_record_event
from municipalities.models import Membership
from tests.factories import (
    DelegationFactory,
    MembershipFactory,
    MunicipalityFactory,
    ServiceDefinitionFactory,
    ServiceOfferingFactory,
)
from tests.files import exe_bytes, jpeg_bytes, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db

LABEL = {"de": "Feld", "en": "Field"}
ALL_TYPES_FORM = {
    "steps": [
        {
            "title": {"de": "Alles", "en": "Everything"},
            "fields": [
                {
                    "name": "titel",
                    "type": "text",
                    "label": LABEL,
                    "required": True,
                    "min_length": 3,
                    "max_length": 10,
                },
                {"name": "kennung", "type": "text", "label": LABEL, "pattern": "[A-Z]{2}[0-9]{2}"},
                {"name": "notiz", "type": "textarea", "label": LABEL, "max_length": 20},
                {"name": "mail", "type": "email", "label": LABEL},
                {"name": "telefon", "type": "phone", "label": LABEL},
                {"name": "datum", "type": "date", "label": LABEL},
                {
                    "name": "anzahl",
                    "type": "integer",
                    "label": LABEL,
                    "required": True,
                    "min": 1,
                    "max": 5,
                },
                {"name": "betrag", "type": "decimal", "label": LABEL, "min": 0.5, "max": 10},
                {
                    "name": "farbe",
                    "type": "choice",
                    "label": LABEL,
                    "choices": [{"value": "rot"}, {"value": "gruen"}],
                },
                {
                    "name": "extras",
                    "type": "multichoice",
                    "label": LABEL,
                    "choices": [{"value": "a"}, {"value": "b"}],
                },
                {"name": "zustimmung", "type": "boolean", "label": LABEL, "required": True},
                {"name": "iban", "type": "iban", "label": LABEL},
            ],
        }
    ]
}
VALID = {
    "titel": "Antrag",
    "kennung": "AB12",
    "notiz": "kurz",
    "mail": "a@example.org",
    "telefon": "+49 2303 1234",
    "datum": "2026-05-04",
    "anzahl": 2,
    "betrag": "2,5",
    "farbe": "rot",
    "extras": ["b", "a"],
    "zustimmung": True,
    "iban": "DE89 3704 0044 0532 0130 00",
}
FILE_FORM = {
    "steps": [
        {
            "title": {"de": "Nachweise", "en": "Evidence"},
            "fields": [
                {"name": "anliegen", "type": "text", "label": LABEL, "required": True},
                {
                    "name": "beleg",
                    "type": "file",
                    "label": LABEL,
                    "required": True,
                    "max_size_mb": 1,
                    "accept": ["application/pdf", "image/png", "image/jpeg"],
                },
                {
                    "name": "foto",
                    "type": "file",
                    "label": LABEL,
                    "accept": ["image/png", "image/jpeg"],
                },
            ],
        }
    ]
}
APPLICANT = {"name": "Erika Mustermann", "email": "erika@example.org"}


@pytest.fixture
def town():
    return MunicipalityFactory(slug="musterstadt", name="Musterstadt", code="MUS")


@pytest.fixture
def all_types(town):
    service = ServiceDefinitionFactory(
        key="alles",
        form=ALL_TYPES_FORM,
        fee={"kind": "per_unit", "field": "anzahl", "cents": 250},
        process_steps=[],
    )
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    return service


@pytest.fixture
def with_files(town):
    service = ServiceDefinitionFactory(
        key="nachweise", form=FILE_FORM, fee={"kind": "free"}, process_steps=[]
    )
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    return service


def submit(api, data, *, slug="musterstadt", service="alles", applicant=APPLICANT, **extra):
    body = {"service": service, "applicant": applicant, "data": data}
    return api.post(f"/api/v1/municipalities/{slug}/cases/", body, format="json", **extra)


def submit_multipart(api, data, files, *, slug="musterstadt", service="nachweise"):
    body = {"payload": json.dumps({"service": service, "applicant": APPLICANT, "data": data})}
    return api.post(f"/api/v1/municipalities/{slug}/cases/", {**body, **files}, format="multipart")


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return (
        [Path(d) / f for d, _dirs, files in os.walk(root) for f in files] if root.exists() else []
    )


def assert_nothing_stored() -> None:
    assert not Case.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files() == []


# --- the happy path ---------------------------------------------------------------------


def test_valid_submission_answers_201_with_the_contract_fields(api, all_types):
    response = submit(api, VALID)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {
        "reference",
        "access_token",
        "status",
        "service",
        "municipality",
        "processing_authority",
        "fee_cents",
        "payment_required",
    } <= set(body)
    assert is_well_formed(body["reference"])
    assert body["reference"].startswith(f"MUS-{timezone.localdate().year}-")
    assert body["status"] == "in_review"
    assert body["service"] == "alles"
    assert body["municipality"] == "musterstadt"
    assert body["processing_authority"] == "musterstadt"
    assert body["fee_cents"] == 500  # 2 × 2,50 €
    assert body["payment_required"] is True
    assert len(body["access_token"]) >= 24


def test_answers_are_stored_normalised(api, all_types):
    reference = submit(api, VALID).json()["reference"]
    case = Case.objects.get(reference=reference)
    assert case.data == {
        **VALID,
        "betrag": "2.5",
        "extras": ["a", "b"],
        "iban": "DE89370400440532013000",
    }
    assert case.applicant_name == "Erika Mustermann"
    assert case.service == all_types
    assert case.token_salt and response_token_not_stored(case)


def response_token_not_stored(case: Case) -> bool:
    plain = case.access_token
    return all(plain not in value for value in (case.token_salt, case.access_token_hash)) and (
        plain not in json.dumps(case.data)
    )


def test_the_submission_starts_the_public_timeline(api, all_types):
    reference = submit(api, VALID).json()["reference"]
    events = list(Case.objects.get(reference=reference).events.values_list("type", "to_status"))
    assert events == [("submitted", "submitted"), ("status", "in_review")]


def test_prepaid_service_with_a_fee_waits_for_payment_without_a_due_date(api, town):
    service = ServiceDefinitionFactory(prepay=True, fee={"kind": "fixed", "cents": 900})
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    response = submit(api, {"anliegen": "Bescheinigung", "anzahl": 1}, service=service.key)
    assert response.status_code == 201
    assert response.json()["status"] == "awaiting_payment"
    assert response.json()["fee_cents"] == 900
    assert Case.objects.get().due_date is None


def test_prepaid_service_that_costs_nothing_goes_straight_to_review(api, town):
    service = ServiceDefinitionFactory(prepay=True, fee={"kind": "free"})
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    response = submit(api, {"anliegen": "Auskunft", "anzahl": 1}, service=service.key)
    assert response.json()["status"] == "in_review"
    assert response.json()["fee_cents"] == 0
    assert response.json()["payment_required"] is False


def test_service_paid_after_review_is_in_review_with_a_due_date(api, town):
    service = ServiceDefinitionFactory(
        prepay=False, fee={"kind": "fixed", "cents": 1500}, sla_days=5
    )
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    response = submit(api, {"anliegen": "Genehmigung", "anzahl": 1}, service=service.key)
    assert response.json()["status"] == "in_review"
    from cases.calendar import add_working_days

    assert Case.objects.get().due_date == add_working_days(timezone.localdate(), 5)


def test_a_town_fee_override_is_what_the_citizen_pays(api, town):
    service = ServiceDefinitionFactory(fee={"kind": "fixed", "cents": 1500})
    ServiceOfferingFactory(municipality=town, service_key=service.key, fee_override_cents=1800)
    response = submit(api, {"anliegen": "Genehmigung", "anzahl": 1}, service=service.key)
    assert response.json()["fee_cents"] == 1800


def test_dog_tax_costs_96_euros_per_dog(api, demo):
    data = {
        "familienname": "Mustermann",
        "vornamen": "Erika",
        "geburtsdatum": "1980-02-01",
        "strasse": "Rathausplatz",
        "hausnummer": "1",
        "plz": "59423",
        "ort": "Unna",
        "anzahl_hunde": 3,
        "rasse": "Mischling",
        "haltungsbeginn": "2026-01-15",
    }
    response = submit(api, data, slug="unna", service="hundesteuer-anmeldung")
    assert response.status_code == 201, response.json()
    assert response.json()["fee_cents"] == 3 * 9600
    assert response.json()["status"] == "in_review"


def test_english_request_is_remembered_for_the_emails(api, all_types):
    submit(api, VALID, HTTP_ACCEPT_LANGUAGE="en")
    assert Case.objects.get().language == "en"


# --- routing ----------------------------------------------------------------------------

GEWERBE = {
    "familienname": "Mustermann",
    "vornamen": "Erika",
    "geburtsdatum": "1980-02-01",
    "strasse": "Bahnhofstraße",
    "hausnummer": "7",
    "plz": "59199",
    "ort": "Bönen",
    "rechtsform": "einzelunternehmen",
    "betriebsstaette_anschrift": "Bahnhofstraße 7, 59199 Bönen",
    "taetigkeit": "Fahrradreparatur",
    "beginn": "2026-07-01",
    "erwerb": "haupterwerb",
}


def test_boenen_business_registration_is_processed_by_kamen(api, demo):
    response = submit(api, GEWERBE, slug="boenen", service="gewerbe-anmelden")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["municipality"] == "boenen"
    assert body["processing_authority"] == "kamen"
    assert body["reference"].startswith("BOE-")
    case = Case.objects.get(reference=body["reference"])
    assert case.processing_authority.slug == "kamen"


def _route(api, town, service, other, **delegation):
    DelegationFactory(
        service_key=service.key, from_municipality=town, to_municipality=other, **delegation
    )
    return submit(api, {"anliegen": "x", "anzahl": 1}, service=service.key).json()


def test_a_delegation_starting_tomorrow_does_not_route_todays_case(api, town):
    service = ServiceDefinitionFactory()
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    body = _route(api, town, service, MunicipalityFactory(), valid_from=tomorrow)
    assert body["processing_authority"] == "musterstadt"


def test_an_expired_delegation_does_not_route(api, town):
    service = ServiceDefinitionFactory()
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    body = _route(
        api,
        town,
        service,
        MunicipalityFactory(),
        valid_from=datetime.date(2024, 1, 1),
        valid_until=yesterday,
    )
    assert body["processing_authority"] == "musterstadt"


def test_a_delegation_in_force_today_routes_the_case(api, town):
    service = ServiceDefinitionFactory()
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    other = MunicipalityFactory(slug="nachbarstadt")
    body = _route(api, town, service, other, valid_until=timezone.localdate())
    assert body["processing_authority"] == "nachbarstadt"


# --- one 400 entry per invalid field, for every field type ------------------------------

INVALID = [
    ("titel", None, "required"),
    ("titel", "ab", "at least 3"),
    ("titel", "x" * 11, "at most 10"),
    ("titel", 12345, "text"),
    ("titel", "nul\x00byte", "character"),
    ("kennung", "ab12", "format"),
    ("notiz", "x" * 21, "at most 20"),
    ("mail", "not-an-email", "email address"),
    ("telefon", "call me maybe", "telephone"),
    ("datum", "04.05.2026", "YYYY-MM-DD"),
    ("datum", "2026-02-30", "YYYY-MM-DD"),
    ("anzahl", 0, "1 or more"),
    ("anzahl", 6, "5 or less"),
    ("anzahl", 2.5, "whole number"),
    ("anzahl", "3.5", "whole number"),
    ("anzahl", True, "whole number"),
    ("anzahl", "zwei", "whole number"),
    ("betrag", "zehn", "number"),
    ("betrag", 11, "10 or less"),
    ("betrag", "0,1", "0.5 or more"),
    ("betrag", True, "number"),
    ("betrag", "NaN", "number"),
    ("farbe", "blau", "choices"),
    ("farbe", ["rot"], "choices"),
    ("extras", "a", "choices"),
    ("extras", ["a", "c"], "choices"),
    ("zustimmung", "vielleicht", "yes or no"),
    ("zustimmung", False, "confirm"),
    ("iban", "DE00 1234 5678", "IBAN"),
    ("iban", 12345, "IBAN"),
]


@pytest.mark.parametrize(
    ("field", "value", "message"), INVALID, ids=[f"{f}-{v!r}"[:40] for f, v, _m in INVALID]
)
def test_one_invalid_field_gives_one_400_entry_naming_it(api, all_types, field, value, message):
    data = {**VALID}
    if value is None:
        del data[field]
    else:
        data[field] = value
    response = submit(api, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [f"data.{field}"]
    assert len(errors[f"data.{field}"]) == 1
    assert message.lower() in errors[f"data.{field}"][0].lower()
    assert not Case.objects.exists()


def test_every_invalid_field_is_reported_at_once(api, all_types):
    bad = {}
    for field, value, _message in INVALID:
        if value is not None and field not in bad:
            bad[field] = value
    response = submit(api, bad)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {f"data.{f}" for f in bad}


def test_optional_fields_may_be_left_empty(api, all_types):
    response = submit(api, {"titel": "Antrag", "anzahl": 1, "zustimmung": True, "mail": ""})
    assert response.status_code == 201, response.json()
    assert Case.objects.get().data == {"titel": "Antrag", "anzahl": 1, "zustimmung": True}


def test_page_style_string_answers_are_accepted(api, all_types):
    response = submit(api, {**VALID, "anzahl": " 3 ", "zustimmung": "on", "betrag": "10"})
    assert response.status_code == 201, response.json()
    assert Case.objects.get().data["anzahl"] == 3


def test_unknown_fields_are_refused_by_name(api, all_types):
    response = submit(api, {**VALID, "hobby": "Angeln", "schuhgroesse": 42})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"data.hobby", "data.schuhgroesse"}
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("applicant", "keys"),
    [
        (None, {"applicant"}),
        ("Erika", {"applicant"}),
        ({}, {"applicant.name", "applicant.email"}),
        ({"name": "E", "email": "erika@example.org"}, {"applicant.name"}),
        ({"name": "Erika", "email": "erika(at)example"}, {"applicant.email"}),
    ],
)
def test_applicant_errors_are_reported(api, all_types, applicant, keys):
    response = submit(api, VALID, applicant=applicant)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == keys


# --- bodies that are not a submission ---------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        ('{"service": "alles", ', "application/json"),
        ("", "application/json"),
        (b'{"service": "\xff\xfe"}', "application/json"),
        ('{"service": "alles", "data": ' + "[" * 50_000 + "]" * 50_000 + "}", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('"alles"', "application/json"),
        ("null", "application/json"),
        ('{"service": 7, "applicant": {}, "data": {}}', "application/json"),
        ('{"applicant": {}, "data": {}}', "application/json"),
        (
            '{"service": "alles", "applicant": {"name": "Erika", "email": "e@example.org"},'
            ' "data": [1]}',
            "application/json",
        ),
        (
            '{"service": "alles", "applicant": {"name": "Erika", "email": "e@example.org"},'
            ' "data": "x"}',
            "application/json",
        ),
    ],
)
def test_a_body_that_is_not_a_submission_answers_400(api, all_types, raw, content_type):
    response = api.generic(
        "POST", "/api/v1/municipalities/musterstadt/cases/", raw, content_type=content_type
    )
    assert response.status_code == 400
    assert {"detail", "errors"} == set(response.json())  # every error: both keys
    assert not Case.objects.exists()


def test_multipart_without_payload_or_with_broken_json_answers_400(api, with_files):
    url = "/api/v1/municipalities/musterstadt/cases/"
    missing = api.post(url, {"beleg": upload("a.pdf", pdf_bytes())}, format="multipart")
    broken = api.post(
        url, {"payload": "{no json", "beleg": upload("a.pdf", pdf_bytes())}, format="multipart"
    )
    listed = api.post(url, {"payload": "[]"}, format="multipart")
    nested = api.post(url, {"payload": "[" * 50_000 + "]" * 50_000}, format="multipart")
    assert [s.status_code for s in (missing, broken, listed, nested)] == [400, 400, 400, 400]
    assert "payload" in missing.json()["errors"]
    assert "payload" in broken.json()["errors"]
    assert_nothing_stored()


def test_a_service_the_town_does_not_offer_answers_404(api, demo):
    # The registration of a licence plate is the district's, not Bergkamen's.
    response = submit(api, {}, slug="bergkamen", service="wunschkennzeichen")
    assert response.status_code == 404
    assert submit(api, {}, slug="bergkamen", service="no-such-service").status_code == 404
    assert submit(api, GEWERBE, slug="atlantis", service="gewerbe-anmelden").status_code == 404
    assert not Case.objects.exists()


def test_a_switched_off_offering_answers_404(api, town, all_types):
    town.offerings.update(active=False)
    assert submit(api, VALID).status_code == 404


# --- uploads ----------------------------------------------------------------------------


def test_a_required_file_missing_from_a_json_submission_is_a_field_error(api, with_files):
    response = submit(api, {"anliegen": "Nachweis"}, service="nachweise")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["data.beleg"]


def test_a_required_file_missing_from_multipart_is_a_field_error(api, with_files):
    response = submit_multipart(api, {"anliegen": "Nachweis"}, {})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["data.beleg"]


def test_a_pdf_upload_is_stored_as_a_pdf_attachment(api, with_files):
    content = pdf_bytes()
    response = submit_multipart(
        api, {"anliegen": "Nachweis"}, {"beleg": upload("Nachweis.pdf", content, "application/pdf")}
    )
    assert response.status_code == 201, response.json()
    attachment = Attachment.objects.get()
    assert attachment.case.reference == response.json()["reference"]
    assert attachment.field_name == "beleg"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(content)
    assert attachment.original_name == "Nachweis.pdf"
    with attachment.file.open("rb") as handle:
        assert handle.read() == content
    assert len(stored_files()) == 1


def test_the_stored_type_is_the_sniffed_one_not_the_name_or_claim(api, with_files):
    response = submit_multipart(
        api,
        {"anliegen": "Nachweis"},
        {
            "beleg": upload("scan.pdf", png_bytes(), "application/pdf"),
            "foto": upload("foto.png", jpeg_bytes(), "image/png"),
        },
    )
    assert response.status_code == 201, response.json()
    types = dict(Attachment.objects.values_list("field_name", "content_type"))
    assert types == {"beleg": "image/png", "foto": "image/jpeg"}


def test_a_file_over_the_field_limit_answers_413_and_stores_nothing(api, with_files):
    too_big = pdf_bytes() + b"%" * (1024 * 1024)
    response = submit_multipart(
        api,
        {"anliegen": "Nachweis"},
        {"beleg": upload("gross.pdf", too_big), "foto": upload("f.png", png_bytes())},
    )
    assert response.status_code == 413
    assert "data.beleg" in response.json()["errors"]
    assert_nothing_stored()


def test_a_file_over_the_portal_wide_limit_answers_413(api, with_files, settings):
    settings.UPLOAD_MAX_BYTES = 5000
    response = submit_multipart(
        api,
        {"anliegen": "Nachweis"},
        {
            "beleg": upload("a.pdf", pdf_bytes()),
            "foto": upload("f.jpg", jpeg_bytes() + bytes(6000)),
        },
    )
    assert response.status_code == 413
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.pdf", b"This is plain text pretending to be a PDF.\n" * 20),
        ("setup.exe", exe_bytes()),
        ("rechnung.pdf", exe_bytes()),
        ("leer.pdf", b""),
    ],
)
def test_a_file_that_is_not_an_allowed_type_answers_400_and_stores_nothing(
    api, with_files, name, content
):
    response = submit_multipart(
        api, {"anliegen": "Nachweis"}, {"beleg": upload(name, content, "application/pdf")}
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["data.beleg"]
    assert_nothing_stored()


def test_a_pdf_in_an_images_only_field_is_refused(api, with_files):
    response = submit_multipart(
        api,
        {"anliegen": "Nachweis"},
        {"beleg": upload("a.pdf", pdf_bytes()), "foto": upload("foto.pdf", pdf_bytes())},
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["data.foto"]
    assert_nothing_stored()


def test_one_bad_file_among_good_ones_stores_none_of_them(api, with_files):
    response = submit_multipart(
        api,
        {"anliegen": "Nachweis"},
        {"beleg": [upload("a.pdf", pdf_bytes()), upload("b.pdf", exe_bytes())]},
    )
    assert response.status_code == 400
    assert_nothing_stored()


def test_a_good_file_with_invalid_answers_stores_nothing(api, with_files):
    response = submit_multipart(api, {"anliegen": ""}, {"beleg": upload("a.pdf", pdf_bytes())})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["data.anliegen"]
    assert_nothing_stored()


def test_a_file_part_for_an_unknown_field_is_refused(api, with_files):
    response = submit_multipart(
        api,
        {"anliegen": "Nachweis"},
        {"beleg": upload("a.pdf", pdf_bytes()), "virus": upload("v.pdf", pdf_bytes())},
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["data.virus"]
    assert_nothing_stored()


# --- tracking: the citizen's detail view ------------------------------------------------


@pytest.fixture
def filed(api, all_types):
    body = submit(api, VALID).json()
    case = Case.objects.get(reference=body["reference"])
    case_record_event(case=case, type="note", comment="Nur intern: Akte prüfen", internal=True)
    return case, body["access_token"]


def detail(api, reference, token=None, **extra):
    url = f"/api/v1/cases/{reference}/"
    if token is not None:
        url += f"?access_token={token}"
    return api.get(url, **extra)


def test_the_right_token_shows_the_case_with_public_events_only(
    api, filed, django_assert_max_num_queries
):
    case, token = filed
    with django_assert_max_num_queries(8):
        response = detail(api, case.reference, token)
    assert response.status_code == 200
    body = response.json()
    assert {
        "reference",
        "status",
        "service",
        "municipality",
        "processing_authority",
        "applicant",
        "data",
        "fee_cents",
        "payment_status",
        "assigned_to",
        "due_date",
        "events",
    } <= set(body)
    assert body["reference"] == case.reference
    assert body["status"] == "in_review"
    assert body["applicant"] == APPLICANT
    assert body["data"]["titel"] == "Antrag"
    assert [e["type"] for e in body["events"]] == ["submitted", "status"]
    assert {"at", "type", "from", "to", "comment"} <= set(body["events"][0])
    assert "Nur intern" not in json.dumps(body)
    assert case.events.filter(visibility=CaseEvent.Visibility.INTERNAL).exists()


def test_the_token_works_as_a_header_too(api, filed):
    case, token = filed
    response = api.get(f"/api/v1/cases/{case.reference}/", HTTP_X_ACCESS_TOKEN=token)
    assert response.status_code == 200


def test_a_wrong_missing_or_foreign_token_answers_404(api, filed):
    case, token = filed
    other = submit(api, {**VALID, "titel": "Zweiter"}).json()
    wrong = token[:-2] + ("yy" if token.endswith("xx") else "xx")  # never the token itself
    assert detail(api, case.reference, wrong).status_code == 404
    assert detail(api, case.reference).status_code == 404
    assert detail(api, case.reference, "").status_code == 404
    assert detail(api, case.reference, other["access_token"]).status_code == 404
    assert (
        api.get(
            f"/api/v1/cases/{case.reference}/", HTTP_X_ACCESS_TOKEN=other["access_token"]
        ).status_code
        == 404
    )
    assert detail(api, "MUS-2026-ZZZZZZ", token).status_code == 404
    # The answer gives nothing away: the same for a wrong token as for no such case.
    assert detail(api, case.reference, "nope").json() == detail(api, "NOPE", "nope").json()


def test_the_processing_clerk_sees_internal_events_and_a_foreign_clerk_gets_404(api, filed):
    case, _token = filed
    own = MembershipFactory(municipality=case.processing_authority, role=Membership.Role.CLERK)
    foreign = MembershipFactory(role=Membership.Role.CLERK)
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=own.user).key}")
    events = detail(api, case.reference).json()["events"]
    assert "Nur intern: Akte prüfen" in [e["comment"] for e in events]
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=foreign.user).key}")
    assert detail(api, case.reference).status_code == 404


def test_the_filing_towns_clerk_does_not_see_a_delegated_case(api, demo):
    body = submit(api, GEWERBE, slug="boenen", service="gewerbe-anmelden").json()
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    for username, expected in (("clerk-boenen", 404), ("clerk-kamen", 200)):
        token = Token.objects.create(user=users.get(username=username))
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        assert detail(api, body["reference"]).status_code == expected, username


# --- citizen actions --------------------------------------------------------------------


def act(api, case, token, **body):
    return api.post(
        f"/api/v1/cases/{case.reference}/actions/?access_token={token}", body, format="json"
    )


def test_the_citizen_can_withdraw_an_open_request_once(api, filed):
    case, token = filed
    response = act(api, case, token, action="withdraw", comment="Hat sich erledigt")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    case.refresh_from_db()
    assert case.status == "withdrawn" and case.closed_at is not None
    again = act(api, case, token, action="withdraw")
    assert again.status_code == 409
    assert again.json()["detail"]


def test_respond_while_not_asked_answers_409_with_the_reason(api, filed):
    case, token = filed
    response = act(api, case, token, action="respond", comment="Hier ist mein Nachweis")
    assert response.status_code == 409
    assert "nicht möglich" in response.json()["detail"]  # German by default
    case.refresh_from_db()
    assert case.status == "in_review"


def test_respond_after_a_question_returns_the_case_to_review(api, filed):
    case, token = filed
    case_apply_action(
        case=case,
        action="request_info",
        actor_kind=Actor.CLERK,
        actor=MembershipFactory(municipality=case.processing_authority).user,
        comment="Bitte Nachweis nachreichen",
    )
    assert act(api, case, token, action="respond").status_code == 400  # a comment is needed
    response = api.post(
        f"/api/v1/cases/{case.reference}/actions/",
        {"action": "respond", "comment": "Anbei", "files": upload("n.pdf", pdf_bytes())},
        format="multipart",
        HTTP_X_ACCESS_TOKEN=token,
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "in_review"
    public = [e["comment"] for e in response.json()["events"]]
    assert "Bitte Nachweis nachreichen" in public and "Anbei" in public
    assert Attachment.objects.get(case=case).content_type == "application/pdf"


def test_an_unknown_action_answers_400_and_a_clerk_action_404_for_citizens(api, filed):
    case, token = filed
    assert act(api, case, token, action="explode").status_code == 400
    assert act(api, case, token).status_code == 400
    assert act(api, case, token, action="approve").status_code == 404
    case.refresh_from_db()
    assert case.status == "in_review"


def test_actions_with_a_wrong_token_answer_404(api, filed):
    case, token = filed
    wrong = ("y" if token.startswith("x") else "x") + token[1:]  # never the token itself
    assert act(api, case, wrong, action="withdraw").status_code == 404
    case.refresh_from_db()
    assert case.status == "in_review"
