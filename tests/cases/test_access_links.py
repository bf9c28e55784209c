"""A clerk sends the applicant a new access link: the old one stops opening the case at
once, the new one arrives by e-mail and opens it, and the timeline records it where the
applicant sees it too (issue 13; ADR 0003)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def kamen(client, demo):
    client.login(username="clerk-kamen", password="demo")
    return get_user_model().objects.get(username="clerk-kamen")


def track(client, case: Case, token: str):
    # The link is exchanged for a cookie and a token-free address (citizen/views/tracking.py).
    return client.get(f"/track/{case.reference}/", {"access_token": token}, follow=True)


def test_a_new_link_revokes_the_old_one_and_is_mailed_and_recorded(
    client, kamen, file_case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # receipt and notice go first
        submitted = file_case("boenen", name="Nguyễn Thị Minh Khai", email="minh@example.org")
    case, old_token = submitted.case, submitted.access_token
    assert track(client, case, old_token).status_code == 200
    citizen = Client()  # a browser holding the cookie the old link was exchanged for
    assert track(citizen, case, old_token).status_code == 200
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/workspace/cases/{case.reference}/", {"action": "send_new_link"})

    assert page.status_code == 302
    [message] = mail.outbox
    assert message.to == ["minh@example.org"]
    assert "Nguyễn Thị Minh Khai" in message.body
    new_link = re.search(r"http\S+/track/\S+", message.body).group(0)
    new_token = new_link.split("access_token=")[1]
    assert new_token != old_token
    client.logout()  # the citizen's side
    assert track(client, case, old_token).status_code == 404
    assert citizen.get(f"/track/{case.reference}/").status_code == 404  # nor its cookie
    opened = track(client, case, new_token)
    assert opened.status_code == 200
    event = CaseEvent.objects.get(case=case, type="send_new_link")
    assert (event.actor, event.visibility) == (kamen, "public")
    # In the applicant's timeline, in the applicant's words.
    assert "hat Ihnen einen neuen Link zu dieser Seite gesendet" in opened.content.decode()
    api_old = client.get(f"/api/v1/cases/{case.reference}/", {"access_token": old_token})
    assert api_old.status_code == 404 and api_old["Content-Type"] == "application/json"


def test_through_the_api_and_not_for_a_purged_case(api, kamen, file_case):
    case = file_case("boenen").case
    api.force_authenticate(kamen)
    url = f"/api/v1/cases/{case.reference}/actions/"

    assert api.post(url, {"action": "send_new_link"}, format="json").status_code == 200

    Case.objects.filter(pk=case.pk).update(
        applicant_name="", applicant_email="", purged_at=timezone.now()
    )
    salt = Case.objects.get(pk=case.pk).token_salt
    refused = api.post(url, {"action": "send_new_link"}, format="json")
    assert refused.status_code == 409
    assert Case.objects.get(pk=case.pk).token_salt == salt  # nothing changed


def test_another_towns_clerk_cannot_send_a_link(api, file_case, demo):
    case = file_case("boenen").case  # processed by Kamen
    api.force_authenticate(get_user_model().objects.get(username="clerk-unna"))

    response = api.post(
        f"/api/v1/cases/{case.reference}/actions/", {"action": "send_new_link"}, format="json"
    )

    assert response.status_code == 404
    assert not CaseEvent.objects.filter(case=case, type="send_new_link").exists()
