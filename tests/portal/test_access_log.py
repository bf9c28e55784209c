"""Access logs never print query strings (issue 12): a tracking link's access token and a
payment provider's return parameters stay out of gunicorn's access log (gunicorn.conf.py)
and the development server's (core/logfilters.py). Both servers are started for real."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.servers import free_port, wait_until_listening

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Zugangsschluessel4711"
PATHS = [
    f"/track/BKM-2026-ABCDEF/?access_token={SECRET}",
    f"/payments/girocheckout/return/tx-1/?gcReference={SECRET}&gcHash={SECRET}",
    f"/healthz?access_token={SECRET}",
]


def _serve_and_log(command: list[str], port: int, tmp_path: Path) -> str:
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "LOG_LEVEL": "INFO",
        "DJANGO_DEBUG": "1",
    }
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        try:
            wait_until_listening(port, process=server)
            for path in PATHS:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30)
                except urllib.error.HTTPError:
                    pass  # 404/500 on the empty database: the line is logged all the same
            time.sleep(1)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return log.read_text(errors="replace")


def test_gunicorns_access_log_has_paths_without_query_strings(tmp_path):
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    text = _serve_and_log(
        [gunicorn, "portal.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        port,
        tmp_path,
    )
    assert "/track/BKM-2026-ABCDEF/" in text and "/healthz" in text, text[-2000:]
    assert SECRET not in text


def test_the_development_servers_log_has_paths_without_query_strings(tmp_path):
    port = free_port()
    text = _serve_and_log(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        port,
        tmp_path,
    )
    assert "/track/BKM-2026-ABCDEF/" in text and "/healthz" in text, text[-2000:]
    assert SECRET not in text
