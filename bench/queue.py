"""Clerk queue benchmark (issue 4): does the queue stay as fast at 1,000,000 cases as at 10,000?

    .venv/bin/python bench/queue.py            # via `make bench`
    BENCH_CASES=100000 .venv/bin/python bench/queue.py   # a quicker second size

Creates the PostgreSQL database of BENCH_DATABASE_URL or DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/kreisportal_bench; a database name without "bench" in it
is replaced by kreisportal_bench, since this script drops it), migrates it, loads the demo district,
bulk-inserts cases over the 11 municipalities with COPY (10,000 first, then up to
BENCH_CASES, default 1,000,000), and after each fill measures two pages as Kamen's clerk
(Kamen also processes Bönen's business registrations): the queue API's first page and the
workspace page, BENCH_REQUESTS requests each through Django's test client. Prints p50/p95 per
size, the p95 ratio against the target 1.5 and the SQL queries per page (target ≤ 8), then
drops the database (BENCH_KEEP=1 keeps it). BENCH_STRICT=1 exits 1 when a target is missed.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# Run as a script, this file's folder comes first on sys.path, and this file is called
# queue.py: it would shadow the standard library's `queue`, which psycopg imports later.
BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != BENCH_DIR]
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kreisportal_bench"


def bench_database_url() -> str:
    """BENCH_DATABASE_URL, else DATABASE_URL — but this script drops and creates its
    database, so a name without "bench" in it (say CI's or a developer's own database) is
    replaced by kreisportal_bench on the same server."""
    raw = (
        os.environ.get("BENCH_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or DEFAULT_DATABASE_URL
    )
    parts = urlsplit(raw)
    if not parts.scheme.startswith("postgres"):
        return DEFAULT_DATABASE_URL
    if "bench" not in parts.path:
        return urlunsplit(parts._replace(path="/kreisportal_bench"))
    return raw


DATABASE_URL = bench_database_url()
SMALL = 10_000
LARGE = int(os.environ.get("BENCH_CASES", "1000000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
WARMUP = 20
TARGET_RATIO = 1.5
TARGET_QUERIES = 8
CLERK = "clerk-kamen"

os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["REDIS_URL"] = ""  # eager tasks, local cache: measure the database, not a broker
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("AXES_ENABLED", "0")


def recreate_database() -> None:
    harness.recreate_database(DATABASE_URL)


def drop_database() -> None:
    from django.db import connections

    connections.close_all()
    harness.drop_database(DATABASE_URL)


# --- data --------------------------------------------------------------------------------

# Share of all cases per status: most of a district's cases are long closed.
STATUS_WEIGHTS = {
    "approved": 78.0,
    "rejected": 6.0,
    "withdrawn": 4.0,
    "in_review": 8.5,
    "awaiting_applicant": 2.0,
    "awaiting_payment": 1.5,
}
OPEN = {"in_review", "awaiting_applicant", "awaiting_payment"}


class Universe:
    """What the demo data offers: towns by population, their services, the delegations."""

    def __init__(self) -> None:
        from django.contrib.auth import get_user_model

        from catalog.models import ServiceDefinition, ServiceOffering
        from municipalities.models import Delegation, Membership, Municipality

        towns = list(Municipality.objects.all())
        self.towns = towns
        self.weights = [t.population or 20_000 for t in towns]
        latest: dict[str, ServiceDefinition] = {}
        for service in ServiceDefinition.objects.filter(status="published").order_by("-version"):
            latest.setdefault(service.key, service)
        self.services_of: dict[int, list] = {t.pk: [] for t in towns}
        for offering in ServiceOffering.objects.filter(active=True):
            if offering.service_key in latest:
                self.services_of[offering.municipality_id].append(latest[offering.service_key])
        self.router = {
            (d.service_key, d.from_municipality_id): d.to_municipality_id
            for d in Delegation.objects.all()
        }
        self.clerk_of = dict(
            Membership.objects.filter(role="clerk").values_list("municipality_id", "user_id")
        )
        self.codes = {t.pk: t.code for t in towns}
        self.clerk = get_user_model().objects.get(username=CLERK)
        self.clerk_authorities = list(
            Membership.objects.filter(user=self.clerk, role="clerk").values_list(
                "municipality_id", flat=True
            )
        )
        self.statuses = list(STATUS_WEIGHTS)
        self.status_weights = list(STATUS_WEIGHTS.values())


def fill(universe: Universe, *, start: int, stop: int, rng: random.Random) -> None:
    """COPY cases start..stop-1 into services_case (one statement, streamed)."""
    from django.db import connection

    now = datetime.datetime.now(datetime.UTC)
    today = now.date()
    data = json.dumps({"anliegen": "Benchmark", "anzahl": 1, "ort": "Kamen"})
    columns = (
        "reference, access_token_hash, token_salt, municipality_id, processing_authority_id, "
        "service_id, applicant_name, applicant_email, language, data, status, fee_cents, "
        "assigned_to_id, due_date, paused_at, submitted_at, updated_at, closed_at"
    )
    # Per town: what a case of each of its services looks like, routing included.
    offers = {
        town.pk: [
            (
                service.pk,
                datetime.timedelta(days=round(service.sla_days * 1.4)),
                service.prepay,
                service.base_fee_cents,
                universe.router.get((service.key, town.pk), town.pk),
            )
            for service in universe.services_of[town.pk]
        ]
        for town in universe.towns
    }
    chosen_towns = rng.choices(universe.towns, weights=universe.weights, k=stop - start)
    chosen_statuses = rng.choices(
        universe.statuses, weights=universe.status_weights, k=stop - start
    )
    hash_and_salt = "0" * 64 + "\tbench"
    null = "\\N"
    lines: list[str] = []
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: COPY is not part of the DB API
        # Text-format COPY written in chunks: the values need no escaping (no tabs,
        # newlines or backslashes), and building lines is several times faster than
        # adapting each value.
        with raw.copy(f"COPY services_case ({columns}) FROM STDIN") as copy:
            for offset, number in enumerate(range(start, stop)):
                town = chosen_towns[offset]
                choices = offers[town.pk]
                if not choices:
                    continue
                service_id, sla, prepay, fee, authority = choices[number % len(choices)]
                status = chosen_statuses[offset]
                is_open = status in OPEN
                if is_open:
                    # Open cases are recent; about one in ten is already overdue.
                    submitted = now - datetime.timedelta(minutes=rng.randrange(0, 45 * 1440))
                else:
                    submitted = now - datetime.timedelta(minutes=rng.randrange(0, 3 * 365 * 1440))
                day = submitted.date()
                due = null if status == "awaiting_payment" and prepay else (day + sla).isoformat()
                paused = (
                    min(today, day + datetime.timedelta(days=2)).isoformat()
                    if status == "awaiting_applicant"
                    else null
                )
                assigned = (
                    str(universe.clerk_of.get(authority, null))
                    if is_open and rng.random() < 0.5
                    else null
                )
                closed = (
                    null
                    if is_open
                    else (submitted + datetime.timedelta(days=rng.randrange(1, 20))).isoformat()
                )
                at = submitted.isoformat()
                lines.append(
                    f"{universe.codes[town.pk]}-{submitted.year}-{number:08d}\t{hash_and_salt}"
                    f"\t{town.pk}\t{authority}\t{service_id}\tPerson {number}"
                    f"\tperson{number}@example.org\tde\t{data}\t{status}\t{fee}\t{assigned}"
                    f"\t{due}\t{paused}\t{at}\t{at}\t{closed}\n"
                )
                if len(lines) >= 20_000:
                    copy.write("".join(lines))
                    lines.clear()
            if lines:
                copy.write("".join(lines))
    with connection.cursor() as cursor:
        # What autovacuum does in production after a bulk load: statistics for the planner
        # and a visibility map for index-only scans.
        cursor.execute("VACUUM ANALYZE services_case")


# --- measurement -------------------------------------------------------------------------


def measure(client, url: str) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return timings, len(queries.captured_queries)


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> int:
    started = time.perf_counter()
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from cases.models import Case

    try:
        call_command("migrate", verbosity=0)
        call_command("load_demo", stdout=open(os.devnull, "w"))
        universe = Universe()
        client = Client()
        client.force_login(universe.clerk)
        rng = random.Random(4)
        pages = {"queue API": "/api/v1/queue/", "workspace page": "/workspace/"}
        results: dict[int, dict[str, tuple[float, float, int]]] = {}
        filled = 0
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        print(
            f"queue bench: PostgreSQL {version}, {os.cpu_count()} CPUs, clerk {CLERK}, "
            f"{REQUESTS} requests per page and size"
        )
        for size in (SMALL, LARGE):
            if size <= filled:
                continue
            fill_started = time.perf_counter()
            fill(universe, start=filled, stop=size, rng=rng)
            filled = size
            count = Case.objects.count()
            queue_length = Case.objects.filter(
                status__in=OPEN, processing_authority_id__in=universe.clerk_authorities
            ).count()
            print(
                f"  filled {count:,} cases in {time.perf_counter() - fill_started:.0f} s; "
                f"{CLERK}'s open queue: {queue_length:,}"
            )
            results[size] = {}
            for label, url in pages.items():
                timings, queries = measure(client, url)
                results[size][label] = (percentile(timings, 50), percentile(timings, 95), queries)
        return report(results)
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            drop_database()
        print(f"total run time {time.perf_counter() - started:.0f} s")


def report(results: dict[int, dict[str, tuple[float, float, int]]]) -> int:
    sizes = sorted(results)
    print()
    print(f"{'cases':>10}  {'page':<15} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for size in sizes:
        for label, (p50, p95, queries) in results[size].items():
            print(f"{size:>10,}  {label:<15} {p50:>8.1f} {p95:>8.1f} {queries:>8}")
    print()
    ok = True
    small, large = sizes[0], sizes[-1]
    for label in results[small]:
        ratio = results[large][label][1] / results[small][label][1]
        verdict = "ok" if ratio <= TARGET_RATIO else "MISSED"
        ok &= ratio <= TARGET_RATIO
        print(
            f"{label}: p95({large:,}) / p95({small:,}) = {ratio:.2f} "
            f"(target ≤ {TARGET_RATIO}) {verdict}"
        )
    for label in results[small]:
        worst = max(results[size][label][2] for size in sizes)
        verdict = "ok" if worst <= TARGET_QUERIES else "MISSED"
        ok &= worst <= TARGET_QUERIES
        print(f"{label}: {worst} SQL queries per page (target ≤ {TARGET_QUERIES}) {verdict}")
    return 0 if ok or os.environ.get("BENCH_STRICT") != "1" else 1


if __name__ == "__main__":
    sys.exit(main())
