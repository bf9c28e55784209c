"""`make system-deps` (.ci/system-deps): the Debian packages of the one list are there, and a
machine that lacks one is told the exact command (or, as root, gets it installed)."""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / ".ci" / "system-deps"
LIST = Path(settings.BASE_DIR) / ".ci" / "system-packages"

pytestmark = pytest.mark.skipif(
    not shutil.which("dpkg-query"), reason="system-deps checks Debian packages"
)


def listed() -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in LIST.read_text().splitlines())
    return [line for line in lines if line]


@pytest.fixture
def readable_dir() -> Iterator[Path]:
    """A folder an unprivileged user can read, with a copy of the script (the checkout and
    pytest's tmp_path may be readable by their owner only)."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / ".ci").mkdir()
        shutil.copy(SCRIPT, Path(folder) / ".ci" / "system-deps")
        for path in (Path(folder), Path(folder) / ".ci"):
            path.chmod(0o755)
        yield Path(folder)


def run(package_list: Path, *, as_nobody: bool) -> subprocess.CompletedProcess:
    """The script (its copy beside the list) run as root or as the user nobody."""
    command = ["bash", str(package_list.parent / ".ci" / "system-deps")]
    if as_nobody and os.geteuid() == 0:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    env = {**os.environ, "SYSTEM_PACKAGES": str(package_list)}
    return subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=package_list.parent, timeout=60
    )


def test_every_listed_package_is_installed_so_the_pdf_renderer_loads():
    assert "libpango-1.0-0" in listed()
    for package in listed():
        status = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
        )
        assert status.stdout == "install ok installed", package
    import weasyprint  # noqa: F401  (fails when Pango cannot be loaded)


def test_nothing_missing_means_nothing_to_do(readable_dir):
    packages = readable_dir / "packages"
    packages.write_text("# shell\nbash\n\ncoreutils  # comment\n")
    result = run(packages, as_nobody=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_a_user_without_root_gets_the_exact_command_and_a_failure(readable_dir):
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        pytest.skip("setpriv is needed to drop root for this test")
    packages = readable_dir / "packages"
    packages.write_text("bash\nkreisportal-no-such-package\n")
    result = run(packages, as_nobody=True)
    assert result.returncode == 1
    assert "apt-get install -y --no-install-recommends kreisportal-no-such-package" in result.stderr
    assert "missing Debian packages: kreisportal-no-such-package\n" in result.stderr


def test_an_unreadable_list_is_an_error_not_an_empty_list(readable_dir):
    result = run(readable_dir / "no-such-list", as_nobody=False)
    assert result.returncode == 1
    assert "cannot read" in result.stderr
