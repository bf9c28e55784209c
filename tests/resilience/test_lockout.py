"""Login lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords an account is
locked on the login page and on the token endpoint alike — even with the right password."""

import pytest
from axes.models import AccessAttempt

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    return UserFactory(username="clerk-lockout")


def test_login_page_locks_an_account_after_repeated_failures(client, lockout):
    for _ in range(2):
        response = client.post("/accounts/login/", {"username": "clerk-lockout", "password": "x"})
        assert response.status_code == 200
    locked = client.post("/accounts/login/", {"username": "clerk-lockout", "password": "x"})
    assert locked.status_code == 429
    # The right password does not open a locked account.
    right = client.post("/accounts/login/", {"username": "clerk-lockout", "password": PASSWORD})
    assert right.status_code == 429
    assert not client.session.get("_auth_user_id")


def test_a_successful_login_before_the_limit_resets_the_count(client, lockout):
    for _ in range(2):
        client.post("/accounts/login/", {"username": "clerk-lockout", "password": "x"})
    ok = client.post("/accounts/login/", {"username": "clerk-lockout", "password": PASSWORD})
    assert ok.status_code == 302
    assert not AccessAttempt.objects.filter(
        username="clerk-lockout", failures_since_start__gt=0
    ).exists()


def test_token_endpoint_counts_failures_and_locks_out(api, lockout):
    for _ in range(2):
        response = api.post(
            "/api/v1/auth/token/", {"username": "clerk-lockout", "password": "x"}, format="json"
        )
        assert response.status_code == 400
    assert AccessAttempt.objects.get(username="clerk-lockout").failures_since_start == 2
    api.post("/api/v1/auth/token/", {"username": "clerk-lockout", "password": "x"}, format="json")
    response = api.post(
        "/api/v1/auth/token/", {"username": "clerk-lockout", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert "token" not in response.content.decode()


def test_failures_on_the_api_lock_the_login_page_too(api, client, lockout):
    for _ in range(3):
        api.post(
            "/api/v1/auth/token/", {"username": "clerk-lockout", "password": "x"}, format="json"
        )
    response = client.post("/accounts/login/", {"username": "clerk-lockout", "password": PASSWORD})
    assert response.status_code == 429
