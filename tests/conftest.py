"""Shared test setup: fast hashing, no throttles or lockout unless a test turns them on,
factories, and the demo data set."""

import os

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from rest_framework.test import APIClient

from tests.clamd import (  # noqa: F401  (fixtures: a real clamd, tests/clamd.py)
    clamd,
    clamd_factory,
    eicar,
    upload_scanning,
)
from tests.factories import (  # noqa: F401  (re-exported for tests)
    DelegationFactory,
    MembershipFactory,
    MunicipalityFactory,
    ServiceDefinitionFactory,
    ServiceOfferingFactory,
    UserFactory,
)

IN_CI = bool(os.environ.get("CI"))
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _test_settings(settings, monkeypatch):
    settings.PASSWORD_HASHERS = FAST_HASHERS
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
    # Process steps run in the test process, even where REDIS_URL is set (CI): unit tests
    # must not publish to a real broker that no worker of theirs consumes. The worker tests
    # in tests/integration switch this off for themselves.
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


def _load_demo() -> None:
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        call_command("load_demo", password="demo", stdout=open(os.devnull, "w"))


@pytest.fixture
def demo(db):
    """The Kreis Unna demo data (docs/api.md), loaded by the real command."""
    _load_demo()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def beat_schedule(db):
    """The periodic tasks as celery beat writes them into its database tables when it starts:
    django-celery-beat's DatabaseScheduler turns each CELERY_BEAT_SCHEDULE entry into a row
    with ModelEntry.from_entry (the whole scheduler would close the test's connection)."""
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import ModelEntry

    from portal.celery import app

    for name, entry in app.conf.beat_schedule.items():
        ModelEntry.from_entry(name, app=app, **entry)
    return PeriodicTask.objects


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
    waiting, so tests that race real connections (tests/cases/test_references.py)
    could not run. A file per session also keeps parallel runs apart."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(
            tmp_path_factory.mktemp("db") / "test_kreisportal.sqlite3"
        )
    if _owner_credentials():
        _use_credentials(_owner_credentials())


def _owner_credentials() -> dict | None:
    """DATABASE_OWNER_URL (CI, .ci/run): the role that owns the schema. It creates the test
    database and runs the migrations; the tests themselves connect as DATABASE_URL's role,
    the app's (docs/operations.md, Row-level security)."""
    import environ

    url = os.environ.get("DATABASE_OWNER_URL")
    if not url:
        return None
    owner = environ.Env.db_url_config(url)
    return {"USER": owner.get("USER", ""), "PASSWORD": owner.get("PASSWORD", "")}


_APP_CREDENTIALS: dict = {}


def _use_credentials(credentials: dict) -> None:
    from django.conf import settings
    from django.db import connections

    database = settings.DATABASES["default"]
    _APP_CREDENTIALS.setdefault("USER", database.get("USER", ""))
    _APP_CREDENTIALS.setdefault("PASSWORD", database.get("PASSWORD", ""))
    connections.close_all()
    for target in (database, connections["default"].settings_dict):
        target.update(credentials)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """With DATABASE_OWNER_URL: after the owner has migrated the test database, the tests
    run as the app's login role (RLS binds it). That role may also empty the tables
    between transactional tests (TRUNCATE, which production's role never needs)."""
    owner = _owner_credentials()
    if not owner:
        yield
        return
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO "
            + connection.ops.quote_name(_APP_CREDENTIALS["USER"])
        )
    _use_credentials(dict(_APP_CREDENTIALS))
    yield
    _use_credentials(owner)  # the owner drops the test database


@pytest.fixture
def schema_owner(transactional_db, django_db_blocker):
    """A test that changes the schema (migrations, policies) runs as its owner: in CI the
    app's role may not (it owns nothing). Only for transactional tests — what they do is
    committed, so they undo it themselves. Without DATABASE_OWNER_URL: nothing to switch."""
    owner = _owner_credentials()
    if not owner:
        yield
        return
    from django.db import connection

    _use_credentials(owner)
    try:
        yield
    finally:
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            # Tables the test made anew (a migration backwards and forwards) get the grant of
            # django_db_setup again, so the flush after the test can empty them.
            cursor.execute(
                "GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO "
                + connection.ops.quote_name(_APP_CREDENTIALS["USER"])
            )
        _use_credentials(dict(_APP_CREDENTIALS))


# --- clerk workspace (issue 4): file a demo case the way a citizen would ---------------

DEMO_ANSWERS = {
    "gewerbe-anmelden": {
        "familienname": "Muster",
        "vornamen": "Erika",
        "geburtsdatum": "1980-04-01",
        "strasse": "Bahnhofstraße",
        "hausnummer": "1",
        "plz": "59199",
        "ort": "Bönen",
        "rechtsform": "einzelunternehmen",
        "betriebsstaette_anschrift": "Bahnhofstraße 1, 59199 Bönen",
        "taetigkeit": "Fahrradreparatur",
        "beginn": "2026-01-02",
        "erwerb": "haupterwerb",
    },
    "fundsache": {
        "art": "verloren",
        "datum": "2026-01-02",
        "fundort": "Markt",
        "gegenstand": "Schirm",
        "beschreibung": "Ein roter Regenschirm",
    },
}


@pytest.fixture
def file_case(demo):
    """file_case(town="boenen", service="gewerbe-anmelden") → cases.services.Submitted:
    a case filed through case_submit with valid answers (gewerbe-anmelden from Bönen is
    processed by Kamen under the demo delegation)."""
    from cases.services import case_submit
    from municipalities.models import Municipality

    def _file(
        town: str = "boenen",
        service: str = "gewerbe-anmelden",
        *,
        name: str = "Erika Muster",
        email: str = "erika@example.org",
        language: str = "de",
    ):
        return case_submit(
            municipality=Municipality.objects.get(slug=town),
            service_key=service,
            applicant={"name": name, "email": email},
            data=dict(DEMO_ANSWERS[service]),
            language=language,
        )

    return _file


def rls_queries() -> int:
    """Queries the row-level-security middleware adds to a signed-in request (narrowing the
    connection, and handing it back as a system context): 2 with DATABASE_RLS on
    PostgreSQL (CI), else 0 — for tests that count a page's queries."""
    from core import rls

    return 2 if rls.enabled() else 0
