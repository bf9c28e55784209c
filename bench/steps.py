"""Process steps per second against a no-op Celery task (issue 7; target ratio ≥ 0.5).

    .venv/bin/python bench/steps.py        # via `make bench-steps`

Creates the PostgreSQL database of BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/kreisportal_bench_steps), migrates it, files 2 ×
BENCH_STEPS cases (default 500 each) of a service whose only step is `notify_authority`
(render and send an e-mail to the authority's clerks, record it, mark the step done — one
transaction), without dispatching them. Then, once with one worker process (solo pool) and
once with two (prefork), a real worker (as `make worker`, e-mails into files) on a queue of
its own in Redis runs

- BENCH_STEPS no-op tasks (`bench.noop`), the floor of the broker and Celery itself, and
- the steps of BENCH_STEPS cases, one message per case as the portal sends them
  (`cases.run_case_steps`),

each phase timed from the first publish until a marker task queued behind it has run and
every step of the phase is done. Prints tasks/s of each and the ratio per worker size,
checks that every step is done with exactly one e-mail, and drops the database
(BENCH_KEEP=1 keeps it). BENCH_STRICT=1 exits 1 when a ratio misses 0.5.
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


def make_cases(count: int) -> list[tuple[int, int]]:
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
        CaseStep.objects.filter(status="pending").order_by("pk").values_list("pk", "case_id")
    )


def timed(send, done=lambda: True) -> float:
    """Seconds from the first publish until the marker behind the tasks has run and
    `done()` says the work is finished (with two processes the marker may overtake the
    last task)."""
    import redis
    from django.conf import settings

    from bench.worker_app import marker

    key = f"bench-marker-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(settings.REDIS_URL)
    started = time.perf_counter()
    send()
    marker.delay(key)
    while not (client.get(key) and done()):
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
    steps = make_cases(2 * STEPS)
    assert len(steps) == 2 * STEPS, len(steps)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue

    from bench.worker_app import noop
    from cases.models import CaseStep, OutboundEmail
    from cases.tasks import run_case_steps

    rates: dict[int, tuple[float, float]] = {}
    for processes, batch in ((1, steps[:STEPS]), (2, steps[STEPS:])):
        case_ids = [case_id for _, case_id in batch]
        step_ids = [pk for pk, _ in batch]

        def all_done(ids: list[int] = step_ids) -> bool:
            return CaseStep.objects.filter(pk__in=ids, status="done").count() == len(ids)

        worker = harness.start_worker(
            env,
            queue,
            work / f"worker-{processes}.log",
            app="bench.worker_app",
            concurrency=processes,
            name=f"p{processes}",
        )
        try:
            timed(lambda: [noop.delay(n) for n in range(20)])  # warm-up
            floor_seconds = timed(lambda: [noop.delay(n) for n in range(STEPS)])
            step_seconds = timed(
                lambda ids=case_ids: [run_case_steps.delay(pk) for pk in ids], all_done
            )
        finally:
            worker.stop()
        rates[processes] = (STEPS / floor_seconds, STEPS / step_seconds)
    harness.purge_queue(queue)

    all_ids = [pk for pk, _ in steps]
    done = CaseStep.objects.filter(pk__in=all_ids, status="done").count()
    emails = OutboundEmail.objects.filter(step_id__in=all_ids).count()
    files = harness.emails_in(mail_dir)
    connection.close()
    harness.drop_database(database)

    print(f"bench/steps.py — {STEPS} tasks per phase, PostgreSQL + Redis, one message per case")
    missed = False
    for processes, (floor_rate, step_rate) in rates.items():
        ratio = step_rate / floor_rate
        missed |= ratio < TARGET
        verdict = "meets" if ratio >= TARGET else "MISSES"
        print(
            f"  {processes} worker process{'es' if processes > 1 else ''}: no-op task (floor) "
            f"{floor_rate:8.1f} tasks/s, notify_authority {step_rate:8.1f} steps/s, "
            f"ratio {ratio:.2f} ({verdict} the target ≥ {TARGET})"
        )
    total = 2 * STEPS
    print(f"  steps done: {done}/{total}, e-mails recorded: {emails}, e-mail files: {files}")
    failed = done != total or emails != total or files != total
    if failed:
        print("  FAILED: every step must be done with exactly one e-mail")
    if os.environ.get("BENCH_STRICT") and missed:
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
