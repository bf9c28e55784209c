"""Submission throughput against the framework floor (issue 7; target ratio ≥ 0.5).

    .venv/bin/python bench/submit.py        # via `make bench-submit`

Creates the PostgreSQL database of BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/kreisportal_bench_submit), migrates it, adds one town
with one service (a two-field form, three process steps), and starts gunicorn
(BENCH_WORKERS sync workers, default 2) on a free 127.0.0.1 port with the portal's settings
plus the bench-only floor URL (bench/settings.py). Then BENCH_CONCURRENCY clients (default
8) send BENCH_REQUESTS requests (default 1000) to each of

- the floor: a bare DRF endpoint that parses the same JSON body and inserts one row;
- the submission endpoint: POST /api/v1/municipalities/<slug>/cases/ — form validation,
  routing, the case, its event and step rows in one transaction, and the step messages
  published to Redis after commit (no worker runs: the queue is deleted afterwards);

alternating in two rounds, and prints requests/s of each and the ratio. Drops the database
afterwards (BENCH_KEEP=1 keeps it). BENCH_STRICT=1 exits 1 when the ratio misses 0.5.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

harness.prepare_path()

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
WARMUP = 50
TARGET = 0.5
SLUG = "benchhausen"
SERVICE = "sperrmuell-bench"
BODY = {
    "service": SERVICE,
    "applicant": {"name": "Erika Mustermann", "email": "erika@example.org"},
    "data": {"anliegen": "Ein Sofa und zwei Stühle", "anzahl": 2},
}


def make_town() -> None:
    harness.bench_town(
        service_key=SERVICE,
        fields=[
            {
                "name": "anliegen",
                "type": "text",
                "label": {"de": "Anliegen", "en": "Matter"},
                "required": True,
                "max_length": 200,
            },
            {
                "name": "anzahl",
                "type": "integer",
                "label": {"de": "Anzahl", "en": "Number"},
                "required": True,
                "min": 1,
                "max": 10,
            },
        ],
        fee={"kind": "fixed", "cents": 1500},
        fee_min_cents=500,
        fee_max_cents=3000,
        process_steps=["send_receipt", "notify_authority", "check_completeness"],
    )


def drive(port: int, path: str, count: int) -> tuple[float, list[float], int]:
    """`count` POSTs from CONCURRENCY clients; returns (seconds, latencies, errors)."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    remaining = [count]

    def client() -> None:
        nonlocal errors
        http = harness.Client(port)
        while True:
            with lock:
                if remaining[0] == 0:
                    return
                remaining[0] -= 1
            try:
                status, _, elapsed = http.request("POST", path, BODY)
            except OSError:
                status, elapsed = 0, 0.0
            with lock:
                latencies.append(elapsed)
                if status != 201:
                    errors += 1

    threads = [threading.Thread(target=client) for _ in range(CONCURRENCY)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, errors


def main() -> int:
    database = harness.database_url("kreisportal_bench_submit")
    queue = harness.new_queue("bench-submit")
    work = harness.workdir("bench-submit")
    env = harness.base_env(database=database, queue=queue, mail_dir=work, settings="bench.settings")
    harness.recreate_database(database)
    harness.setup_django(env)
    from django.db import connection

    harness.migrate()
    make_town()
    from bench.floor_urls import FLOOR_TABLE

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {FLOOR_TABLE} (id bigserial PRIMARY KEY, payload jsonb NOT NULL, "
            "created_at timestamptz NOT NULL DEFAULT now())"
        )
    connection.close()

    port = harness.free_port()
    web = harness.start_gunicorn(env, port, work / "gunicorn.log", workers=WORKERS)
    submit_path = f"/api/v1/municipalities/{SLUG}/cases/"
    floor_path = "/bench/floor/"
    totals = {"floor": [0.0, 0, 0, []], "submit": [0.0, 0, 0, []]}
    try:
        for path in (floor_path, submit_path):
            _, _, errors = drive(port, path, WARMUP)
            if errors:
                print(f"warm-up of {path} failed:\n{web.tail()}")
                return 1
        for _ in range(2):
            for name, path in (("floor", floor_path), ("submit", submit_path)):
                seconds, latencies, errors = drive(port, path, REQUESTS // 2)
                total = totals[name]
                total[0] += seconds
                total[1] += len(latencies)
                total[2] += errors
                total[3] += latencies
    finally:
        web.stop()
        harness.purge_queue(queue)

    from cases.models import Case

    cases = Case.objects.count()
    connection.close()
    harness.drop_database(database)

    rate = {name: t[1] / t[0] for name, t in totals.items()}
    ratio = rate["submit"] / rate["floor"]
    print(
        f"bench/submit.py — {REQUESTS} requests per endpoint, {CONCURRENCY} clients, "
        f"gunicorn {WORKERS} sync workers, PostgreSQL + Redis"
    )
    for name, label in (("floor", "floor (DRF insert one row)"), ("submit", "submissions")):
        t = totals[name]
        print(
            f"  {label:28} {rate[name]:8.1f} req/s   p50 {harness.percentile(t[3], 50) * 1000:6.1f} ms"
            f"   p95 {harness.percentile(t[3], 95) * 1000:6.1f} ms   errors {t[2]}"
        )
    print(f"  cases stored: {cases} (expected {REQUESTS // 2 * 2 + WARMUP})")
    verdict = "meets" if ratio >= TARGET else "MISSES"
    print(f"  ratio submissions/floor: {ratio:.2f} ({verdict} the target ≥ {TARGET})")
    failed = any(t[2] for t in totals.values()) or (
        os.environ.get("BENCH_STRICT") and ratio < TARGET
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
