"""Faults the portal must survive without losing a request (issue 7, Faults):

- a worker killed with SIGKILL in the middle of a step: once a new worker runs and the
  periodic re-dispatch has sent the step again, it completes, and its e-mail goes out once;
- Redis stopped while citizens submit: submissions still answer 201, and every step runs
  after Redis is back;
- PostgreSQL gone: /healthz answers 503 while it is down and 200 again afterwards, without
  restarting the web process.

The machine's Redis and PostgreSQL are shared with other work, so nothing here stops them:
the Redis test runs its own redis-server on a spare port, and the PostgreSQL test puts a
TCP proxy it controls between a gunicorn process and the database. Workers and the web
process are real subprocesses (the worker as in tests/integration/conftest.py)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from cases.models import CaseStep, OutboundEmail
from cases.steps import steps_redispatch
from tests.conftest import require_service
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    ServiceDefinitionFactory,
    ServiceOfferingFactory,
    UserFactory,
)
from tests.integration.conftest import (
    REDIS_URL,
    Worker,
    _wait_for,
    redis_available,
    worker_database_url,
)
from tests.servers import free_port, wait_until_listening

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STEPS = {"send_receipt", "notify_authority"}
# Not database 0: a test session's cache.clear() flushes that one (another session on the
# same machine would drop this test's queued messages). TEST_FAULTS_REDIS_DB lets several
# checkouts on one machine run these tests side by side.
BROKER_URL = REDIS_URL.rsplit("/", 1)[0] + "/" + os.environ.get("TEST_FAULTS_REDIS_DB", "12")


@pytest.fixture
def database_url() -> str:
    url = worker_database_url()
    require_service(
        "PostgreSQL",
        url is not None and connection.vendor == "postgresql",
        "a second process must open the test database (set DATABASE_URL=postgres://…)",
    )
    return url


@pytest.fixture
def queue() -> str:
    """A queue of this test's own: no other worker on the same Redis takes its messages."""
    return f"kreisportal-fault-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def workers(database_url: str, queue: str, tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Start real Celery workers (each a subprocess) on this test's queue; all are stopped
    at the end. Every worker writes its e-mails into the same directory."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    started: list[subprocess.Popen] = []

    def start(*, broker: str = BROKER_URL, **extra_env: str) -> Worker:
        log = tmp_path / f"worker-{len(started)}.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": broker,
            "CELERY_QUEUE": queue,
            "EMAIL_URL": f"filemail:///{mail_dir}",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "PYTHONPATH": str(REPO_ROOT),
            "AXES_ENABLED": "0",
            **extra_env,
        }
        command = [
            str(BIN / "celery"),
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "-l",
            "info",
            "-Q",
            queue,
            "-n",
            f"{queue}-{len(started)}@%h",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ]
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        started.append(process)
        worker = Worker(process, log, mail_dir)
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start:\n{worker.log_tail()}")
            time.sleep(0.2)
        return worker

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
    for process in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def publish(queue: str) -> Iterator[Callable[[str], None]]:
    """Point this process's Celery app at a broker URL and the test's queue; restored after."""
    from portal.celery import app

    keys = ("task_always_eager", "broker_url", "task_default_queue")
    saved = {key: getattr(app.conf, key) for key in keys}

    def to(url: str) -> None:
        app.conf.task_always_eager = False
        app.conf.broker_url = url
        app.conf.task_default_queue = queue
        app._pool = None  # pools remember their URL; drop them
        app.amqp._producer_pool = None

    yield to
    for key, value in saved.items():
        setattr(app.conf, key, value)
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def town():
    """A town whose service sends a receipt and notifies its (one) clerk by e-mail."""
    municipality = MunicipalityFactory(slug="faultbach")
    service = ServiceDefinitionFactory(key="sperrmuell-fault", process_steps=sorted(STEPS))
    ServiceOfferingFactory(municipality=municipality, service_key=service.key)
    MembershipFactory(municipality=municipality, user=UserFactory(username="clerk-faultbach"))
    return municipality


def submit(api, town) -> str:
    response = api.post(
        f"/api/v1/municipalities/{town.slug}/cases/",
        {
            "service": "sperrmuell-fault",
            "applicant": {"name": "Erika Muster", "email": "erika@example.org"},
            "data": {"anliegen": "Sofa", "anzahl": 1},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()["reference"]


def step_statuses(reference: str) -> dict[str, str]:
    return dict(CaseStep.objects.filter(case__reference=reference).values_list("key", "status"))


def all_done(references: list[str]) -> bool:
    return (
        not CaseStep.objects.filter(case__reference__in=references)
        .exclude(status=CaseStep.Status.DONE)
        .exists()
    )


def redispatch_until_done(references: list[str], *, timeout: float) -> None:
    """Play beat: re-dispatch due steps every few seconds until the cases' steps are done."""
    deadline = time.monotonic() + timeout
    while not all_done(references):
        if time.monotonic() > deadline:
            raise AssertionError(f"steps not done: {[step_statuses(r) for r in references]}")
        steps_redispatch()
        time.sleep(2)


def step_is_running(step_id: int) -> bool:
    """A worker holds the step's row lock for as long as the step runs."""
    try:
        with transaction.atomic():
            list(CaseStep.objects.select_for_update(nowait=True).filter(pk=step_id))
        return False
    except DatabaseError:
        return True


def assert_each_email_once(worker: Worker, references: list[str]) -> None:
    for reference in references:
        subjects = [str(m["subject"]) for m in worker.emails() if reference in str(m["subject"])]
        recorded = OutboundEmail.objects.filter(step__case__reference=reference)
        assert sorted(recorded.values_list("purpose", flat=True)) == ["authority", "receipt"]
        assert len(subjects) == 2, (reference, subjects)


# --- a worker killed in the middle of a step --------------------------------------------


def test_a_step_whose_worker_is_killed_midway_completes_once_on_a_new_worker(
    workers, publish, town, api
):
    require_service("Redis", redis_available(BROKER_URL), f"no Redis answers at {BROKER_URL}")
    slow = workers(KREISPORTAL_STEP_DELAY_SECONDS="30")
    publish(BROKER_URL)
    reference = submit(api, town)
    steps = list(CaseStep.objects.filter(case__reference=reference).order_by("pk"))

    _wait_for(lambda: any(step_is_running(s.pk) for s in steps), what="a step to be running")
    running = next(s for s in steps if step_is_running(s.pk))
    slow.process.send_signal(signal.SIGKILL)
    slow.process.wait(timeout=10)
    assert CaseStep.objects.get(pk=running.pk).status == CaseStep.Status.PENDING

    fresh = workers()
    # What beat's re-dispatch does every minute: the killed worker's message is not lost,
    # only unacknowledged until Redis's visibility timeout; the row says the step is due.
    redispatch_until_done([reference], timeout=60)
    assert set(step_statuses(reference).values()) == {"done"}
    # A second re-dispatch (or the late redelivery) changes nothing.
    steps_redispatch()
    time.sleep(2)
    assert_each_email_once(fresh, [reference])
    assert CaseStep.objects.get(pk=running.pk).attempts == 1


# --- Redis stopped while citizens submit -------------------------------------------------


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[dict]:
    """A redis-server of this test's own, which it may stop and start at will."""
    binary = shutil.which("redis-server")
    require_service("redis-server", binary is not None, "the Redis test starts its own server")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    state: dict = {"url": url, "process": None}

    def start() -> None:
        state["process"] = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for(lambda: redis_available(url), what="our redis-server", timeout=10)

    def stop() -> None:
        state["process"].terminate()
        state["process"].wait(timeout=10)
        assert not redis_available(url)

    state.update(start=start, stop=stop)
    start()
    yield state
    if state["process"].poll() is None:
        stop()


def test_submissions_succeed_while_redis_is_down_and_every_step_runs_after(
    workers, publish, own_redis, town, api
):
    worker = workers(broker=own_redis["url"])
    publish(own_redis["url"])
    before = submit(api, town)
    _wait_for(lambda: all_done([before]), what="the steps before the outage")

    own_redis["stop"]()
    during = [submit(api, town) for _ in range(3)]
    assert all(set(step_statuses(r).values()) == {"pending"} for r in during)

    own_redis["start"]()
    redispatch_until_done(during, timeout=90)
    assert_each_email_once(worker, [before, *during])


# --- PostgreSQL down ----------------------------------------------------------------------


class TcpProxy:
    """Forwards 127.0.0.1:<port> to PostgreSQL; `cut()` drops every connection and refuses
    new ones (what clients see of a restarting server), `restore()` lets them in again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.up = threading.Event()
        self.up.set()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener: socket.socket | None = None
        self.stopped = False
        self._listen()
        threading.Thread(target=self._accept, daemon=True).start()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.2)
        self.listener = listener

    def _accept(self) -> None:
        while not self.stopped:
            try:
                client, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            if not self.up.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up.clear()
        with self.lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self.sockets.clear()

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.stopped = True
        self.cut()
        self.listener.close()


def healthz(port: int) -> tuple[int, dict]:
    import json

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=15) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_healthz_reports_503_while_postgresql_is_down_and_recovers_without_a_restart(
    database_url, tmp_path
):
    settings_dict = connection.settings_dict
    proxy = TcpProxy(
        (settings_dict.get("HOST") or "127.0.0.1", int(settings_dict.get("PORT") or 5432))
    )
    proxied = database_url.replace(
        f"@{settings_dict.get('HOST') or '127.0.0.1'}:{settings_dict.get('PORT') or 5432}/",
        f"@127.0.0.1:{proxy.port}/",
    )
    if f":{proxy.port}/" not in proxied:  # a URL without an explicit port
        proxied = database_url.replace(
            f"@{settings_dict.get('HOST') or '127.0.0.1'}/", f"@127.0.0.1:{proxy.port}/"
        )
    assert f":{proxy.port}/" in proxied
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": proxied,
        # Persistent connections: the broken one must be noticed and replaced.
        "DB_CONN_MAX_AGE": "600",
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PYTHONPATH": str(REPO_ROOT),
    }
    with log.open("wb") as out:
        web = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "portal.wsgi:application",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "1",
                "--timeout",
                "60",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_listening(port, process=web, timeout=30)
        assert healthz(port) == (200, {"status": "ok", "checks": {"database": "ok"}})

        proxy.cut()
        status, body = healthz(port)
        assert status == 503, log.read_text()
        assert body["checks"]["database"].startswith("down")
        assert healthz(port)[0] == 503  # and stays down while the database is

        proxy.restore()
        _wait_for(lambda: healthz(port)[0] == 200, what="/healthz to recover", timeout=20)
        assert web.poll() is None  # the same process, never restarted
    finally:
        web.terminate()
        web.wait(timeout=20)
        proxy.close()
