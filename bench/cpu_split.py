"""Which processes a bench's CPU goes to, second by second (docs/performance.md, round 5).

    .venv/bin/python bench/cpu_split.py .venv/bin/python bench/submit.py
    .venv/bin/python bench/cpu_split.py .venv/bin/python bench/load.py

Runs the command given, and every second reads the CPU time (user + system) of every
process on the machine from /proc/<pid>/stat; prints, per second, the CPU seconds each
group used: gunicorn (the web), celery (the worker), postgres, redis, the bench's own
client (the command) and other. Two cores give at most 2.0 per second. The command's own
output goes to the file BENCH_CPU_OUTPUT (default: the standard error), so the series
stays readable. Linux only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter

TICKS = os.sysconf("SC_CLK_TCK")
COLUMNS = ("gunicorn", "celery", "postgres", "redis", "client", "other")


def group_of(command: str, client: str) -> str:
    for name in ("gunicorn", "celery", "postgres"):
        if name in command:
            return name
    if "redis-server" in command:
        return "redis"
    return "client" if client in command else "other"


def cpu_by_group(client: str) -> Counter[str]:
    """CPU seconds so far of every process, summed per group."""
    seconds: Counter[str] = Counter()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        seconds[group_of(command, client)] += (int(fields[11]) + int(fields[12])) / TICKS
    return seconds


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    client = next((a for a in argv if a.endswith(".py")), argv[0])
    target = os.environ.get("BENCH_CPU_OUTPUT")
    output = open(target, "w") if target else sys.stderr  # noqa: SIM115 (kept open for the run)
    process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT)
    before, started = cpu_by_group(client), time.monotonic()
    print("second  " + "  ".join(f"{group:>8}" for group in COLUMNS))
    while process.poll() is None:
        time.sleep(1)
        now = cpu_by_group(client)
        # A process that ended within the second takes its CPU with it: never below zero.
        cells = "  ".join(f"{max(0.0, now[group] - before[group]):8.2f}" for group in COLUMNS)
        before = now
        print(f"{time.monotonic() - started:6.0f}  {cells}")
    return process.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
