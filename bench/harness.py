"""Shared plumbing of bench/submit.py, bench/steps.py and bench/load.py: a throwaway
PostgreSQL database, gunicorn and Celery worker subprocesses on 127.0.0.1, and a small
HTTP client. Every process gets the same settings (portal.settings, or bench.settings
where the bench-only floor endpoint is needed) from the environment built here."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# A database number of its own: the test suite's cache.clear() flushes database 0 of a
# shared Redis, which would also drop a bench's queued messages.
REDIS_URL = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/11"
UNLIMITED = "100000000/minute"


def prepare_path() -> None:
    """Make the repository importable and keep bench/ itself off sys.path (bench/queue.py
    would shadow the standard library's queue)."""
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != here]
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def database_url(default_name: str) -> str:
    return (
        os.environ.get("BENCH_DATABASE_URL") or f"postgres://postgres@127.0.0.1:5432/{default_name}"
    )


def _admin(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )


def recreate_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    if os.environ.get("BENCH_KEEP"):
        return
    name = urlsplit(url).path.lstrip("/")
    with contextlib.suppress(Exception), _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def base_env(
    *, database: str, queue: str, mail_dir: Path, settings: str = "portal.settings"
) -> dict:
    """The environment every bench process shares: production-like settings except that
    rate limits are lifted (all clients are 127.0.0.1) and e-mails go to files."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "PYTHONPATH": str(ROOT),
        # Production settings (DEBUG off: no query log, cached templates), plain HTTP.
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "PAYMENTS_SANDBOX": "0",
        "DATABASE_URL": database,
        "REDIS_URL": REDIS_URL,
        "CELERY_QUEUE": queue,
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        "AXES_ENABLED": "0",
        "THROTTLE_SUBMISSIONS": UNLIMITED,
        "THROTTLE_TOKENS": UNLIMITED,
        "THROTTLE_TRACKING": UNLIMITED,
        "THROTTLE_PAYMENTS": UNLIMITED,
        "THROTTLE_LOGINS": UNLIMITED,
        "DB_CONN_MAX_AGE": "600",
    }


def setup_django(env: dict) -> None:
    for key in (
        "DJANGO_SETTINGS_MODULE",
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_QUEUE",
        "EMAIL_URL",
        "LOG_LEVEL",
        "AXES_ENABLED",
        "DB_CONN_MAX_AGE",
        "DJANGO_DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "SECURE_SSL_REDIRECT",
        "PAYMENTS_SANDBOX",
    ):
        os.environ[key] = env[key]
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_queue(prefix: str) -> str:
    return f"kreisportal-{prefix}-{uuid.uuid4().hex[:8]}"


def workdir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"kreisportal-{prefix}-"))


class Process:
    def __init__(self, command: list[str], env: dict, log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.popen = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def wait_for_log(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log.read_text(errors="replace"):
            if self.popen.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.log.name} did not get ready:\n{self.tail()}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)


def start_gunicorn(env: dict, port: int, log: Path, *, workers: int, threads: int = 1) -> Process:
    command = [
        str(BIN / "gunicorn"),
        "portal.wsgi:application",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        str(workers),
        "--timeout",
        "120",
        "--backlog",
        "2048",
    ]
    if threads > 1:
        command += ["-k", "gthread", "--threads", str(threads)]
    process = Process(command, env, log)
    deadline = time.monotonic() + 60
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            break
        if process.popen.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not start:\n{process.tail()}")
        time.sleep(0.2)
    return process


def start_worker(
    env: dict, queue: str, log: Path, *, app: str = "portal", concurrency: int = 1, name: str = "w"
) -> Process:
    pool = (
        ["--pool=solo"] if concurrency == 1 else ["--pool=prefork", f"--concurrency={concurrency}"]
    )
    # BENCH_WORKER_NICE: the worker at a lower CPU priority (nice), so that on a machine it
    # shares with the web the citizens' requests come first and the steps catch up after.
    nice = os.environ.get("BENCH_WORKER_NICE")
    command = [
        *(["nice", "-n", nice] if nice else []),
        str(BIN / "celery"),
        "-A",
        app,
        "worker",
        *pool,
        "-l",
        "info",
        "-Q",
        queue,
        "-n",
        f"{queue}-{name}@%h",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
    ]
    process = Process(command, {**env, "LOG_LEVEL": "INFO"}, log)
    process.wait_for_log("ready.")
    return process


def purge_queue(queue: str) -> None:
    import redis

    with contextlib.suppress(Exception):
        client = redis.Redis.from_url(REDIS_URL)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


class Client:
    """One keep-alive HTTP connection (reopened when the server closes it)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(
        self, method: str, path: str, body: dict | None = None, headers: dict | None = None
    ) -> tuple[int, dict | None, float]:
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            **(headers or {}),
        }
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=data, headers=all_headers)
                response = self.conn.getresponse()
                raw = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server had closed; a fresh one, once.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 2 or method != "GET":
                    raise  # never resend a POST: it may have been processed
        elapsed = time.perf_counter() - started
        payload = None
        if raw and response.getheader("Content-Type", "").startswith("application/json"):
            payload = json.loads(raw)
        return response.status, payload, elapsed


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


@contextlib.contextmanager
def cleanup(*processes: Process) -> Iterator[None]:
    try:
        yield
    finally:
        for process in processes:
            process.stop()


def emails_in(mail_dir: Path) -> int:
    """Messages Django's file e-mail backend wrote (each ends with a line of 79 dashes)."""
    separator = b"\n" + b"-" * 79 + b"\n"
    return sum(path.read_bytes().count(separator) for path in mail_dir.glob("*.log"))


def bench_town(
    *,
    service_key: str,
    fields: list[dict],
    fee: dict,
    process_steps: list[str],
    clerks: int = 1,
    **service: object,
):
    """Benchhausen: one town offering one service, with clerks to notify. Shared by the
    benchmarks that drive submissions and steps; call after `setup_django`."""
    from django.contrib.auth import get_user_model

    from catalog.models import ServiceDefinition, ServiceOffering
    from municipalities.models import Membership, Municipality

    town = Municipality.objects.create(
        slug="benchhausen",
        name="Benchhausen",
        ags="05978999",
        kind="town",
        code="BNH",
        payee_name="Stadt Benchhausen",
        iban="DE81443500600000100404",
        bic="WELADED1UNN",
        email="info@benchhausen.example",
        payment_providers=["girocode"],
    )
    ServiceDefinition.objects.create(
        key=service_key,
        version=1,
        status="published",
        name={"de": "Meldung", "en": "Report"},
        form={"steps": [{"title": {"de": "Angaben", "en": "Details"}, "fields": fields}]},
        fee=fee,
        process_steps=process_steps,
        **service,
    )
    ServiceOffering.objects.create(municipality=town, service_key=service_key)
    for n in range(clerks):
        clerk = get_user_model().objects.create_user(f"clerk-{n}", f"clerk-{n}@benchhausen.example")
        Membership.objects.create(user=clerk, municipality=town, role="clerk")
    return town
