import pytest

pytestmark = pytest.mark.django_db


def test_oversized_body_is_refused_with_413_before_it_is_read(client, settings):
    settings.REQUEST_MAX_BYTES = 1000
    response = client.post(
        "/api/v1/municipalities/bergkamen/cases/",
        data=b"x" * 2000,
        content_type="application/json",
    )
    assert response.status_code == 413
    assert "detail" in response.json()
