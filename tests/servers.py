"""What tests that start a server of their own need: a free port on 127.0.0.1, and a wait
until something listens on it."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(
    port: int, *, process: subprocess.Popen | None = None, timeout: float = 60
) -> None:
    """Return once 127.0.0.1:`port` accepts a connection; fail the test if `process` ends
    first or nothing listens within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process is not None and process.poll() is not None:
                pytest.fail(f"the server on port {port} exited with {process.returncode}")
            if time.monotonic() > deadline:
                pytest.fail(f"nothing listens on port {port} after {timeout:.0f} s")
            time.sleep(0.3)
