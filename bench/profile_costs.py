"""Where a submission and a process step spend their time (issue 17): the profile behind
docs/performance.md.

    .venv/bin/python bench/profile_costs.py
    BENCH_PROFILE=200 BENCH_PROFILE_TOP=25 .venv/bin/python bench/profile_costs.py

Sets up what bench/submit.py and bench/steps.py measure (same town, same services, same
production settings, PostgreSQL and Redis on 127.0.0.1; database kreisportal_bench_profile,
dropped afterwards) and runs in this process, under cProfile:

- BENCH_PROFILE submissions (default 200, after 20 warm-ups) through Django's full request
  stack (the WSGI handler gunicorn calls, every middleware, DRF) — the floor endpoint as
  often, for comparison — and the two other requests of a bench/load.py round on the cases
  filed: tracking (GET) and paying by GiroCode (POST …/payments/);
- BENCH_PROFILE / 4 receipts (the PDF/A document `send_receipt` renders and mails);
- BENCH_PROFILE `notify_authority` steps through the body of the task the worker runs
  (`cases.tasks.run_step`), and as many no-op tasks' bodies.

Prints per request / per step: wall time, SQL statements and their time (Django's execute
wrapper; BEGIN and COMMIT are counted by psycopg's own calls), Redis round trips and their
time (redis-py's connection), and the rest (Python); then the functions with the most
cumulative time, without the database and Redis calls beneath them.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

harness.prepare_path()

COUNT = int(os.environ.get("BENCH_PROFILE", "200"))
TOP = int(os.environ.get("BENCH_PROFILE_TOP", "18"))
WARMUP = 20


class Meter:
    """Counts and times SQL statements, transactions and Redis round trips."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.sql = self.sql_seconds = 0.0
        self.tx = 0
        self.redis = self.redis_seconds = 0.0

    def install(self) -> None:
        import psycopg
        import redis.connection
        from django.db import connection

        meter = self

        def wrapper(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                meter.sql += 1
                meter.sql_seconds += time.perf_counter() - started

        connection.execute_wrappers.append(wrapper)

        original_send = redis.connection.AbstractConnection.send_packed_command
        original_read = redis.connection.AbstractConnection.read_response

        def send(self, command, check_health=True):
            meter.redis += 1
            started = time.perf_counter()
            try:
                return original_send(self, command, check_health)
            finally:
                meter.redis_seconds += time.perf_counter() - started

        def read(self, *args, **kwargs):
            started = time.perf_counter()
            try:
                return original_read(self, *args, **kwargs)
            finally:
                meter.redis_seconds += time.perf_counter() - started

        redis.connection.AbstractConnection.send_packed_command = send
        redis.connection.AbstractConnection.read_response = read

        original_commit = psycopg.Connection.commit
        original_rollback = psycopg.Connection.rollback

        def commit(self):
            meter.tx += 1
            started = time.perf_counter()
            try:
                return original_commit(self)
            finally:
                meter.sql_seconds += time.perf_counter() - started

        def rollback(self):
            meter.tx += 1
            return original_rollback(self)

        psycopg.Connection.commit = commit
        psycopg.Connection.rollback = rollback


METER = Meter()


def profiled(label: str, call, count: int) -> None:
    for n in range(WARMUP):
        call(n)
    METER.reset()
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for n in range(count):
        call(WARMUP + n)
    profile.disable()
    seconds = time.perf_counter() - started
    each = seconds / count * 1000
    sql_ms = METER.sql_seconds / count * 1000
    redis_ms = METER.redis_seconds / count * 1000
    print(
        f"\n{label}: {each:.2f} ms each (under cProfile) — SQL {METER.sql / count:.1f} statements "
        f"+ {METER.tx / count:.1f} commits, {sql_ms:.2f} ms; Redis {METER.redis / count:.1f} "
        f"round trips, {redis_ms:.2f} ms; the rest (Python) {each - sql_ms - redis_ms:.2f} ms"
    )
    if TOP:
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative")).print_stats(TOP)
        lines = out.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if "ncalls" in line)
        for line in lines[start : start + TOP + 1]:
            print("   ", line.replace(str(harness.ROOT) + "/", "")[:150])


def main() -> int:
    database = harness.database_url("kreisportal_bench_profile")
    queue = harness.new_queue("bench-profile")
    work = harness.workdir("bench-profile")
    env = harness.base_env(database=database, queue=queue, mail_dir=work, settings="bench.settings")
    env["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    harness.recreate_database(database)
    os.environ.update({k: v for k, v in env.items() if k.startswith("THROTTLE_")})
    harness.setup_django(env)
    from django.db import connection, transaction
    from django.test import Client

    from portal.celery import app

    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    harness.migrate()
    from bench import submit

    submit.make_town()
    from bench.floor_urls import FLOOR_TABLE

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {FLOOR_TABLE} (id bigserial PRIMARY KEY, payload jsonb NOT NULL, "
            "created_at timestamptz NOT NULL DEFAULT now())"
        )
    METER.install()
    client = Client()
    body = submit.BODY
    path = f"/api/v1/municipalities/{submit.SLUG}/cases/"

    def post(url: str):
        def call(n: int) -> None:
            response = client.post(url, body, content_type="application/json")
            assert response.status_code == 201, response.content

        return call

    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        load = os.getloadavg()[0]
        print(
            f"bench/profile_costs.py — {COUNT} of each, PostgreSQL {version}, Redis, production "
            f"settings, {os.cpu_count()} CPUs, load average {load:.1f}"
        )
        profiled("floor (DRF insert one row)", post("/bench/floor/"), COUNT)
        submitted: list[dict] = []

        def submit(n: int) -> None:
            response = client.post(path, body, content_type="application/json")
            assert response.status_code == 201, response.content
            submitted.append(response.json())

        profiled("submission (POST /api/v1/municipalities/<slug>/cases/)", submit, COUNT)

        # The rest of a bench/load.py round, on the cases just filed: track, pay by GiroCode.
        def track(n: int) -> None:
            case = submitted[n]
            url = f"/api/v1/cases/{case['reference']}/"
            response = client.get(url, HTTP_X_ACCESS_TOKEN=case["access_token"])
            assert response.status_code == 200, response.content

        def pay(n: int) -> None:
            case = submitted[n]
            response = client.post(
                f"/api/v1/cases/{case['reference']}/payments/",
                {"provider": "girocode"},
                content_type="application/json",
                HTTP_X_ACCESS_TOKEN=case["access_token"],
            )
            assert response.status_code == 201, response.content

        profiled("tracking (GET /api/v1/cases/<reference>/)", track, COUNT)
        profiled("paying (POST /api/v1/cases/<reference>/payments/, GiroCode)", pay, COUNT)

        # What the worker spends most on per case in bench/load.py: the receipt, a PDF/A
        # (send_receipt renders it, then mails it). A quarter as many: each takes ~0.1 s.
        from cases.documents import receipt_pdf
        from cases.selectors import case_base

        filed = list(case_base().filter(reference__in=[c["reference"] for c in submitted]))
        profiled(
            "receipt PDF (cases.documents.receipt_pdf, the body of send_receipt)",
            lambda n: receipt_pdf(filed[n % len(filed)], language="de"),
            max(1, COUNT // 4),
        )

        # Steps: pending notify_authority steps of the submissions above, run as the worker does.
        import cases.process  # noqa: F401
        from bench.worker_app import noop
        from cases.models import CaseStep
        from cases.tasks import run_step

        pending = list(
            CaseStep.objects.filter(name="notify_authority", status="pending")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        with transaction.atomic():  # the other steps out of the way
            CaseStep.objects.exclude(name="notify_authority").update(status="done")
        profiled("no-op task body", lambda n: noop.run(n), COUNT)
        profiled("notify_authority step (run_step body)", lambda n: run_step.run(pending[n]), COUNT)
        done = CaseStep.objects.filter(pk__in=pending[: WARMUP + COUNT], status="done").count()
        print(f"\nsteps done: {done} of {WARMUP + COUNT}")
    finally:
        harness.purge_queue(queue)
        connection.close()
        harness.drop_database(database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
