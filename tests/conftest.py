"""Shared test setup: fast hashing, no throttles or lockout unless a test turns them on,
factories, and the demo data set."""

import os

import pytest
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.factories import (  # noqa: F401  (re-exported for tests)
    DelegationFactory,
    MembershipFactory,
    MunicipalityFactory,
    ServiceDefinitionFactory,
    ServiceOfferingFactory,
    UserFactory,
)

IN_CI = bool(os.environ.get("CI"))


@pytest.fixture(autouse=True)
def _test_settings(settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {scope: "100000/minute" for scope in SimpleRateThrottle.THROTTLE_RATES},
    )
    # Steps run in process unless a test brings a real worker (tests/integration).
    from portal.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    cache.clear()
    yield
    cache.clear()
    app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo(db):
    """The Kreis Unna demo data (API.md), loaded by the real command."""
    call_command("load_demo", password="demo", stdout=open(os.devnull, "w"))


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def require_service(name: str, available: bool, why: str) -> None:
    """Skip locally when a service is missing; in CI, fail loudly instead."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{name} is required in CI: {why}")
    pytest.skip(f"{name} not available: {why}")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, test in a file instead of Django's shared-cache in-memory database: there,
    two threads writing at once fail at once ("database table is locked") instead of
    waiting, so tests that race real connections (tests/services/test_references.py)
    could not run. A file per session also keeps parallel runs apart."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(
            tmp_path_factory.mktemp("db") / "test_kreisportal.sqlite3"
        )
