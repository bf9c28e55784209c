"""The embedded default under a crowd (issue 12, README `make run`): the portal served as
`make run` serves it (gunicorn with RUN_SERVER_OPTIONS, SQLite in WAL mode with a busy
timeout and immediate transactions, process steps run in the web process) takes 200
submissions from 32 concurrent clients: every answer 201 or 429, none 5xx, no connection
reset, every accepted case stored once, every step done."""

import json
import os
import re
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.conftest import DEMO_ANSWERS
from tests.servers import free_port, wait_until_listening

ROOT = Path(__file__).resolve().parents[2]
SUBMISSIONS, CLIENTS = 200, 32


def _run_server_options() -> list[str]:
    text = (ROOT / "Makefile").read_text()
    return re.search(r"^RUN_SERVER_OPTIONS \?= (.+)$", text, re.M).group(1).split()


def _submit(port: int, n: int) -> int | str:
    body = json.dumps(
        {
            "service": "fundsache",
            "applicant": {"name": f"Łukasz Yılmaz–Şahin {n}", "email": f"l{n}@example.org"},
            "data": DEMO_ANSWERS["fundsache"],
        }
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/municipalities/boenen/cases/",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:  # reset, refused, timed out
        return f"{type(error).__name__}: {error}"


def test_make_runs_server_on_sqlite_takes_a_crowd_of_submissions(tmp_path):
    database = tmp_path / "portal.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CI_DB")},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "",
        "DATABASE_RLS": "0",
        "EMAIL_URL": f"filemail://{tmp_path / 'mail'}",
        "THROTTLE_SUBMISSIONS": "1000/hour",
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput"], ["load_demo", "--password", "demo"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    options = [o for o in _run_server_options() if o != "--reload"]
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [gunicorn, "portal.wsgi:application", "--bind", f"127.0.0.1:{port}", *options],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        wait_until_listening(port, process=server)
        with ThreadPoolExecutor(CLIENTS) as pool:
            answers = list(pool.map(lambda n: _submit(port, n), range(SUBMISSIONS)))
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()

    server_log = (tmp_path / "server.log").read_text(errors="replace")
    assert all(a in (201, 429) for a in answers), (
        sorted({str(a) for a in answers}),
        server_log[-3000:],
    )
    accepted = answers.count(201)
    assert accepted > 0
    with sqlite3.connect(database) as db:
        (cases,) = db.execute(
            "SELECT count(*) FROM services_case WHERE applicant_name LIKE 'Łukasz%'"
        ).fetchone()
        (distinct,) = db.execute(
            "SELECT count(DISTINCT applicant_email) FROM services_case "
            "WHERE applicant_name LIKE 'Łukasz%'"
        ).fetchone()
        unfinished = db.execute(
            "SELECT s.name, s.status, count(*) FROM services_casestep s "
            "JOIN services_case c ON c.id = s.case_id WHERE c.applicant_name LIKE 'Łukasz%' "
            "AND s.status != 'done' GROUP BY 1, 2"
        ).fetchall()
    assert cases == distinct == accepted
    assert unfinished == []
