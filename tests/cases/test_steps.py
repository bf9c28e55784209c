"""The durable process-step engine (cases/steps.py, cases/process.py): rows written with
the case, run on commit, retried with backoff, never sending anything twice."""

import datetime
import io
import re
import socket
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from cases import process, steps
from cases.models import Case, CaseEvent, CaseStep, OutboundEmail
from cases.services import case_submit
from cases.tasks import redispatch_steps
from catalog.services import service_import
from core.errors import Invalid
from municipalities.models import Membership
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    ServiceDefinitionFactory,
    ServiceOfferingFactory,
    UserFactory,
)
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

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


@pytest.fixture
def town():
    return MunicipalityFactory(slug="musterstadt", name="Musterstadt", code="MUS")


def offer(town, **service_fields):
    service = ServiceDefinitionFactory(**service_fields)
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    return service


def file_case(town, service, *, language="de", data=None):
    return case_submit(
        municipality=town,
        service_key=service.key,
        applicant=APPLICANT,
        data=data or {"anliegen": "Bitte prüfen", "anzahl": 2},
        language=language,
    ).case


def api_submit(api, slug, service, data, **extra):
    return api.post(
        f"/api/v1/municipalities/{slug}/cases/",
        {"service": service, "applicant": APPLICANT, "data": data},
        format="json",
        **extra,
    )


def pdf_text(content: bytes) -> str:
    """The text of a PDF as a reader copies it."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_down(settings):
    """E-mail goes to an SMTP server that is not there: sending raises."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_TIMEOUT = 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


# --- rows with the case, run on commit --------------------------------------------------


def test_submission_writes_one_pending_row_per_submission_step(
    town, django_capture_on_commit_callbacks
):
    service = offer(town, process_steps=list(steps.STEP_NAMES))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = file_case(town, service)
        # Written inside the submission's transaction, before anything was dispatched.
        rows = list(CaseStep.objects.filter(case=case).values_list("key", "status"))
    assert sorted(rows) == [
        ("check_completeness", "pending"),
        ("notify_authority", "pending"),
        ("send_receipt", "pending"),
    ]
    assert len(callbacks) == 1  # the dispatch, on commit
    assert mail.outbox == []


def test_a_prepaid_service_also_asks_for_payment_on_submission(
    town, django_capture_on_commit_callbacks
):
    service = offer(
        town,
        prepay=True,
        fee={"kind": "fixed", "cents": 900},
        process_steps=["send_receipt", "request_payment"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = file_case(town, service)
    assert dict(case.steps.values_list("key", "status")) == {
        "send_receipt": "done",
        "request_payment": "done",
    }
    assert sorted(m.to[0] for m in mail.outbox) == ["erika@example.org"] * 2


def test_a_service_without_steps_writes_no_rows(town, django_capture_on_commit_callbacks):
    service = offer(town, process_steps=[])
    with django_capture_on_commit_callbacks(execute=True):
        case = file_case(town, service)
    assert not case.steps.exists()
    assert mail.outbox == []


def test_a_crash_while_writing_the_steps_leaves_no_case_and_no_file_behind(
    town, monkeypatch, settings
):
    form = {
        "steps": [{"title": "x", "fields": [{"name": "beleg", "type": "file", "label": "Beleg"}]}]
    }
    service = offer(town, form=form)

    def broken(*, case, trigger, **kwargs):
        CaseStep.objects.create(case=case, name="send_receipt", key="send_receipt")
        raise RuntimeError("disk full")

    monkeypatch.setattr("cases.services.steps_create", broken)
    with pytest.raises(RuntimeError):
        case_submit(
            municipality=town,
            service_key=service.key,
            applicant=APPLICANT,
            data={},
            files={"beleg": [upload("beleg.pdf", pdf_bytes())]},
        )
    assert not Case.objects.exists()
    assert not CaseStep.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def test_steps_run_when_the_submission_commits(demo, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_submit(api, "bergkamen", "gewerbe-anmelden", GEWERBE)
    assert response.status_code == 201, response.json()
    case = Case.objects.get(reference=response.json()["reference"])
    assert dict(case.steps.values_list("name", "status")) == {
        "send_receipt": "done",
        "notify_authority": "done",
        "check_completeness": "done",
    }
    assert all(s.attempts == 1 and s.done_at for s in case.steps.all())
    assert {tuple(m.to) for m in mail.outbox} == {
        ("erika@example.org",),
        ("clerk-bergkamen@kreisportal.example",),
    }


# --- the receipt ------------------------------------------------------------------------


def receipt_of(reference: str):
    [message] = [m for m in mail.outbox if m.to == [APPLICANT["email"]]]
    assert reference in message.subject
    return message


def test_the_receipt_has_reference_tracking_link_and_pdf(
    demo, api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        body = api_submit(api, "bergkamen", "gewerbe-anmelden", GEWERBE).json()
    reference = body["reference"]
    message = receipt_of(reference)
    assert reference in message.body
    link = re.search(r"https?://\S+/track/(\S+)/\?access_token=(\S+)", message.body)
    assert link, message.body
    assert link.group(1) == reference
    # The link's token opens the case (it is the one the API answered with).
    assert link.group(2) == body["access_token"]
    opened = api.get(f"/api/v1/cases/{reference}/?access_token={link.group(2)}")
    assert opened.status_code == 200
    [(filename, content, mimetype)] = message.attachments
    assert filename == f"Eingangsbestaetigung-{reference}.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert reference in text
    assert "Fahrradreparatur" in text


def test_an_english_request_gets_an_english_receipt(demo, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        body = api_submit(
            api, "bergkamen", "gewerbe-anmelden", GEWERBE, HTTP_ACCEPT_LANGUAGE="en"
        ).json()
    message = receipt_of(body["reference"])
    assert message.subject == f"Your request {body['reference']} has been received"
    assert "You can follow the status of your request here:" in message.body


# --- notify_authority -------------------------------------------------------------------


def test_notify_authority_mails_the_processing_authoritys_clerks(
    demo, api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        body = api_submit(api, "boenen", "gewerbe-anmelden", GEWERBE).json()
    assert body["processing_authority"] == "kamen"
    [notice] = [m for m in mail.outbox if m.to != [APPLICANT["email"]]]
    # Delegated: Kamen works the case, so Kamen's clerks hear of it, not Bönen's.
    assert notice.to == ["clerk-kamen@kreisportal.example"]
    assert body["reference"] in notice.subject
    assert f"/workspace/cases/{body['reference']}/" in notice.body
    step = CaseStep.objects.get(case__reference=body["reference"], name="notify_authority")
    assert list(step.emails.values_list("purpose", "to")) == [
        ("authority", ["clerk-kamen@kreisportal.example"])
    ]


def test_notify_authority_reaches_every_clerk_but_not_admins(
    town, django_capture_on_commit_callbacks
):
    service = offer(town, process_steps=["notify_authority"])
    for name in ("anna", "bernd"):
        MembershipFactory(
            municipality=town, user=UserFactory(username=name, email=f"{name}@musterstadt.example")
        )
    MembershipFactory(
        municipality=town,
        role=Membership.Role.MUNICIPAL_ADMIN,
        user=UserFactory(username="chefin", email="chefin@musterstadt.example"),
    )
    MembershipFactory(user=UserFactory(username="fremd", email="fremd@elsewhere.example"))
    with django_capture_on_commit_callbacks(execute=True):
        file_case(town, service)
    [notice] = mail.outbox
    assert notice.to == ["anna@musterstadt.example", "bernd@musterstadt.example"]


def test_a_deactivated_clerk_receives_no_email(town, api, django_capture_on_commit_callbacks):
    """Issue 13, 4: neither the "new case" mail, nor an applicant's answer to a case the
    deactivated clerk had claimed, nor the digest (one recipient query for all three)."""
    from cases.digest import digest_send
    from cases.models import Actor
    from cases.services import case_apply_action

    service = offer(town, process_steps=["notify_authority"])
    active = MembershipFactory(
        municipality=town, user=UserFactory(username="anna", email="anna@musterstadt.example")
    ).user
    gone = MembershipFactory(
        municipality=town, user=UserFactory(username="bernd", email="bernd@musterstadt.example")
    ).user
    # Every step runs (a case's message runs all its due steps, these too).
    with django_capture_on_commit_callbacks(execute=True):
        claimed = file_case(town, service)
        case_apply_action(case=claimed, action="claim", actor_kind=Actor.CLERK, actor=gone)
        case_apply_action(
            case=claimed, action="request_info", actor_kind=Actor.CLERK, actor=gone, comment="Foto?"
        )
    gone.is_active = False
    gone.save()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        fresh = file_case(town, service)
        case_apply_action(
            case=claimed, action="respond", actor_kind=Actor.APPLICANT, comment="Anbei"
        )
    Case.objects.filter(pk__in=[claimed.pk, fresh.pk]).update(due_date=datetime.date(2026, 3, 2))
    digest_send(today=datetime.date(2026, 3, 2))

    assert len(mail.outbox) == 3  # new case, answer, digest
    assert all(message.to == [active.email] for message in mail.outbox)


def test_without_clerks_the_authoritys_own_address_is_notified(
    town, django_capture_on_commit_callbacks
):
    service = offer(town, process_steps=["notify_authority"])
    with django_capture_on_commit_callbacks(execute=True):
        file_case(town, service)
    assert [m.to for m in mail.outbox] == [["info@musterstadt.example"]]


# --- check_completeness -----------------------------------------------------------------


def test_check_completeness_records_an_internal_finding(
    town, api, django_capture_on_commit_callbacks
):
    form = {
        "steps": [
            {
                "title": "Nachweis",
                "fields": [{"name": "beleg", "type": "file", "label": "Beleg", "required": True}],
            }
        ]
    }
    service = offer(town, form=form, process_steps=["check_completeness"])
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/municipalities/musterstadt/cases/",
            {
                "payload": f'{{"service": "{service.key}", "applicant": {{"name": "Erika M",'
                f' "email": "erika@example.org"}}, "data": {{}}}}',
                "beleg": upload("beleg.pdf", pdf_bytes()),
            },
            format="multipart",
        )
    assert response.status_code == 201, response.json()
    event = CaseEvent.objects.get(type="check_completeness")
    assert event.visibility == CaseEvent.Visibility.INTERNAL
    assert "Completeness check" in event.comment or "Vollständigkeit" in event.comment
    assert "problems" not in event.comment


# --- failures, backoff, idempotency -----------------------------------------------------


def test_a_failing_step_backs_off_exponentially_then_is_marked_failed(town, smtp_down):
    service = offer(town, process_steps=["send_receipt"])
    case = file_case(town, service)  # on_commit never fires inside the test transaction
    step = case.steps.get()
    base = steps.BACKOFF_BASE_SECONDS
    for attempt in range(1, steps.MAX_ATTEMPTS + 1):
        before = timezone.now()
        status = steps.step_run(step.pk)
        after = timezone.now()
        step.refresh_from_db()
        assert step.attempts == attempt
        assert "ConnectionRefusedError" in step.last_error or "OSError" in step.last_error
        if attempt < steps.MAX_ATTEMPTS:
            assert status == "pending"
            # The back-off counts from the failure, some time during the run.
            delay = datetime.timedelta(seconds=base * 2 ** (attempt - 1))
            assert before + delay <= step.next_attempt_at <= after + delay
    assert status == "failed"
    assert step.status == CaseStep.Status.FAILED
    # A failed attempt rolled its e-mail record back, so a later success still sends.
    assert not OutboundEmail.objects.exists()
    # Failed steps are no longer picked up by the re-dispatch …
    assert step.pk not in steps.steps_due(timezone.now() + datetime.timedelta(days=1))


def test_an_admin_retry_of_a_failed_step_runs_it_again(
    town, smtp_down, settings, django_capture_on_commit_callbacks
):
    service = offer(town, process_steps=["send_receipt"])
    step = file_case(town, service).steps.get()
    for _ in range(steps.MAX_ATTEMPTS):
        steps.step_run(step.pk)
    step.refresh_from_db()
    assert step.status == "failed"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # SMTP is back
    with django_capture_on_commit_callbacks(execute=True):
        steps.step_retry(step=step)
    step.refresh_from_db()
    assert (step.status, step.attempts, step.last_error) == ("done", 1, "")
    assert len(mail.outbox) == 1


def test_a_step_that_recovers_sends_its_email_exactly_once(town, smtp_down, settings):
    service = offer(town, process_steps=["send_receipt"])
    step = file_case(town, service).steps.get()
    assert steps.step_run(step.pk) == "pending"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert steps.step_run(step.pk) == "done"
    assert steps.step_run(step.pk) == "done"  # a duplicate delivery changes nothing
    assert len(mail.outbox) == 1
    step.refresh_from_db()
    assert step.attempts == 2


def test_running_a_step_function_twice_sends_nothing_twice(town):
    service = offer(town, process_steps=["send_receipt", "notify_authority"])
    MembershipFactory(municipality=town)
    case = file_case(town, service)
    for step in case.steps.all():
        function = {
            "send_receipt": process.send_receipt,
            "notify_authority": process.notify_authority,
        }[step.name]
        function(step)
        function(step)
    assert len(mail.outbox) == 2
    assert OutboundEmail.objects.count() == 2


def test_a_cases_steps_run_in_the_order_they_were_written(town):
    """ADR 0002: one message per case, its steps in the order they were written, each seeing
    what the ones before it did. PostgreSQL returns rows in the order they lie on disk,
    and a row that was updated lies after the others: the first step, touched once, must
    still run first."""
    service = offer(town, process_steps=["notify_authority", "send_receipt"])
    MembershipFactory(municipality=town, user=UserFactory(email="clerk@musterstadt.example"))
    case = file_case(town, service)  # the on-commit dispatch does not run inside the test
    first, second = case.steps.order_by("pk")
    # A new row version with new index entries (an indexed column changes), after the other.
    CaseStep.objects.filter(pk=first.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    results = steps.case_steps_run(case.pk)
    assert list(results) == [first.pk, second.pk]
    assert set(results.values()) == {"done"}
    assert [m.to for m in mail.outbox] == [["clerk@musterstadt.example"], [APPLICANT["email"]]]
    assert list(OutboundEmail.objects.order_by("pk").values_list("purpose", flat=True)) == [
        "authority",
        "receipt",
    ]


def test_a_step_name_without_a_function_fails_instead_of_vanishing(town):
    service = offer(town, process_steps=[])
    case = file_case(town, service)
    step = CaseStep.objects.create(case=case, name="not_a_step", key="not_a_step")
    assert steps.step_run(step.pk) == "pending"
    step.refresh_from_db()
    assert "no function registered" in step.last_error


def test_a_missing_step_row_is_ignored():
    assert steps.step_run(999_999) == "locked"


# --- re-dispatch ------------------------------------------------------------------------


def test_redispatch_runs_pending_steps_whose_time_has_come(town):
    service = offer(town, process_steps=["send_receipt", "notify_authority"])
    MembershipFactory(municipality=town)
    # The broker "lost" these: the on-commit dispatch never happened in this transaction.
    case = file_case(town, service)
    later = case.steps.get(name="notify_authority")
    later.next_attempt_at = timezone.now() + datetime.timedelta(minutes=5)
    later.save()
    assert redispatch_steps() == 1  # the beat task
    assert dict(case.steps.values_list("name", "status")) == {
        "send_receipt": "done",
        "notify_authority": "pending",
    }
    assert steps.steps_redispatch() == 0
    later.next_attempt_at = timezone.now() - datetime.timedelta(seconds=1)
    later.save()
    assert steps.steps_redispatch() == 1
    assert set(case.steps.values_list("status", flat=True)) == {"done"}
    assert len(mail.outbox) == 2


def test_the_beat_schedule_redispatches_every_thirty_seconds(beat_schedule):
    task = beat_schedule.get(task="cases.redispatch_steps")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (30, "seconds")


# --- the vocabulary ---------------------------------------------------------------------


def _spec(**overrides):
    return {
        "key": "probe",
        "name": {"de": "Probe", "en": "Probe"},
        "offered_by": "towns",
        "fee": {"kind": "free"},
        "form": {
            "steps": [{"title": "x", "fields": [{"name": "a", "type": "text", "label": "A"}]}]
        },
        "process_steps": ["send_receipt"],
        **overrides,
    }


def test_the_loader_refuses_an_unknown_step_name():
    with pytest.raises(Invalid) as raised:
        service_import(spec=_spec(process_steps=["send_receipt", "fax_the_mayor"]))
    assert "fax_the_mayor" in str(raised.value)


def test_the_loader_accepts_the_whole_vocabulary():
    definition, created = service_import(spec=_spec(process_steps=list(steps.STEP_NAMES)))
    assert created
    assert definition.process_steps == list(steps.STEP_NAMES)
    assert set(steps.STEP_NAMES) == {
        "send_receipt",
        "notify_authority",
        "check_completeness",
        "request_payment",
        "issue_document",
        "notify_applicant",
        "forward_to_agency",
    }


def test_every_step_of_the_vocabulary_has_a_function():
    # The vocabulary services may list, plus the steps only the workflow starts.
    assert set(steps._REGISTRY) == set(steps.STEP_TRIGGERS)
    assert set(steps.STEP_NAMES) < set(steps._REGISTRY)
    with pytest.raises(ValueError):
        steps.register("fax_the_mayor")


def test_the_completeness_finding_reads_in_the_clerks_language(
    town, django_capture_on_commit_callbacks, client
):
    """A German case's finding is German in the case's record and English on the English
    clerk's page, with the form's own labels in each language."""
    form = {
        "steps": [
            {
                "title": {"de": "Nachweis", "en": "Proof"},
                "fields": [
                    {
                        "name": "beleg",
                        "type": "file",
                        "label": {"de": "Meldebescheinigung", "en": "Registration certificate"},
                        "required": True,
                    },
                    {"name": "anliegen", "type": "text", "label": "Anliegen"},
                ],
            }
        ]
    }
    service = offer(town, form=form, process_steps=["check_completeness"])
    clerk = MembershipFactory(municipality=town, role=Membership.Role.CLERK).user
    with django_capture_on_commit_callbacks(execute=True):
        case = Case.objects.get(pk=steps_free_submit(town, service, data={}).pk)
    event = CaseEvent.objects.get(case=case, type="check_completeness")
    assert event.comment == (
        "Die Vollständigkeitsprüfung hat fehlende Unterlagen gefunden: Meldebescheinigung."
    )
    client.force_login(clerk)
    english = client.get(f"/workspace/cases/{case.reference}/", HTTP_ACCEPT_LANGUAGE="en")
    text = english.content.decode()
    assert "Completeness check found missing documents: Registration certificate." in text
    assert "Vollständigkeitsprüfung hat" not in text


def steps_free_submit(town, service, *, data):
    """A case filed without its required file (as a bulk import or an old version would)."""
    from catalog.models import ServiceDefinition

    ServiceDefinition.objects.filter(pk=service.pk).update(
        form={"steps": [{"title": "x", "fields": []}]}
    )
    case = case_submit(
        municipality=town,
        service_key=service.key,
        applicant=APPLICANT,
        data=data,
        language="de",
    ).case
    ServiceDefinition.objects.filter(pk=service.pk).update(form=service.form)
    return case
