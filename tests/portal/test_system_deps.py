"""`make system-deps` (.ci/system-deps): the Debian packages of .ci/system-packages are
checked; missing ones are installed as root, or named with the exact apt-get command."""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / ".ci" / "system-deps"


def run(tmp_path: Path, packages: str, uid: str) -> subprocess.CompletedProcess:
    listing = tmp_path / "packages"
    listing.write_text(packages)
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir(exist_ok=True)
    fake_id = fake_bin / "id"
    fake_id.write_text(f"#!/bin/sh\necho {uid}\n")  # who the script believes it runs as
    fake_id.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{fake_bin}:{os.environ['PATH']}",
        "SYSTEM_PACKAGES_FILE": str(listing),
    }
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True)


@pytest.mark.skipif(not Path("/usr/bin/dpkg-query").exists(), reason="not a Debian machine")
def test_the_project_list_names_xmlsec1_and_it_is_installed(tmp_path):
    assert "xmlsec1" in (REPO / ".ci" / "system-packages").read_text().split()
    result = run(tmp_path, (REPO / ".ci" / "system-packages").read_text(), "1000")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.skipif(not Path("/usr/bin/dpkg-query").exists(), reason="not a Debian machine")
def test_a_missing_package_without_root_prints_the_command_and_fails(tmp_path):
    result = run(tmp_path, "# comment\nxmlsec1\nkreisportal-no-such-package  # why\n", "1000")

    assert result.returncode == 1
    assert "run: sudo apt-get install -y kreisportal-no-such-package" in result.stderr
    assert "xmlsec1" not in result.stderr.split("run:")[1]
