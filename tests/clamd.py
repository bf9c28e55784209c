"""A real clamd for the tests, started and stopped by them (Debian's clamav-daemon).

Each daemon gets its own configuration in a temporary folder: a Unix socket there, a TCP
port on 127.0.0.1, StreamMaxLength of STREAM_MAX_BYTES, and as its only signature database
tests/files/clamav/eicar.ndb — one signature for the EICAR test file, no freshclam, no
download. The EICAR file itself is assembled at run time (`eicar_test_file()`), so the repository
carries nothing a virus scanner would flag.

Fixtures (imported by tests/conftest.py):
- `clamd`: one daemon for the whole session; don't stop it.
- `clamd_factory`: `clamd_factory()` starts a daemon of the test's own (stop, restart,
  new signatures); stopped after the test.
- `upload_scanning`: points UPLOAD_SCAN_URL at the session daemon for one test.
- `eicar`: the EICAR test file's bytes.
Without clamd they skip locally and fail in CI (CI=true).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.servers import free_port

SIGNATURES = Path(__file__).parent / "files" / "clamav"
STREAM_MAX_BYTES = 1024 * 1024
START_TIMEOUT = 30.0


def clamd_binary() -> str | None:
    return shutil.which("clamd") or next(
        (p for p in ("/usr/sbin/clamd", "/usr/local/sbin/clamd") if os.access(p, os.X_OK)), None
    )


def eicar_test_file() -> bytes:
    """The EICAR anti-virus test file (68 bytes), put together here so that no file of the
    repository is one."""
    parts = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-ANTIVIRUS", "-TEST-FILE!$H+H*")
    return "".join(parts).encode("ascii")


def _ask(path: Path, command: bytes, timeout: float = 1.0) -> bytes:
    """One raw command over the Unix socket (independent of the portal's client)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(path))
        sock.sendall(command)
        reply = b""
        while not reply.endswith(b"\0"):
            data = sock.recv(4096)
            if not data:
                break
            reply += data
        return reply.rstrip(b"\0")


class Clamd:
    """One clamd process with its own folder, configuration and database copy."""

    def __init__(self, workdir: Path, binary: str, stream_max_bytes: int = STREAM_MAX_BYTES):
        self.workdir = workdir
        self.binary = binary
        self.stream_max_bytes = stream_max_bytes
        self.database = workdir / "db"
        self.socket_path = workdir / "clamd.sock"
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.startup_seconds = 0.0
        shutil.copytree(SIGNATURES, self.database)
        self.config = workdir / "clamd.conf"
        self.config.write_text(
            "\n".join(
                [
                    "Foreground yes",
                    f"LocalSocket {self.socket_path}",
                    "TCPAddr 127.0.0.1",
                    f"TCPSocket {self.port}",
                    f"DatabaseDirectory {self.database}",
                    f"TemporaryDirectory {workdir}",
                    f"PidFile {workdir / 'clamd.pid'}",
                    f"StreamMaxLength {stream_max_bytes}",
                    "",
                ]
            )
        )

    @property
    def unix_url(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def tcp_url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def start(self) -> float:
        """Start clamd and wait until it answers PING with PONG; returns the seconds that
        took."""
        assert self.process is None or self.process.poll() is not None, "already running"
        began = time.monotonic()
        log = open(self.workdir / "clamd.log", "ab")  # noqa: SIM115  (the process keeps it)
        self.process = subprocess.Popen(
            [self.binary, "--config-file", str(self.config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        while time.monotonic() - began < START_TIMEOUT:
            if self.process.poll() is not None:
                raise RuntimeError(f"clamd exited at start:\n{self.log()}")
            try:
                if _ask(self.socket_path, b"zPING\0") == b"PONG":
                    self.startup_seconds = time.monotonic() - began
                    return self.startup_seconds
            except OSError:
                pass
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"clamd did not answer within {START_TIMEOUT} s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def rss_kib(self) -> int:
        """Resident memory of the running daemon (VmRSS)."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(
            next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
        )

    def add_signature(self, name: str, content: bytes) -> None:
        """Teach the running daemon a new signature (an MD5 hash signature of `content`,
        as a signature update would) and wait until it is loaded: RELOAD answers at once
        and loads in the background."""
        digest = hashlib.md5(content).hexdigest()  # noqa: S324  (ClamAV's .hdb format)
        with (self.database / "added.hdb").open("a") as signatures:
            signatures.write(f"{digest}:{len(content)}:{name}\n")
        assert _ask(self.socket_path, b"zRELOAD\0") == b"RELOADING"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if name.encode() in self._instream(content):
                return
            time.sleep(0.05)
        raise RuntimeError(f"clamd did not load the signature {name}:\n{self.log()}")

    def _instream(self, content: bytes) -> bytes:
        command = b"zINSTREAM\0" + len(content).to_bytes(4, "big") + content + bytes(4)
        return _ask(self.socket_path, command, timeout=5.0)

    def log(self) -> str:
        path = self.workdir / "clamd.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _require_clamd() -> str:
    from tests.conftest import require_service

    binary = clamd_binary()
    require_service(
        "clamd", binary is not None, "install Debian's clamav-daemon (make system-deps)"
    )
    assert binary is not None
    return binary


@pytest.fixture(scope="session")
def clamd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clamd]:
    """One real clamd for the session (Unix socket and TCP); tests must not stop it."""
    daemon = Clamd(tmp_path_factory.mktemp("clamd"), _require_clamd())
    daemon.start()
    yield daemon
    daemon.stop()


@pytest.fixture
def clamd_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Clamd]]:
    """Start daemons of the test's own: `clamd_factory(stream_max_bytes=…)`."""
    binary = _require_clamd()
    started: list[Clamd] = []

    def start(**options: int) -> Clamd:
        daemon = Clamd(tmp_path_factory.mktemp("clamd"), binary, **options)
        started.append(daemon)
        daemon.start()
        return daemon

    yield start
    for daemon in started:
        daemon.stop()


@pytest.fixture
def upload_scanning(clamd: Clamd, settings) -> Clamd:
    """Uploads in this test are scanned by the session's real clamd (over TCP)."""
    settings.UPLOAD_SCAN_URL = clamd.tcp_url
    settings.UPLOAD_SCAN_TIMEOUT = 10.0
    settings.UPLOAD_SCAN_MAX_BYTES = clamd.stream_max_bytes
    return clamd


@pytest.fixture
def eicar() -> bytes:
    return eicar_test_file()
