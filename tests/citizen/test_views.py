"""The citizen pages (docs/api.md, Pages) through Django's test client, on the demo data."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.test import Client

from cases.models import Actor, Case
from cases.services import case_apply_action

FILES = Path(__file__).resolve().parent.parent / "e2e" / "files"
PDF = (FILES / "wohnungsgeberbestaetigung.pdf").read_bytes()
PNG = (FILES / "photo.png").read_bytes()

BASE = "/bergkamen/wohnsitz-anmelden/"
STEP_ANSWERS = {
    1: {
        "familienname": "Muster",
        "vornamen": "Erika",
        "geburtsdatum": "1990-03-15",
        "staatsangehoerigkeit": "deutsch",
    },
    2: {
        "strasse": "Rathausplatz",
        "hausnummer": "1",
        "plz": "59192",
        "ort": "Bergkamen",
        "einzugsdatum": "2026-11-01",
        "wohnungsstatus": "alleinig",
    },
    3: {"bisherige_anschrift": "Hauptstraße 5\n44135 Dortmund"},
}


def step_url(number: int) -> str:
    return BASE if number == 1 else f"{BASE}{number}/"


def upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def fill_form(client: Client, *, pdf: bytes = PDF) -> None:
    """Answer every step of wohnsitz-anmelden up to the check page."""
    for number, answers in STEP_ANSWERS.items():
        response = client.post(step_url(number), answers)
        assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(
        step_url(4), {"wohnungsgeberbestaetigung": upload("bestaetigung.pdf", pdf)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(
        step_url(5), {"applicant_name": "Erika Muster", "applicant_email": "erika@example.org"}
    )
    assert response["Location"] == f"{BASE}check/"


def submit(client: Client) -> Case:
    fill_form(client)
    response = client.post(f"{BASE}check/")
    assert response.status_code == 302
    reference = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return Case.objects.get(reference=reference)


def draft_files() -> list[str]:
    """Every temporary upload left under drafts/."""
    if not default_storage.exists("drafts"):
        return []
    found = []
    for folder in default_storage.listdir("drafts")[0]:
        found.extend(default_storage.listdir(f"drafts/{folder}")[1])
    return found


@pytest.fixture
def citizen(db, demo) -> Client:
    # `db` first: it makes sure the demo data lands in the test database.
    return Client()


# --- the service list -----------------------------------------------------------------------


def test_service_list_shows_services_with_fee_in_euros_and_ikz_note(citizen):
    response = citizen.get("/boenen/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="/boenen/gewerbe-anmelden/"' in page
    assert "26,00\u00a0€" in page  # German is the default language
    assert "Kamen" in page  # gewerbe-anmelden is processed by Kamen for Bönen (IKZ)
    assert '<html lang="de">' in page


def test_service_search_filters_on_the_server(citizen):
    page = citizen.get("/bergkamen/", {"q": "hund"}).content.decode()
    assert 'href="/bergkamen/hundesteuer-anmeldung/"' in page
    assert 'href="/bergkamen/sperrmuell/"' not in page
    assert 'value="hund"' in page


def test_unknown_municipality_is_404(citizen):
    assert citizen.get("/atlantis/").status_code == 404
    assert citizen.get("/bergkamen/no-such-service/").status_code == 404


def test_service_list_needs_few_queries(citizen, django_assert_max_num_queries):
    citizen.get("/bergkamen/")  # warm the session
    with django_assert_max_num_queries(6):
        response = citizen.get("/bergkamen/", {"q": "e"})
    assert response.status_code == 200


# --- the form steps -------------------------------------------------------------------------


def test_first_step_shows_progress_and_fields(citizen):
    page = citizen.get(BASE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Step 1 of 5" in page  # four form steps and the contact details
    assert 'id="field-familienname"' in page
    assert 'href="/bergkamen/"' in page  # back to the list


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_each_step_shows_an_error_summary_linked_to_the_fields(citizen, number):
    response = citizen.post(step_url(number), {})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in page
    expected = {
        1: ["familienname", "vornamen", "geburtsdatum", "staatsangehoerigkeit"],
        2: ["strasse", "plz", "wohnungsstatus"],
        3: ["bisherige_anschrift"],
        4: ["wohnungsgeberbestaetigung"],
        5: ["applicant_name", "applicant_email"],
    }[number]
    for name in expected:
        assert f'href="#field-{name}"' in page
        assert f'id="field-{name}"' in page
        assert f'id="field-{name}-error"' in page


def test_wrong_answers_are_explained_and_kept_on_the_page(citizen):
    page = citizen.post(
        step_url(2), {**STEP_ANSWERS[2], "plz": "123", "einzugsdatum": "tomorrow"}
    ).content.decode()
    assert 'href="#field-plz"' in page
    assert 'href="#field-einzugsdatum"' in page
    assert 'value="Rathausplatz"' in page  # the good answers stay filled in
    assert 'value="123"' in page


def test_dates_are_typed_the_german_way_and_stored_as_iso(citizen):
    citizen.post(step_url(1), {**STEP_ANSWERS[1], "geburtsdatum": "5.3.1990"})
    assert citizen.session["draft:bergkamen:wohnsitz-anmelden"]["values"]["geburtsdatum"] == (
        "1990-03-05"
    )
    page = citizen.post(step_url(1), {**STEP_ANSWERS[1], "geburtsdatum": "31.02.1990"})
    assert 'href="#field-geburtsdatum"' in page.content.decode()
    assert 'value="31.02.1990"' in page.content.decode()


def test_going_back_keeps_the_answers(citizen):
    citizen.post(step_url(1), STEP_ANSWERS[1])
    citizen.post(step_url(2), STEP_ANSWERS[2])
    page = citizen.get(step_url(1)).content.decode()
    assert 'value="Muster"' in page
    assert 'value="15.03.1990"' in page  # shown as people write dates
    assert 'value="deutsch" checked' in page
    page = citizen.get(step_url(2)).content.decode()
    assert 'value="59192"' in page


def test_upload_of_wrong_type_or_size_is_a_field_error(citizen, settings):
    page = citizen.post(
        step_url(4), {"wohnungsgeberbestaetigung": upload("fake.pdf", b"MZ not a pdf at all")}
    ).content.decode()
    assert 'href="#field-wohnungsgeberbestaetigung"' in page
    assert "PDF, JPEG, PNG" in page
    settings.UPLOAD_MAX_BYTES = 100
    page = citizen.post(
        step_url(4), {"wohnungsgeberbestaetigung": upload("big.pdf", PDF)}
    ).content.decode()
    assert 'href="#field-wohnungsgeberbestaetigung"' in page
    assert 'enctype="multipart/form-data"' in page
    assert draft_files() == []


def test_oversized_upload_from_a_real_browser_is_a_field_error_not_a_crash(citizen, settings):
    browser = Client(enforce_csrf_checks=True)  # the CSRF check reads the body first
    browser.get(step_url(4))
    token = browser.cookies["csrftoken"].value
    settings.UPLOAD_MAX_BYTES = 300
    response = browser.post(
        step_url(4),
        {"csrfmiddlewaretoken": token, "wohnungsgeberbestaetigung": upload("big.pdf", PDF)},
    )
    assert response.status_code == 200
    assert 'href="#field-wohnungsgeberbestaetigung"' in response.content.decode()
    assert draft_files() == []


def test_odd_file_names_are_kept_for_display_but_not_for_the_path(citizen):
    for name in ("%%%", "Mein Scan (1).pdf"):
        response = citizen.post(step_url(4), {"wohnungsgeberbestaetigung": upload(name, PDF)})
        assert response.status_code == 302
    meta = citizen.session["draft:bergkamen:wohnsitz-anmelden"]["files"][
        "wohnungsgeberbestaetigung"
    ]
    assert meta["name"] == "Mein Scan (1).pdf"
    assert " " not in meta["path"] and meta["path"].startswith("drafts/")
    assert len(draft_files()) == 1  # the earlier upload was replaced


def test_check_page_lists_every_answer_with_change_links(citizen):
    fill_form(citizen)
    page = citizen.get(f"{BASE}check/").content.decode()
    for value in ("Muster", "Rathausplatz", "59192", "bestaetigung.pdf", "erika@example.org"):
        assert value in page
    assert "15.03.1990" in page  # dates as the reader writes them
    for number in range(1, 6):  # one change link per step, contact details included
        assert f'href="{step_url(number)}?return=check"' in page


def test_change_link_returns_to_the_check_page(citizen):
    fill_form(citizen)
    response = citizen.post(step_url(2), {**STEP_ANSWERS[2], "hausnummer": "7a", "return": "check"})
    assert response["Location"] == f"{BASE}check/"
    assert "7a" in citizen.get(f"{BASE}check/").content.decode()


def test_check_page_of_an_unfinished_form_sends_to_the_missing_step(citizen):
    citizen.post(step_url(1), STEP_ANSWERS[1])
    response = citizen.get(f"{BASE}check/")
    assert response["Location"] == step_url(2)


# --- submission and confirmation ------------------------------------------------------------


def test_submission_creates_exactly_one_case_with_answers_and_file(citizen):
    case = submit(citizen)
    assert Case.objects.count() == 1
    assert case.data["familienname"] == "Muster"
    assert case.data["geburtsdatum"] == "1990-03-15"
    assert case.applicant_email == "erika@example.org"
    assert case.municipality.slug == "bergkamen"
    assert case.language == "de"
    attachment = case.attachments.get(field_name="wohnungsgeberbestaetigung")
    assert attachment.content_type == "application/pdf"
    assert attachment.file.read() == PDF
    # The draft is gone: sending again files nothing new.
    again = citizen.post(f"{BASE}check/")
    assert again.status_code == 302 and again["Location"] == step_url(1)
    assert Case.objects.count() == 1
    assert draft_files() == []  # the temporary uploads are deleted


def test_confirmation_shows_reference_and_tracking_link(citizen):
    case = submit(citizen)
    page = citizen.get(f"{BASE}done/{case.reference}/").content.decode()
    assert case.reference in page
    assert f"/track/{case.reference}/?access_token={case.access_token}" in page


def test_confirmation_is_not_shown_to_another_browser(citizen):
    case = submit(citizen)
    stranger = Client()
    assert stranger.get(f"{BASE}done/{case.reference}/").status_code == 404


def test_a_submission_failing_at_the_end_sends_back_to_the_step(citizen):
    fill_form(citizen)
    # The stored upload turns out not to be a PDF any more when it is checked again.
    draft = citizen.session["draft:bergkamen:wohnsitz-anmelden"]
    path = draft["files"]["wohnungsgeberbestaetigung"]["path"]
    with default_storage.open(path, "wb") as handle:
        handle.write(b"garbage")
    response = citizen.post(f"{BASE}check/")
    assert response.status_code == 302 and response["Location"] == step_url(4)
    page = citizen.get(step_url(4)).content.decode()
    assert 'href="#field-wohnungsgeberbestaetigung"' in page
    assert Case.objects.count() == 0


def test_english_pages_are_served_on_request(citizen):
    citizen.cookies["django_language"] = "en"
    page = citizen.get(step_url(1)).content.decode()
    assert '<html lang="en">' in page
    assert "Surname" in page


def test_english_submission_records_the_language(citizen):
    citizen.cookies["django_language"] = "en"
    assert submit(citizen).language == "en"


# --- tracking -------------------------------------------------------------------------------


def test_tracking_page_shows_status_timeline_and_documents(citizen):
    case = submit(citizen)
    response = citizen.get(
        f"/track/{case.reference}/", {"access_token": case.access_token}, follow=True
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert case.reference in page
    assert 'id="case-status"' in page
    assert "bestaetigung.pdf" in page
    attachment = case.attachments.get(field_name="wohnungsgeberbestaetigung")
    download = Client().get(
        f"/track/{case.reference}/files/{attachment.pk}/", {"access_token": case.access_token}
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF


def test_tracking_page_and_downloads_are_404_with_a_wrong_token(citizen):
    case = submit(citizen)
    attachment = case.attachments.first()
    stranger = Client()
    assert stranger.get(f"/track/{case.reference}/", {"access_token": "wrong"}).status_code == 404
    assert stranger.get(f"/track/{case.reference}/").status_code == 404
    assert (
        stranger.get(
            f"/track/{case.reference}/files/{attachment.pk}/", {"access_token": "wrong"}
        ).status_code
        == 404
    )
    response = stranger.post(
        f"/track/{case.reference}/",
        {"access_token": "wrong", "action": "withdraw", "confirm": "on"},
    )
    assert response.status_code == 404


def test_internal_attachment_is_not_downloadable(citizen):
    case = submit(citizen)
    attachment = case.attachments.first()
    attachment.public = False
    attachment.save()
    url = f"/track/{case.reference}/files/{attachment.pk}/"
    assert citizen.get(url, {"access_token": case.access_token}).status_code == 404


def test_withdraw_needs_the_confirmation_then_withdraws(citizen):
    case = submit(citizen)
    url = f"/track/{case.reference}/"
    page = citizen.post(
        url, {"access_token": case.access_token, "action": "withdraw"}
    ).content.decode()
    assert 'href="#field-confirm"' in page
    case.refresh_from_db()
    assert case.status == Case.Status.IN_REVIEW
    response = citizen.post(
        url, {"access_token": case.access_token, "action": "withdraw", "confirm": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == url  # the token stays out of the address
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN
    page = citizen.get(url).content.decode()  # the cookie the answer left opens it
    assert 'name="action" value="withdraw"' not in page  # nothing left to withdraw


def test_respond_with_comment_and_file_returns_the_case_to_review(citizen):
    case = submit(citizen)
    clerk = get_user_model().objects.get(username="clerk-bergkamen")
    case_apply_action(
        case=case,
        action="request_info",
        actor_kind=Actor.CLERK,
        actor=clerk,
        comment="Bitte Ausweis.",
    )
    url = f"/track/{case.reference}/"
    page = citizen.get(url, {"access_token": case.access_token}, follow=True).content.decode()
    assert "Bitte Ausweis." in page
    assert 'name="action" value="respond"' in page
    page = citizen.post(
        url, {"access_token": case.access_token, "action": "respond"}
    ).content.decode()
    assert 'href="#field-comment"' in page
    response = citizen.post(
        url,
        {
            "access_token": case.access_token,
            "action": "respond",
            "comment": "Anbei mein Ausweis.",
            "files": [upload("ausweis.png", PNG)],
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.IN_REVIEW
    assert case.attachments.filter(original_name="ausweis.png", content_type="image/png").exists()
    assert case.events.filter(type="respond", comment="Anbei mein Ausweis.").exists()


def test_tracking_lookups_are_rate_limited(citizen, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    case = submit(citizen)
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"tracking": "2/minute"})
    url = f"/track/{case.reference}/"
    for _ in range(2):
        assert citizen.get(url, {"access_token": "guess"}).status_code == 404
    response = citizen.get(url, {"access_token": case.access_token})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_fees_are_written_the_english_way_in_english(citizen):
    citizen.cookies["django_language"] = "en"
    assert "€26.00" in citizen.get("/boenen/").content.decode()


def test_double_click_on_send_files_one_case_and_shows_the_same_confirmation(citizen):
    fill_form(citizen)
    stale = citizen.session["draft:bergkamen:wohnsitz-anmelden"]
    first = citizen.post(f"{BASE}check/")
    # The second click's request read the session before the first one finished.
    session = citizen.session
    session["draft:bergkamen:wohnsitz-anmelden"] = stale
    session.save()
    second = citizen.post(f"{BASE}check/")
    assert Case.objects.count() == 1
    assert second["Location"] == first["Location"]
    assert citizen.get(second["Location"]).status_code == 200
    assert "draft:bergkamen:wohnsitz-anmelden" not in citizen.session


def test_a_click_during_a_running_submission_waits_for_it(citizen):
    from django.core.cache import cache

    fill_form(citizen)
    draft_id = citizen.session["draft:bergkamen:wohnsitz-anmelden"]["id"]
    # Another request of this draft holds the lock and has already filed the case.
    cache.add(f"citizen-submission:{draft_id}:lock", 1)
    cache.set(f"citizen-submission:{draft_id}", {"reference": "BKM-2026-XXXXXX", "token": "t"})
    response = citizen.post(f"{BASE}check/")
    assert response["Location"] == f"{BASE}done/BKM-2026-XXXXXX/"
    assert Case.objects.count() == 0
