"""Process steps per second against a no-op Celery task (issue 7; target ratio ≥ 0.5).

    .venv/bin/python bench/steps.py        # via `make bench-steps`

Creates the PostgreSQL database of BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/kreisportal_bench_steps), migrates it, files BENCH_STEPS
cases (default 500) of a service whose only step is `notify_authority` (render and send an
e-mail to the authority's clerks, record it, mark the step done — one transaction), without
dispatching them. Then one real worker (solo pool, as `make worker` but with one process,
e-mails into files) on a queue of its own in Redis runs

- BENCH_STEPS no-op tasks (`bench.noop`), the floor of the broker and Celery itself, and
- the BENCH_STEPS pending steps (`cases.run_step`),

each phase timed from the first publish until a marker task queued behind it has run.
Prints tasks/s of each and the ratio, checks that every step is done with exactly one
e-mail, and drops the database (BENCH_KEEP=1 keeps it). BENCH_STRICT=1 exits 1 when the
ratio misses 0.5.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

harness.prepare_path()

STEPS = int(os.environ.get("BENCH_STEPS", "500"))
TARGET = 0.5
SERVICE = "melde-bench"


def make_cases(count: int) -> list[int]:
    from django.db import transaction

    from cases.models import CaseStep
    from cases.services import case_submit

    town = harness.bench_town(
        service_key=SERVICE,
        fields=[
            {
                "name": "anliegen",
                "type": "text",
                "label": {"de": "Anliegen", "en": "Matter"},
                "required": True,
            }
        ],
        fee={"kind": "free"},
        process_steps=["notify_authority"],
        clerks=2,
    )
    # The steps stay pending: on_commit dispatch is swallowed here, the bench sends them.
    with transaction.atomic():
        for n in range(count):
            case_submit(
                municipality=town,
                service_key=SERVICE,
                applicant={"name": f"Person {n}", "email": f"p{n}@example.org"},
                data={"anliegen": f"Anliegen {n}"},
                files={},
            )
        transaction.get_connection().run_on_commit.clear()
    return list(
        CaseStep.objects.filter(status="pending").order_by("pk").values_list("pk", flat=True)
    )


def timed(send, count: int) -> float:
    """Seconds from the first publish until the marker behind `count` tasks has run."""
    import redis
    from django.conf import settings

    from bench.worker_app import marker

    key = f"bench-marker-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(settings.REDIS_URL)
    started = time.perf_counter()
    send()
    marker.delay(key)
    while not client.get(key):
        if time.perf_counter() - started > 600:
            raise RuntimeError("the worker did not finish within 10 minutes")
        time.sleep(0.01)
    return time.perf_counter() - started


def main() -> int:
    database = harness.database_url("kreisportal_bench_steps")
    queue = harness.new_queue("bench-steps")
    work = harness.workdir("bench-steps")
    mail_dir = work / "mail"
    mail_dir.mkdir()
    env = harness.base_env(database=database, queue=queue, mail_dir=mail_dir)
    harness.recreate_database(database)
    harness.setup_django(env)
    from django.db import connection

    from portal.celery import app

    harness.migrate()
    step_ids = make_cases(STEPS)
    assert len(step_ids) == STEPS, len(step_ids)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue

    from bench.worker_app import noop
    from cases.tasks import run_step

    worker = harness.start_worker(env, queue, work / "worker.log", app="bench.worker_app")
    try:
        timed(lambda: [noop.delay(n) for n in range(20)], 20)  # warm-up
        floor_seconds = timed(lambda: [noop.delay(n) for n in range(STEPS)], STEPS)
        step_seconds = timed(lambda: [run_step.delay(pk) for pk in step_ids], STEPS)
    finally:
        worker.stop()
        harness.purge_queue(queue)

    from cases.models import CaseStep, OutboundEmail

    done = CaseStep.objects.filter(pk__in=step_ids, status="done").count()
    emails = OutboundEmail.objects.filter(step_id__in=step_ids).count()
    files = harness.emails_in(mail_dir)
    connection.close()
    harness.drop_database(database)

    floor_rate, step_rate = STEPS / floor_seconds, STEPS / step_seconds
    ratio = step_rate / floor_rate
    print(f"bench/steps.py — {STEPS} tasks per phase, one solo worker, PostgreSQL + Redis")
    print(f"  no-op Celery task (floor)     {floor_rate:8.1f} tasks/s")
    print(f"  notify_authority steps        {step_rate:8.1f} steps/s")
    print(f"  steps done: {done}/{STEPS}, e-mails recorded: {emails}, e-mail files: {files}")
    verdict = "meets" if ratio >= TARGET else "MISSES"
    print(f"  ratio steps/floor: {ratio:.2f} ({verdict} the target ≥ {TARGET})")
    failed = done != STEPS or emails != STEPS or files != STEPS
    if failed:
        print(f"  FAILED: every step must be done with exactly one e-mail\n{worker.tail()}")
    if os.environ.get("BENCH_STRICT") and ratio < TARGET:
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
