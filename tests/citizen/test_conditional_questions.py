"""Conditional questions from the outside (issue 16, acceptance 2): the API, the citizen's
pages, check-your-answers, the clerk's view and the receipt all follow one evaluator."""

import io
import json
import re

import pypdf
import pytest
from django.core import mail
from django.test import Client

from cases.models import Attachment, Case
from catalog.models import ServiceDefinition
from tests.catalog.test_conditions import DOG_FORM
from tests.factories import MunicipalityFactory, ServiceDefinitionFactory, ServiceOfferingFactory
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

APPLICANT = {"name": "Nguyễn Thị Minh Khai", "email": "minh.khai@example.org"}
BASE = "/holzwickede/hundesteuer-test/"


@pytest.fixture
def town():
    town = MunicipalityFactory(slug="holzwickede", name="Holzwickede", code="HOL")
    service = ServiceDefinitionFactory(
        key="hundesteuer-test",
        name={"de": "Hundesteuer", "en": "Dog tax"},
        form=DOG_FORM,
        fee={"kind": "fixed", "cents": 1250},
        process_steps=["send_receipt"],
    )
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    return town


def submit(api, data, **extra):
    body = {"service": "hundesteuer-test", "applicant": APPLICANT, "data": data}
    return api.post("/api/v1/municipalities/holzwickede/cases/", body, format="json", **extra)


def receipt_text() -> str:
    [message] = [m for m in mail.outbox if m.to == [APPLICANT["email"]]]
    [(_name, content, _type)] = message.attachments
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pages))


# --- the API ----------------------------------------------------------------------------


def test_a_hidden_required_question_may_be_absent_and_its_sent_answer_is_dropped(
    api, town, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(api, {"hund": "nein", "rasse": "Dackel", "hunde": 0})
    assert response.status_code == 201, response.json()
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.data == {"hund": "nein", "hunde": 0}
    text = receipt_text()
    assert "Halten Sie einen Hund?" in text and "Nein" in text
    assert "Rasse" not in text and "Dackel" not in text and "Befreiung" not in text


def test_a_shown_required_question_that_is_absent_is_a_400_naming_it(api, town):
    response = submit(api, {"hund": "ja", "herkunft": "zuechter"})
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"data.rasse"}, body
    assert not Case.objects.exists()


def test_a_shown_step_asks_its_questions_and_a_hidden_steps_upload_is_dropped(api, town):
    answers = {"hund": "ja", "rasse": "Mischling", "herkunft": "tierheim"}
    response = submit(api, answers)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"data.begruendung", "data.nachweis"}

    body = {"service": "hundesteuer-test", "applicant": APPLICANT}
    payload = {**body, "data": {**answers, "herkunft": "zuechter"}}
    response = api.post(
        "/api/v1/municipalities/holzwickede/cases/",
        {"payload": json.dumps(payload), "nachweis": upload("n.pdf", pdf_bytes())},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert not Attachment.objects.filter(field_name="nachweis").exists()


def test_the_condition_counts_as_the_field_reads_the_answer(api, town):
    response = submit(api, {"hund": "nein", "hunde": "3"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"data.hinweis"}


# --- the pages ------------------------------------------------------------------------------


def step(number: int) -> str:
    return BASE if number == 1 else f"{BASE}{number}/"


def test_pages_skip_a_hidden_step_and_never_ask_a_hidden_question(
    town, django_capture_on_commit_callbacks
):
    client = Client()
    first = client.get(step(1)).content.decode()
    # Without JavaScript the page shows the conditional questions and says when they apply.
    assert "Nur wenn „Halten Sie einen Hund?“ mit „Ja“ beantwortet wurde." in first
    assert 'data-visible-if="' in first and "js/conditions" in first

    response = client.post(step(1), {"hund": "nein", "rasse": "", "hunde": "1"})
    assert response.status_code == 302
    assert response["Location"] == step(3)  # the exemption step does not apply
    response = client.post(step(3), {})
    assert response["Location"] == step(4)
    assert client.get(step(2))["Location"] == step(3)
    back = client.get(step(3)).content.decode()
    assert f'href="{step(1)}"' in back

    client.post(
        step(4), {"applicant_name": APPLICANT["name"], "applicant_email": APPLICANT["email"]}
    )
    check = client.get(f"{BASE}check/").content.decode()
    assert "Halten Sie einen Hund?" in check
    assert "Rasse" not in check and "Befreiung" not in check

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}check/")
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.data == {"hund": "nein", "hunde": 1}
    assert "Rasse" not in receipt_text()


def test_pages_ask_a_shown_question_and_a_changed_answer_drops_the_old_one(town):
    client = Client()
    response = client.post(step(1), {"hund": "ja", "hunde": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#field-rasse"' in page and 'href="#field-herkunft"' in page

    answers = {"hund": "ja", "rasse": "Mischling", "herkunft": "tierheim", "hunde": "1"}
    assert client.post(step(1), answers)["Location"] == step(2)
    response = client.post(
        step(2),
        {"begruendung": "Aus dem Tierheim „Unna“", "nachweis": upload("n.pdf", pdf_bytes())},
    )
    assert response["Location"] == step(3)
    client.post(step(3), {})
    client.post(
        step(4), {"applicant_name": APPLICANT["name"], "applicant_email": APPLICANT["email"]}
    )
    check = client.get(f"{BASE}check/").content.decode()
    assert "Aus dem Tierheim „Unna“" in check and "Mischling" in check

    # The citizen changes their mind: no dog. The dog's answers no longer apply.
    client.post(step(1) + "?return=check", {"hund": "nein", "hunde": "1", "return": "check"})
    check = client.get(f"{BASE}check/").content.decode()
    assert "Mischling" not in check and "Tierheim" not in check
    client.post(f"{BASE}check/")
    case = Case.objects.get()
    assert case.data == {"hund": "nein", "hunde": 1}
    assert not case.attachments.filter(field_name="nachweis").exists()


def test_the_completeness_check_asks_only_for_files_of_questions_that_applied(
    api, town, django_capture_on_commit_callbacks
):
    ServiceDefinition.objects.filter(key="hundesteuer-test").update(
        process_steps=["check_completeness"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(api, {"hund": "nein", "hunde": 0})
    assert response.status_code == 201
    case = Case.objects.get(reference=response.json()["reference"])
    note = case.events.get(type="check_completeness").comment
    assert (
        note
        == "Vollständigkeitsprüfung: Alle erforderlichen Unterlagen liegen vor und sind lesbar."
    )
