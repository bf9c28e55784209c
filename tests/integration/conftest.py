"""A real Celery worker against a real Redis, on the test's own database.

The worker is a subprocess (`celery -A portal worker --pool=solo`) started once per session
with the test database's URL, the broker's URL and a file e-mail backend whose directory the
tests read. It consumes a queue of its own, so messages of other runs on the same Redis never
reach it, and this run's messages reach no other worker.

Redis and a database that a second process can open (PostgreSQL, or the file-based SQLite
test database of tests/conftest.py) are required: without them the tests skip on a developer
machine and fail in CI (`require_service`)."""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import require_service

INTEGRATION_DIR = Path(__file__).resolve().parent
REPO_ROOT = INTEGRATION_DIR.parent.parent
# The broker gets a Redis database of its own: Django's RedisCache.clear() (every test's
# cache.clear() where REDIS_URL is set) flushes the whole cache database, queues included.
REDIS_URL = urlunsplit(
    urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")._replace(
        path=f"/{os.environ.get('TEST_BROKER_REDIS_DB', '14')}"
    )
)
QUEUE = f"kreisportal-test-{uuid.uuid4().hex[:12]}"
WORKER_START_SECONDS = 60


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/integration is an integration test (-m integration)."""
    for item in items:
        if item.path.is_relative_to(INTEGRATION_DIR):
            item.add_marker(pytest.mark.integration)


def redis_available(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def worker_database_url() -> str | None:
    """A URL under which a second process opens this test run's database, or None."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "postgresql":
        user = db.get("USER") or ""
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        auth = f"{user}{password}@" if user else ""
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}{port}/{db['NAME']}"
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    return None


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path, mail_dir: Path) -> None:
        self.process = process
        self.log = log
        self.mail_dir = mail_dir

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def emails(self) -> list[email.message.EmailMessage]:
        """Every e-mail the worker sent (the file backend appends them, dash-separated)."""
        messages = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if raw.strip():
                    messages.append(email.message_from_bytes(raw, policy=email.policy.default))
        return messages


@pytest.fixture(scope="session")
def real_worker(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Worker]:
    require_service("Redis", redis_available(REDIS_URL), f"no Redis answers at {REDIS_URL}")
    with django_db_blocker.unblock():
        database_url = worker_database_url()
    require_service(
        "PostgreSQL",
        database_url is not None,
        "the worker process must open the test database (set DATABASE_URL=postgres://…)",
    )
    base = tmp_path_factory.mktemp("worker")
    mail_dir = base / "mail"
    mail_dir.mkdir()
    log = base / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        # What the worker itself publishes (a re-dispatch) must come back to it.
        "CELERY_QUEUE": QUEUE,
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PYTHONPATH": str(REPO_ROOT),
        "AXES_ENABLED": "0",
        "LOG_LEVEL": "INFO",
    }
    celery = Path(sys.executable).with_name("celery")
    command = [
        str(celery),
        "-A",
        "portal",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "-l",
        "info",
        "-Q",
        QUEUE,
        "-n",
        f"{QUEUE}@%h",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    worker = Worker(process, log, mail_dir)
    deadline = time.monotonic() + WORKER_START_SECONDS
    while "ready." not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the Celery worker did not start:\n{worker.log_tail()}")
        time.sleep(0.2)
    yield worker
    # Before the test database is dropped: the worker holds connections to it.
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def use_broker(url: str = REDIS_URL) -> None:
    """Point this process's Celery app at `url`, publishing to the worker's queue. The
    connection pools are built on first use and remember the URL, so they are dropped."""
    from portal.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = url
    app.conf.task_default_queue = QUEUE
    # (kombu keeps pools per URL globally; they are only forgotten here, not closed.)
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def publish_to_worker(real_worker: Worker) -> Iterator[Callable[[str], None]]:
    """Dispatches of this test go to the real worker (through Redis); afterwards the app is
    as it was. Call the fixture's value with another URL to simulate a broker outage, and
    without one to get the real broker back."""
    from portal.celery import app

    saved = {
        key: getattr(app.conf, key)
        for key in ("task_always_eager", "broker_url", "task_default_queue")
    }
    use_broker(REDIS_URL)
    yield use_broker
    use_broker(saved["broker_url"])  # forgets the pools bound to the test's broker
    for key, value in saved.items():
        setattr(app.conf, key, value)


def _wait_for(predicate: Callable[[], bool], *, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.25)


@pytest.fixture
def wait_for() -> Callable[..., None]:
    """Poll a condition (the worker is another process) until it holds, or fail."""
    return _wait_for
