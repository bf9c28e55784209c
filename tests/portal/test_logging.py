"""LOG_FORMAT=json (README, docs/operations.md): every line the portal logs is one JSON object
with time, level, logger and message — also messages with quotes and line breaks, tracebacks,
Django's request log with its request object, and German or Turkish letters."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import logging
import django
django.setup()
from django.test import Client

log = logging.getLogger("cases.steps")
log.warning('step %s left "pending": %s', 7, "broker down\\nsecond line")
log.info("Fall von Łukasz Yılmaz–Şahin, „Zweirad“")
try:
    1 / 0
except ZeroDivisionError:
    log.exception("step 8 failed")
Client().get("/api/v1/no-such-endpoint/")  # django.request logs it with the request attached
"""


def _run(log_format: str) -> list[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "LOG_FORMAT": log_format,
        "LOG_LEVEL": "INFO",
        "DATABASE_URL": "sqlite:///:memory:",
        "REDIS_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_every_log_line_is_one_json_object():
    lines = _run("json")
    records = [json.loads(line) for line in lines]  # raises on any line that is not JSON
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    messages = {r["message"]: r for r in records}
    assert messages['step 7 left "pending": broker down\nsecond line']["level"] == "WARNING"
    assert "Łukasz Yılmaz–Şahin, „Zweirad“" in "".join(messages)
    failed = messages["step 8 failed"]
    assert failed["level"] == "ERROR" and "ZeroDivisionError" in failed["exc_info"]
    assert any(r["logger"] == "django.request" for r in records)


def test_plain_format_is_not_json():
    # The check above must be able to fail: the default format is lines of text.
    lines = _run("plain")
    assert lines
    assert not any(line.startswith("{") for line in lines)
