"""`make test` installs the Debian packages of .ci/system-packages (.ci/system-deps)."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "system-deps"


def _installed(package: str) -> bool:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return result.stdout == "install ok installed"


pytestmark = pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not Debian")


def test_nothing_to_do_when_every_listed_package_is_installed():
    listed = [
        line.split("#")[0].strip()
        for line in (ROOT / ".ci" / "system-packages").read_text().splitlines()
    ]
    if not all(_installed(p) for p in listed if p):
        pytest.skip("run make test (or make system-deps) first")
    result = subprocess.run([SCRIPT], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""


def test_without_root_it_prints_the_command_and_fails():
    """A package missing and no root: the exact apt-get command, exit 1, nothing installed."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root to drop to an unprivileged user")
    missing = "cowsay" if not _installed("cowsay") else "sl"
    with tempfile.TemporaryDirectory() as folder:  # pytest's tmp_path is root's alone
        ci = Path(folder)
        ci.chmod(0o755)
        shutil.copy(SCRIPT, ci / "system-deps")
        (ci / "system-packages").write_text(f"# comment\n{missing}  # why\n\nbash\n")
        result = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ci / "system-deps"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert f"apt-get install -y --no-install-recommends {missing}\n" in result.stderr
    assert "bash" not in result.stderr.replace("system-deps", "")  # installed: not asked for
    assert not _installed(missing)
