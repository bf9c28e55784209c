import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_the_database_answers(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok"}


def test_healthz_names_the_broker_when_it_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("down")
    assert response.json()["checks"]["database"] == "ok"


def test_healthz_names_the_database_when_it_is_down(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("down")


def test_healthz_reports_the_upload_scanner_when_one_is_configured(client, settings, clamd):
    settings.REDIS_URL = ""
    settings.UPLOAD_SCAN_URL = clamd.unix_url
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "scanner": "ok"}


def test_healthz_names_the_scanner_when_it_is_down(client, settings, clamd_factory):
    settings.REDIS_URL = ""
    daemon = clamd_factory()
    settings.UPLOAD_SCAN_URL = daemon.tcp_url
    assert client.get("/healthz").status_code == 200
    daemon.stop()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["scanner"].startswith("down")
    assert "127.0.0.1" not in response.json()["checks"]["scanner"]  # no addresses in public
    daemon.start()
    assert client.get("/healthz").json()["checks"]["scanner"] == "ok"
