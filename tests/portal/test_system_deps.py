"""`make system-deps` (.ci/system-deps): the Debian packages of the one list
.ci/system-packages are there; a machine that lacks one is told the exact command (or, as
root, gets it installed); `make run` takes the portal's packages, `make test` the tests' too,
and the production image only the portal's."""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "system-deps"
LIST = ROOT / ".ci" / "system-packages"

pytestmark = pytest.mark.skipif(
    not shutil.which("dpkg-query"), reason="system-deps checks Debian packages"
)


def listed(*scopes: str) -> list[str]:
    """The packages of the project's list that the given scopes need."""
    packages = []
    for line in LIST.read_text().splitlines():
        fields = line.split("#", 1)[0].split()
        if fields:
            package, needed_by = fields
            if needed_by in scopes:
                packages.append(package)
    return packages


def installed(package: str) -> bool:
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return status.stdout == "install ok installed"


@pytest.fixture
def checkout() -> Iterator[Path]:
    """A folder the user nobody can read, holding a copy of the script (the checkout and
    pytest's tmp_path may be readable by their owner only, as in a fresh private clone)."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / ".ci").mkdir()
        shutil.copy(SCRIPT, Path(folder) / ".ci" / "system-deps")
        for path in (Path(folder), Path(folder) / ".ci"):
            path.chmod(0o755)
        yield Path(folder)


def run(
    checkout: Path, packages: str, *args: str, as_nobody: bool = True
) -> subprocess.CompletedProcess:
    """The script's copy with `packages` as its list, as root or as the user nobody."""
    (checkout / "packages").write_text(packages)
    (checkout / "packages").chmod(0o644)
    command = ["bash", str(checkout / ".ci" / "system-deps"), *args]
    if as_nobody and os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("setpriv is needed to drop root for this test")
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    env = {**os.environ, "SYSTEM_PACKAGES": str(checkout / "packages")}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)


def test_the_portals_and_the_tests_packages_are_installed_and_work():
    assert {"libpango-1.0-0", "chromium"} <= set(listed("run", "test"))
    for package in listed("run", "test"):
        assert installed(package), package
    import weasyprint  # noqa: F401  (fails when Pango cannot be loaded)

    assert Path("/usr/bin/chromium").exists()
    result = subprocess.run(["bash", str(SCRIPT), "test"], capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_nothing_missing_means_nothing_to_do(checkout):
    result = run(checkout, "# the shell\nbash  run\n\ncoreutils test  # comment\n", "test")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_a_user_without_root_gets_the_exact_command_and_a_failure(checkout):
    result = run(checkout, "bash run\nkreisportal-no-such-package run  # why\n")
    assert result.returncode == 1
    assert "missing Debian packages: kreisportal-no-such-package\n" in result.stderr
    assert (
        "run as root: apt-get update && apt-get install -y --no-install-recommends "
        "kreisportal-no-such-package\n"
    ) in result.stderr
    assert not installed("kreisportal-no-such-package")


def test_run_takes_the_portals_packages_and_test_the_tests_too(checkout):
    packages = "bash run\nkreisportal-test-only test\n"
    assert run(checkout, packages, "run").returncode == 0
    result = run(checkout, packages, "test")
    assert result.returncode == 1
    assert "missing Debian packages: kreisportal-test-only\n" in result.stderr


def test_a_line_without_its_scope_or_an_unknown_scope_is_an_error(checkout):
    result = run(checkout, "bash run\nlibfoo\n")
    assert result.returncode == 1
    assert "packages:2: want '<package> run|test  # why', got 'libfoo'" in result.stderr
    assert run(checkout, "bash run\n", "everything").returncode == 2


def test_an_unreadable_list_is_an_error_not_an_empty_list(checkout):
    env = {**os.environ, "SYSTEM_PACKAGES": str(checkout / "no-such-list")}
    result = subprocess.run(
        ["bash", str(checkout / ".ci" / "system-deps")], capture_output=True, text=True, env=env
    )
    assert result.returncode == 1
    assert "cannot read" in result.stderr


@pytest.mark.parametrize(("target", "scope"), [("run", "run"), ("worker", "run"), ("test", "test")])
def test_make_targets_install_from_the_list(target, scope):
    """`make run`, `make worker` and `make test` start with the script, for their scope."""
    outer_make = {"MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES"}  # under `make test`
    env = {key: value for key, value in os.environ.items() if key not in outer_make}
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"bash .ci/system-deps {scope}"


def test_ci_and_the_image_install_through_the_same_script():
    assert "bash .ci/system-deps test" in (ROOT / ".ci" / "run").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "RUN bash .ci/system-deps run" in dockerfile
    assert "apt-get install" not in dockerfile  # no second list
    assert "apt-get install" not in (ROOT / ".ci" / "run").read_text()
