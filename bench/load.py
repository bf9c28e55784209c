"""Load test: the Monday morning after a press release (issue 7, acceptance 1).

    .venv/bin/python bench/load.py        # via `make bench-load`

Creates the PostgreSQL database of BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/kreisportal_bench_load), migrates it and adds one town
offering one service with a prepaid fee (steps: receipt, authority notice, completeness
check, payment request). Starts the portal with gunicorn (BENCH_WEB_WORKERS gthread
workers × BENCH_WEB_THREADS threads, default 3 × 8) and one real Celery worker
(BENCH_CELERY_CONCURRENCY processes, default 2; BENCH_WORKER_NICE=19 runs it at a lower CPU
priority than the web) against PostgreSQL and Redis, all on 127.0.0.1. First the same crowd
posts to the framework floor (bench/floor_urls.py, a bare DRF insert in the same gunicorn)
for BENCH_FLOOR_SECONDS (default 20). Then
BENCH_CITIZENS simulated citizens (default 200, one thread each) run for BENCH_SECONDS
(default 60), each pausing BENCH_THINK_SECONDS on average before each click (default 0),
a bounded loop of

    submit (POST …/cases/) → track (GET /api/v1/cases/<ref>/ with the access token)
    → pay with GiroCode (POST /api/v1/cases/<ref>/payments/ {"provider": "girocode"})

and stop at the deadline after the iteration in hand. Afterwards it waits for the worker to
finish (re-dispatching due steps like beat does) and checks that every 201 corresponds to
exactly one stored case, that no case exists without a 201, that the dashboard's tallies
count every case once, that every step of every case is done, that every step's e-mail was
recorded once and written once, and that every case has exactly one GiroCode payment.
Prints requests/s, p50/p95/p99 latency, the error count, and the ratio to the floor's
requests/s against the targets (≥ 0.3, p95 ≤ 1 s); exits 1 on any error or mismatch. Drops the database afterwards (BENCH_KEEP=1 keeps it).
"""

from __future__ import annotations

import collections
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

harness.prepare_path()

CITIZENS = int(os.environ.get("BENCH_CITIZENS", "200"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "3"))
WEB_THREADS = int(os.environ.get("BENCH_WEB_THREADS", "8"))
CELERY_CONCURRENCY = int(os.environ.get("BENCH_CELERY_CONCURRENCY", "2"))
DRAIN_SECONDS = float(os.environ.get("BENCH_DRAIN_SECONDS", "900"))
FLOOR_SECONDS = float(os.environ.get("BENCH_FLOOR_SECONDS", "20"))
THINK_SECONDS = float(os.environ.get("BENCH_THINK_SECONDS", "0"))
TARGET_RATIO, TARGET_P95 = 0.3, 1.0
PAY = os.environ.get("BENCH_PAY", "1") != "0"
SLUG = "lastdorf"
SERVICE = "anwohnerparken-load"
STEPS = ["send_receipt", "notify_authority", "check_completeness", "request_payment"]
EMAIL_PURPOSES = {
    "send_receipt": "receipt",
    "notify_authority": "authority",
    "request_payment": "payment",
}


def make_town() -> None:
    from django.contrib.auth import get_user_model

    from catalog.models import ServiceDefinition, ServiceOffering
    from municipalities.models import Membership, Municipality

    town = Municipality.objects.create(
        slug=SLUG,
        name="Lastdorf",
        ags="05978998",
        kind="town",
        code="LSD",
        payee_name="Stadt Lastdorf",
        iban="DE81443500600000100404",
        bic="WELADED1UNN",
        email="info@lastdorf.example",
        payment_providers=["girocode"],
    )
    ServiceDefinition.objects.create(
        key=SERVICE,
        version=1,
        status="published",
        name={"de": "Anwohnerparkausweis", "en": "Resident parking permit"},
        form={
            "steps": [
                {
                    "title": {"de": "Angaben", "en": "Details"},
                    "fields": [
                        {
                            "name": "kennzeichen",
                            "type": "text",
                            "label": {"de": "Kennzeichen", "en": "Plate"},
                            "required": True,
                            "max_length": 12,
                        },
                        {
                            "name": "zone",
                            "type": "choice",
                            "label": {"de": "Zone", "en": "Zone"},
                            "required": True,
                            "choices": [{"value": "a"}, {"value": "b"}],
                        },
                    ],
                }
            ]
        },
        fee={"kind": "fixed", "cents": 3050},
        fee_min_cents=1000,
        fee_max_cents=5000,
        prepay=True,
        process_steps=STEPS,
    )
    ServiceOffering.objects.create(municipality=town, service_key=SERVICE)
    clerk = get_user_model().objects.create_user("clerk-lastdorf", "clerk@lastdorf.example")
    Membership.objects.create(user=clerk, municipality=town, role="clerk")


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: collections.Counter = collections.Counter()
        self.references: list[str] = []
        self.payments: list[str] = []

    def record(self, kind: str, status: int, expected: int, elapsed: float) -> bool:
        with self.lock:
            self.latencies[kind].append(elapsed)
            if status != expected:
                self.errors[f"{kind} {status}"] += 1
        return status == expected


def think(rng: random.Random) -> None:
    """A citizen reads the page before the next click: BENCH_THINK_SECONDS on average
    (uniform between half and one and a half times it); 0, the default, never waits."""
    if THINK_SECONDS > 0:
        time.sleep(rng.uniform(0.5, 1.5) * THINK_SECONDS)


def citizen(number: int, port: int, deadline: float, results: Results) -> None:
    http = harness.Client(port)
    rng = random.Random(number)
    iteration = 0
    while time.monotonic() < deadline:
        think(rng)
        iteration += 1
        body = {
            "service": SERVICE,
            "applicant": {
                "name": f"Bürger {number}-{iteration}",
                "email": f"buerger{number}.{iteration}@example.org",
            },
            "data": {"kennzeichen": f"UN-L {number}", "zone": "ab"[iteration % 2]},
        }
        try:
            status, created, elapsed = http.request(
                "POST", f"/api/v1/municipalities/{SLUG}/cases/", body
            )
        except OSError:
            results.record("submit", 0, 201, 0.0)  # status 0: no answer at all
            continue
        if not results.record("submit", status, 201, elapsed):
            continue
        with results.lock:
            results.references.append(created["reference"])
        token = {"X-Access-Token": created["access_token"]}
        reference = created["reference"]
        try:
            think(rng)
            status, _, elapsed = http.request("GET", f"/api/v1/cases/{reference}/", headers=token)
            results.record("track", status, 200, elapsed)
            if PAY:
                think(rng)
                status, payment, elapsed = http.request(
                    "POST",
                    f"/api/v1/cases/{reference}/payments/",
                    {"provider": "girocode"},
                    headers=token,
                )
                if results.record("pay", status, 201, elapsed):
                    with results.lock:
                        results.payments.append(payment["id"])
        except OSError:
            results.record("follow-up", 0, 200, 0.0)


def floor(port: int, seconds: float) -> tuple[int, float, list[float], int]:
    """The same crowd against the framework floor (bench/floor_urls.py: a bare DRF insert)
    in the same gunicorn: (requests, seconds, latencies, errors)."""
    results = Results()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        http = harness.Client(port)
        while time.monotonic() < deadline:
            try:
                status, _, elapsed = http.request("POST", "/bench/floor/", {"n": number})
            except OSError:
                status, elapsed = 0, 0.0
            results.record("floor", status, 201, elapsed)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CITIZENS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies = results.latencies["floor"]
    return len(latencies), time.monotonic() - started, latencies, sum(results.errors.values())


def drain(references: set[str]) -> float:
    """Wait until every step of the cases is done; re-dispatch due steps like beat would."""
    from django.db import close_old_connections

    from cases.models import CaseStep
    from cases.steps import steps_redispatch

    started = time.monotonic()
    last_redispatch = started
    while True:
        close_old_connections()
        open_steps = CaseStep.objects.exclude(status=CaseStep.Status.DONE).count()
        if open_steps == 0:
            return time.monotonic() - started
        if time.monotonic() - started > DRAIN_SECONDS:
            raise RuntimeError(f"{open_steps} steps still open after {DRAIN_SECONDS:.0f}s")
        if time.monotonic() - last_redispatch > 60:
            steps_redispatch()
            last_redispatch = time.monotonic()
        time.sleep(1)


def verify(results: Results, mail_dir: Path) -> list[str]:
    from django.db.models import Count, Sum

    from cases.models import Case, CaseStep, OutboundEmail
    from district.models import CaseTally
    from payments.models import Payment

    problems = []
    answered = collections.Counter(results.references)
    duplicates = [r for r, n in answered.items() if n > 1]
    if duplicates:
        problems.append(f"references answered twice: {duplicates[:5]}")
    stored = collections.Counter(Case.objects.values_list("reference", flat=True))
    if set(stored) != set(answered):
        problems.append(
            f"cases without a 201: {len(set(stored) - set(answered))}, "
            f"201s without a case: {len(set(answered) - set(stored))}"
        )
    steps = CaseStep.objects.values("name").annotate(n=Count("id"))
    per_name = {row["name"]: row["n"] for row in steps}
    for name in STEPS:
        if per_name.get(name, 0) != len(stored):
            problems.append(f"{name}: {per_name.get(name, 0)} steps for {len(stored)} cases")
    if CaseStep.objects.exclude(status=CaseStep.Status.DONE).exists():
        problems.append("steps not done")
    for name, purpose in EMAIL_PURPOSES.items():
        sent = OutboundEmail.objects.filter(step__name=name, purpose=purpose).count()
        if sent != len(stored):
            problems.append(f"{purpose} e-mails recorded: {sent} for {len(stored)} cases")
    recorded = OutboundEmail.objects.count()
    written = harness.emails_in(mail_dir)
    if written != recorded:
        problems.append(f"e-mails written {written} ≠ recorded {recorded}")
    counted = CaseTally.objects.aggregate(n=Sum("cases"))["n"] or 0
    if counted != len(stored):
        problems.append(f"dashboard tallies count {counted} cases of {len(stored)}")
    if PAY:
        per_case = Payment.objects.values("payable_id").annotate(n=Count("id"))
        if any(row["n"] != 1 for row in per_case) or len(per_case) != len(results.payments):
            problems.append(
                f"payments: {Payment.objects.count()} for {len(results.payments)} answered 201"
            )
    return problems


def main() -> int:
    database = harness.database_url("kreisportal_bench_load")
    queue = harness.new_queue("bench-load")
    work = harness.workdir("bench-load")
    mail_dir = work / "mail"
    mail_dir.mkdir()
    env = harness.base_env(
        database=database, queue=queue, mail_dir=mail_dir, settings="bench.settings"
    )
    harness.recreate_database(database)
    harness.setup_django(env)
    from django.db import connection

    from bench.floor_urls import FLOOR_TABLE
    from portal.celery import app

    app.conf.task_default_queue = queue
    harness.migrate()
    make_town()
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {FLOOR_TABLE} (id bigserial PRIMARY KEY, payload jsonb NOT NULL, "
            "created_at timestamptz NOT NULL DEFAULT now())"
        )
    connection.close()

    port = harness.free_port()
    web = harness.start_gunicorn(
        env, port, work / "gunicorn.log", workers=WEB_WORKERS, threads=WEB_THREADS
    )
    worker = harness.start_worker(env, queue, work / "worker.log", concurrency=CELERY_CONCURRENCY)
    results = Results()
    try:
        floor_count, floor_elapsed, floor_latencies, floor_errors = floor(port, FLOOR_SECONDS)
        deadline = time.monotonic() + SECONDS
        started = time.monotonic()
        threads = [
            threading.Thread(target=citizen, args=(n, port, deadline, results), daemon=True)
            for n in range(CITIZENS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        drained = drain(set(results.references))
    finally:
        web.stop()
        worker.stop()
        harness.purge_queue(queue)

    problems = verify(results, mail_dir)
    connection.close()
    harness.drop_database(database)

    every = [x for values in results.latencies.values() for x in values]
    count = len(every)
    errors = sum(results.errors.values())
    rate, floor_rate = count / elapsed, floor_count / floor_elapsed
    print(
        f"bench/load.py — {CITIZENS} citizens for {SECONDS:.0f} s (ran {elapsed:.1f} s), "
        f"think time {THINK_SECONDS:g} s, gunicorn {WEB_WORKERS}×{WEB_THREADS} gthread, "
        f"1 Celery worker ×{CELERY_CONCURRENCY}, PostgreSQL + Redis, 127.0.0.1, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"  floor (same crowd, DRF insert one row, {FLOOR_SECONDS:.0f} s, no think time): "
        f"{floor_count} requests ({floor_rate:.1f} req/s), "
        f"p95 {harness.percentile(floor_latencies, 95) * 1000:.1f} ms, errors {floor_errors}"
    )
    print(
        f"  requests: {count}  ({rate:.1f} req/s)   errors: {errors}"
        + (f"  {dict(results.errors)}" if errors else "")
    )
    for kind, values in [("all", every), *sorted(results.latencies.items())]:
        print(
            f"  {kind:7} n={len(values):6}  p50 {harness.percentile(values, 50) * 1000:7.1f} ms"
            f"  p95 {harness.percentile(values, 95) * 1000:7.1f} ms"
            f"  p99 {harness.percentile(values, 99) * 1000:7.1f} ms"
        )
    print(
        f"  cases: {len(results.references)} submitted (201), all steps done "
        f"{drained:.0f} s after the last request"
    )
    p95 = harness.percentile(every, 95)
    ratio = rate / floor_rate
    print(
        f"  ratio portal/floor: {ratio:.2f} (target ≥ {TARGET_RATIO}), p95 {p95:.2f} s "
        f"(target ≤ {TARGET_P95:.0f} s): "
        + ("met" if ratio >= TARGET_RATIO and p95 <= TARGET_P95 and not errors else "MISSED")
    )
    if problems:
        print("  PROBLEMS:\n    " + "\n    ".join(problems))
    else:
        print(
            "  verified: every 201 is exactly one case, counted once by the dashboard; every "
            "step done; every e-mail recorded and written once"
            + ("; one GiroCode payment per case" if PAY else "")
        )
    return 1 if problems or errors else 0


if __name__ == "__main__":
    sys.exit(main())
