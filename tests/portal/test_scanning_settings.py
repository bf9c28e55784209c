"""`make run` keeps the virus check off unless UPLOAD_SCAN_URL is set (README,
Configuration); set, the portal scans through it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _scan_url(**env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("UPLOAD_SCAN")}
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.conf import settings; from core.scanning import get_scanner; "
         "print(repr(settings.UPLOAD_SCAN_URL), type(get_scanner()).__name__)"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_scanning_is_off_unless_upload_scan_url_is_set():
    assert _scan_url() == "'' NoScanner"
    assert _scan_url(UPLOAD_SCAN_URL="tcp://clamav:3310") == "'tcp://clamav:3310' ClamdScanner"


def test_make_run_does_not_turn_scanning_on():
    environment = {k: v for k, v in os.environ.items() if not k.startswith("UPLOAD_SCAN")}
    run = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert "gunicorn portal.wsgi" in run.stdout and "UPLOAD_SCAN" not in run.stdout
