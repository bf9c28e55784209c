"""Who may see and act on a delegated case (docs/architecture.md, Tenancy): every workspace endpoint,
page and clerk action × every kind of caller. Demo delegation: Bönen's business
registrations (gewerbe-anmelden) are processed by Kamen.

Only Kamen's clerk may see or act. Bönen's clerk (the filing town) and Unna's clerk get 404,
as does Kamen's municipal admin (not a clerk). The citizen's access token opens the case's
public API view and the tracking page, never the workspace or a clerk action; without a
session the pages send to the login page and the queue API answers 401."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import Actor, Case, CaseEvent
from cases.services import case_apply_action, case_submit
from cases.workflow import CLERK_ACTIONS
from municipalities.models import Municipality
from tests.conftest import DEMO_ANSWERS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

PROCESSING = "clerk of the processing authority"
FILING = "clerk of the filing town"
UNRELATED = "clerk of an unrelated town"
ADMIN = "municipal admin of the processing authority"
CITIZEN = "citizen with the access token"
ANONYMOUS = "anonymous"
CALLERS = [PROCESSING, FILING, UNRELATED, ADMIN, CITIZEN, ANONYMOUS]
USERNAMES = {
    PROCESSING: "clerk-kamen",
    FILING: "clerk-boenen",
    UNRELATED: "clerk-unna",
    ADMIN: "admin-kamen",
}
COMMENT = "Matrix comment"


@pytest.fixture
def delegated(demo):
    """A Bönen business registration with an uploaded document; processed by Kamen."""
    submitted = case_submit(
        municipality=Municipality.objects.get(slug="boenen"),
        service_key="gewerbe-anmelden",
        applicant={"name": "Erika Muster", "email": "erika@example.org"},
        data=dict(DEMO_ANSWERS["gewerbe-anmelden"]),
        files={"erlaubnis": [SimpleUploadedFile("erlaubnis.pdf", PDF, "application/pdf")]},
    )
    assert submitted.case.processing_authority.slug == "kamen"
    return submitted


def as_caller(caller: str, *, api: bool) -> Client | APIClient:
    client = APIClient() if api else Client()
    if caller in USERNAMES:
        user = get_user_model().objects.get(username=USERNAMES[caller])
        if api:
            client.force_authenticate(user)
        else:
            client.force_login(user)
    return client


def token_headers(caller: str, submitted) -> dict[str, str]:
    return {"HTTP_X_ACCESS_TOKEN": submitted.access_token} if caller == CITIZEN else {}


def prepare(case: Case, action: str) -> None:
    """Put the case where the processing clerk's action is allowed."""
    if action == "unassign":
        kamen = get_user_model().objects.get(username="clerk-kamen")
        case_apply_action(case=case, action="claim", actor_kind=Actor.CLERK, actor=kamen)


def snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    return case.status, case.assigned_to_id, case.events.count()


# --- API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("caller", CALLERS)
def test_queue_api(caller, delegated):
    client = as_caller(caller, api=True)

    response = client.get("/api/v1/queue/", **token_headers(caller, delegated))

    if caller in (CITIZEN, ANONYMOUS):
        assert response.status_code == 401
        return
    assert response.status_code == 200
    listed = delegated.case.reference in [row["reference"] for row in response.json()["results"]]
    assert listed == (caller == PROCESSING)


@pytest.mark.parametrize("caller", CALLERS)
def test_case_detail_api(caller, delegated):
    client = as_caller(caller, api=True)
    case_apply_action(
        case=delegated.case,
        action="note",
        actor_kind=Actor.CLERK,
        actor=get_user_model().objects.get(username="clerk-kamen"),
        comment="internal only",
    )

    response = client.get(
        f"/api/v1/cases/{delegated.case.reference}/", **token_headers(caller, delegated)
    )

    if caller == PROCESSING:
        assert response.status_code == 200
        assert "internal only" in [e["comment"] for e in response.json()["events"]]
    elif caller == CITIZEN:  # the citizen's own, public view (docs/api.md)
        assert response.status_code == 200
        assert "internal only" not in [e["comment"] for e in response.json()["events"]]
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("action", CLERK_ACTIONS)
@pytest.mark.parametrize("caller", CALLERS)
def test_clerk_action_api(caller, action, delegated):
    case = delegated.case
    prepare(case, action)
    before = snapshot(case)
    client = as_caller(caller, api=True)

    response = client.post(
        f"/api/v1/cases/{case.reference}/actions/",
        {"action": action, "comment": COMMENT},
        format="json",
        **token_headers(caller, delegated),
    )

    if caller == PROCESSING:
        assert response.status_code == 200, response.content
        assert CaseEvent.objects.filter(case=case, type=action).exists()
    else:
        assert response.status_code == 404
        assert snapshot(case) == before


# --- pages -------------------------------------------------------------------------------


def login_redirect(response, path: str) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        f"/accounts/login/?next={path}"
    )


@pytest.mark.parametrize("caller", CALLERS)
def test_queue_page(caller, delegated):
    client = as_caller(caller, api=False)
    path = reverse("workspace")

    response = client.get(path, {"access_token": delegated.access_token})

    if caller in (CITIZEN, ANONYMOUS):
        assert login_redirect(response, path)
    elif caller == ADMIN:
        assert response.status_code == 403  # not a clerk anywhere: the polite refusal
    else:
        assert response.status_code == 200
        assert (delegated.case.reference in response.content.decode()) == (caller == PROCESSING)


@pytest.mark.parametrize("caller", CALLERS)
def test_case_page(caller, delegated):
    client = as_caller(caller, api=False)
    path = reverse("workspace-case", args=[delegated.case.reference])

    response = client.get(path, {"access_token": delegated.access_token})

    if caller == PROCESSING:
        assert response.status_code == 200
    elif caller in (CITIZEN, ANONYMOUS):
        assert login_redirect(response, path)
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("caller", CALLERS)
def test_attachment_download(caller, delegated):
    client = as_caller(caller, api=False)
    attachment = delegated.case.attachments.get(field_name="erlaubnis")
    path = reverse("workspace-case-file", args=[delegated.case.reference, attachment.pk])

    response = client.get(path, {"access_token": delegated.access_token})

    if caller == PROCESSING:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
    elif caller in (CITIZEN, ANONYMOUS):
        assert login_redirect(response, path)
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("action", CLERK_ACTIONS)
@pytest.mark.parametrize("caller", CALLERS)
def test_clerk_action_page(caller, action, delegated):
    case = delegated.case
    prepare(case, action)
    before = snapshot(case)
    client = as_caller(caller, api=False)
    path = reverse("workspace-case", args=[case.reference])

    response = client.post(
        f"{path}?access_token={delegated.access_token}", {"action": action, "comment": COMMENT}
    )

    if caller == PROCESSING:
        assert response.status_code == 302 and response["Location"] == path
        assert CaseEvent.objects.filter(case=case, type=action).exists()
        return
    if caller in (CITIZEN, ANONYMOUS):
        assert login_redirect(response, path)
    else:
        assert response.status_code == 404
    assert snapshot(case) == before
