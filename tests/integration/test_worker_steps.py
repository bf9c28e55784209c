"""Process steps through a real Celery worker and Redis (acceptance 3 and 4 of issue 3).

The database is the source of truth, Celery only executes: a submission's steps complete in
the worker, and a broker that is down when the citizen submits loses nothing."""

import re
import socket
import time

import pytest
from django.core import mail
from django.core.management import call_command

from cases.models import Case, CaseStep
from cases.steps import steps_redispatch
from cases.tasks import redispatch_steps

pytestmark = pytest.mark.django_db(transaction=True)

APPLICANT = {"name": "Erika Mustermann", "email": "erika@example.org"}
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
SUBMISSION_STEPS = {"send_receipt", "notify_authority", "check_completeness"}


@pytest.fixture
def demo_committed():
    with open("/dev/null", "w") as devnull:
        call_command("load_demo", password="demo", stdout=devnull)


def submit(api):
    response = api.post(
        "/api/v1/municipalities/boenen/cases/",
        {"service": "gewerbe-anmelden", "applicant": APPLICANT, "data": GEWERBE},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def statuses(reference: str) -> dict[str, str]:
    return dict(CaseStep.objects.filter(case__reference=reference).values_list("name", "status"))


def wait_until_done(wait_for, worker, reference: str) -> None:
    try:
        wait_for(
            lambda: set(statuses(reference).values()) == {"done"},
            what=f"the steps of {reference} to be done",
        )
    except AssertionError as exc:
        raise AssertionError(
            f"{exc}; steps: {statuses(reference)}\nworker log:\n{worker.log_tail()}"
        ) from None


def mails_about(worker, reference: str):
    return [m for m in worker.emails() if reference in str(m["subject"])]


def test_a_real_worker_sends_the_receipt_and_notifies_the_authority(
    real_worker, publish_to_worker, wait_for, demo_committed, api
):
    body = submit(api)
    reference = body["reference"]
    wait_until_done(wait_for, real_worker, reference)
    assert set(statuses(reference)) == SUBMISSION_STEPS
    # The worker did the work, not this process.
    assert mail.outbox == []

    messages = mails_about(real_worker, reference)
    [receipt] = [m for m in messages if m["to"] == APPLICANT["email"]]
    [notice] = [m for m in messages if m["to"] != APPLICANT["email"]]
    assert notice["to"] == "clerk-kamen@kreisportal.example"  # Kamen processes for Bönen

    text = receipt.get_body(preferencelist=("plain",)).get_content()
    assert reference in text
    link = re.search(r"/track/([A-Z0-9-]+)/\?access_token=(\S+)", text)
    assert link and link.group(1) == reference, text
    assert link.group(2) == body["access_token"]
    assert api.get(f"/api/v1/cases/{reference}/?access_token={link.group(2)}").status_code == 200
    [pdf] = [p for p in receipt.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"Eingangsbestaetigung-{reference}.pdf"  # filed in German
    assert pdf.get_content().startswith(b"%PDF")


def test_steps_filed_while_the_broker_is_down_run_once_it_is_back(
    real_worker, publish_to_worker, wait_for, demo_committed, api
):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    publish_to_worker(f"redis://127.0.0.1:{dead_port}/0")

    started = time.monotonic()
    body = submit(api)
    assert time.monotonic() - started < 10, "a broker outage must not hold the citizen up"
    reference = body["reference"]
    case = Case.objects.get(reference=reference)
    assert case.status == "in_review"
    assert statuses(reference) == dict.fromkeys(SUBMISSION_STEPS, "pending")
    time.sleep(2)  # nothing reached the worker: the rows are all there is
    assert set(statuses(reference).values()) == {"pending"}
    assert set(case.steps.values_list("attempts", flat=True)) == {0}

    publish_to_worker()  # the broker is back
    # The beat task, run by the worker itself, finds the pending rows and dispatches them.
    redispatch_steps.delay()
    wait_until_done(wait_for, real_worker, reference)
    assert set(case.steps.values_list("attempts", flat=True)) == {1}
    recipients = sorted(str(m["to"]) for m in mails_about(real_worker, reference))
    assert recipients == ["clerk-kamen@kreisportal.example", APPLICANT["email"]]
    assert steps_redispatch() == 0
