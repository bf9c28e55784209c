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


def _login(client, username, password, address):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_failures_for_unknown_names_from_one_address_lock_no_clerk_out(client, lockout, settings):
    """Behind the reverse proxy every client shares one address: five failures for made-up
    names from it must not lock every staff member out."""
    settings.AXES_FAILURE_LIMIT = 5
    colleague = UserFactory(username="clerk-kamen")
    for n in range(5):
        assert _login(client, f"nobody-{n}", "x", "10.0.0.1").status_code == 200
    for clerk in (lockout, colleague):
        signed_in = client.__class__()
        response = _login(signed_in, clerk.username, PASSWORD, "10.0.0.1")
        assert response.status_code == 302, clerk.username
        assert signed_in.session.get("_auth_user_id") == str(clerk.pk)


def test_an_attacker_at_another_address_cannot_lock_a_clerk_out(client, lockout):
    for _ in range(5):
        response = _login(client, "clerk-lockout", "x", "203.0.113.9")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60  # the cool-off, AXES_COOLOFF_HOURS
    # The clerk at the office's address signs in as always …
    office = client.__class__()
    assert _login(office, "clerk-lockout", PASSWORD, "10.0.0.7").status_code == 302
    # … and a forged X-Forwarded-For does not make the attacker someone else.
    response = client.post(
        "/accounts/login/",
        {"username": "clerk-lockout", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="10.0.0.7",
    )
    assert response.status_code == 429


def test_a_locked_pair_answers_429_with_retry_after_on_the_api_as_json(api, lockout):
    for _ in range(3):
        response = api.post(
            "/api/v1/auth/token/", {"username": "clerk-lockout", "password": "x"}, format="json"
        )
    response = api.post(
        "/api/v1/auth/token/", {"username": "clerk-lockout", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
