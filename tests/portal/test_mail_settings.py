"""EMAIL_URL=filemail://… (README, docs/operations.md): the directory is taken as written —
an absolute path stays absolute, a relative one relative to the working directory."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def file_path(url: str) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "EMAIL_URL": url}
    script = "from django.conf import settings; print(settings.EMAIL_FILE_PATH)"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("filemail:///var/mail/portal", "/var/mail/portal"),
        ("filemail:////tmp/kreisportal-mail", "/tmp/kreisportal-mail"),
        ("filemail://mail/out", "mail/out"),
    ],
)
def test_a_filemail_directory_is_taken_as_written(url, path):
    assert file_path(url) == path
