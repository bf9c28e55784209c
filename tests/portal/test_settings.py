"""Production settings: hardened, and refused when a secret is missing."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "SECRET_KEY")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_no_issues_with_production_settings():
    result = _deploy_check(UPLOAD_SCAN_URL="tcp://clamav:3310")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _deploy_check(**env: str) -> subprocess.CompletedProcess:
    production = {
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "x" * 64 + "-production-secret-for-the-check",
        "ALLOWED_HOSTS": "example.org",
        "PAYMENTS_SANDBOX": "0",
    }
    return _manage("check", "--deploy", "--fail-level", "WARNING", **{**production, **env})


def test_check_deploy_warns_when_uploads_are_not_scanned():
    result = _deploy_check(UPLOAD_SCAN_URL="")
    assert result.returncode != 0
    assert "core.W001" in result.stderr and "UPLOAD_SCAN_URL" in result.stderr


def test_check_deploy_warns_when_accepted_files_cannot_pass_the_scanner():
    result = _deploy_check(
        UPLOAD_SCAN_URL="unix:///run/clamav/clamd.ctl",
        UPLOAD_MAX_BYTES=str(30 * 1024 * 1024),
        UPLOAD_SCAN_MAX_BYTES=str(25 * 1024 * 1024),
    )
    assert result.returncode != 0
    assert "core.W002" in result.stderr and "core.W001" not in result.stderr


def test_a_malformed_scan_url_is_an_error_at_any_check():
    result = _manage("check", UPLOAD_SCAN_URL="clamav:3310")
    assert result.returncode != 0
    assert "core.E002" in result.stderr and "clamav:3310" in result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_DEBUG="0", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_refuse_the_payments_sandbox():
    result = _manage(
        "check",
        DJANGO_DEBUG="0",
        SECRET_KEY="s" * 60,
        ALLOWED_HOSTS="example.org",
        PAYMENTS_SANDBOX="1",
    )
    assert result.returncode != 0
    assert "PAYMENTS_SANDBOX" in result.stderr


def _base_url(**env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("PORTAL_BASE_URL", "PORT")}
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from django.conf import settings; "
         "print(settings.PORTAL_BASE_URL)"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_portal_base_url_follows_the_port_of_make_run_when_not_set():
    assert _base_url() == "http://127.0.0.1:8000"
    assert _base_url(PORT="8123") == "http://127.0.0.1:8123"
    assert _base_url(PORT="8123", PORTAL_BASE_URL="https://portal.kreis-unna.example/") == (
        "https://portal.kreis-unna.example"
    )
    run = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    # `make -n` prints the recipe's continued lines as they are written.
    recipe = run.stdout.replace("\\\n", " ")
    server = next(line for line in recipe.splitlines() if "gunicorn" in line)
    assert "PORT=8123" in server and "--bind 127.0.0.1:8123" in server
