import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["clerk-bergkamen", "admin-kamen", "district-admin"])
def test_demo_users_get_api_tokens(demo, api, username):
    response = api.post(
        "/api/v1/auth/token/", {"username": username, "password": "demo"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/queue/").status_code in (200,)


def test_wrong_password_gets_400_without_token(demo, api):
    response = api.post(
        "/api/v1/auth/token/", {"username": "clerk-unna", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()
    assert response.json()["errors"]["non_field_errors"]


def test_token_request_without_fields_names_them(api, db):
    response = api.post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"username", "password"}


@pytest.mark.parametrize("username", ["clerk-selm", "admin-werne", "district-admin"])
def test_demo_users_log_in_through_the_login_page(demo, client, username):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    response = client.post("/accounts/login/", {"username": username, "password": "demo"})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_login_page_refuses_a_wrong_password(demo, client):
    response = client.post("/accounts/login/", {"username": "clerk-selm", "password": "x"})
    assert response.status_code == 200
    assert not client.session.get("_auth_user_id")
