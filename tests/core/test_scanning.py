"""The upload scanner against a real clamd (tests/clamd.py): verdicts, chunking, the size
limit, and failing closed when the daemon is down, silent, slow or answers nonsense."""

import io
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils import translation

from core.scanning import (
    ClamdAddress,
    ClamdScanner,
    NoScanner,
    ScannerUnavailable,
    ScanSizeExceeded,
    ScanStatus,
    UploadInfected,
    get_scanner,
    refuse_infected,
    scan,
    scanner_health,
)

NAME = "Meldebescheinigung Łukasz Yılmaz–Şahin.pdf"
# clamd appends .UNOFFICIAL to signatures of databases it cannot verify, as the test one.
SIGNATURE = "Eicar-Test-Signature.UNOFFICIAL"


def pdf(kib: int = 200) -> bytes:
    """A real PDF of a little more than `kib` KiB (an image of noise does not compress
    much), written by Pillow."""
    from PIL import Image

    side = int((kib * 1024 * 2 / 3) ** 0.5)
    noise = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    noise.save(
        buffer,
        format="PDF",
        title="Meldebescheinigung für Łukasz Yılmaz–Şahin, „Hauptwohnung“",
        quality=100,
    )
    return buffer.getvalue()


def scanner(url: str, **options) -> ClamdScanner:
    options.setdefault("timeout", 10.0)
    options.setdefault("max_bytes", 25 * 1024 * 1024)
    return ClamdScanner(ClamdAddress.parse(url), **options)


@pytest.fixture(params=["unix", "tcp"])
def url(request, clamd) -> str:
    return clamd.unix_url if request.param == "unix" else clamd.tcp_url


# --- verdicts -------------------------------------------------------------------------


def test_eicar_is_infected_with_the_signature_name(url, eicar, settings):
    settings.UPLOAD_SCAN_URL = url
    result = scan(eicar, name=NAME)
    assert result.status is ScanStatus.INFECTED and result.infected and not result.clean
    assert result.signature == SIGNATURE


def test_a_clean_pdf_passes(url, settings):
    settings.UPLOAD_SCAN_URL = url
    result = scan(pdf(), name=NAME)
    assert result.status is ScanStatus.CLEAN and result.clean and result.signature == ""


def test_eicar_inside_a_pdf_is_found(clamd, eicar):
    document = pdf(50)
    middle = len(document) // 2
    assert (
        scanner(clamd.unix_url)
        .scan(document[:middle] + eicar + document[middle:], name=NAME)
        .infected
    )


def test_a_file_split_over_many_chunks(clamd, eicar):
    """Chunks of 7 bytes cut the 68-byte signature into ten pieces; clamd must see one
    stream. A 200 KiB PDF in 1 KiB chunks is 200 chunks."""
    tiny_chunks = scanner(clamd.tcp_url, chunk_bytes=7)
    assert tiny_chunks.scan(eicar, name="eicar.txt").signature == SIGNATURE
    document = pdf(200)
    assert len(document) > 200 * 1024
    assert scanner(clamd.tcp_url, chunk_bytes=1024).scan(document, name=NAME).clean
    assert scanner(clamd.tcp_url, chunk_bytes=1024).scan(document + eicar, name=NAME).infected


def test_file_objects_are_read_from_their_position_and_put_back(clamd, eicar):
    client = scanner(clamd.unix_url, chunk_bytes=16)
    stream = io.BytesIO(b"%PDF-1.4 header already read" + eicar)
    stream.seek(28)
    assert client.scan(stream, name="x.pdf").infected
    assert stream.tell() == 28
    for upload in (
        SimpleUploadedFile(NAME, eicar),
        TemporaryUploadedFile(NAME, "application/pdf", 68, "utf-8"),
    ):
        if isinstance(upload, TemporaryUploadedFile):
            upload.write(eicar)
            upload.seek(0)
        assert client.scan(upload, name=upload.name).signature == SIGNATURE
        assert upload.read() == eicar  # still there for the caller to store


def test_the_log_names_the_file_and_signature_but_holds_no_content(clamd, eicar, caplog):
    scanner(clamd.unix_url).scan(eicar, name=NAME)
    assert NAME in caplog.text and SIGNATURE in caplog.text
    assert eicar.decode() not in caplog.text and "EICAR-STANDARD" not in caplog.text


# --- the size limit (clamd's StreamMaxLength) ------------------------------------------


def test_a_file_at_the_daemons_limit_is_scanned(clamd):
    limit = clamd.stream_max_bytes
    assert scanner(clamd.unix_url, max_bytes=limit).scan(b"a" * limit, name="big").clean


def test_a_file_above_the_limit_is_refused_before_it_is_sent(clamd):
    client = scanner(clamd.unix_url, max_bytes=clamd.stream_max_bytes)
    log_before = clamd.log()
    with pytest.raises(ScanSizeExceeded):
        client.scan(b"a" * (clamd.stream_max_bytes + 1), name="big.pdf")
    with pytest.raises(ScanSizeExceeded):
        client.scan(io.BytesIO(b"a" * (clamd.stream_max_bytes + 1)), name="big.pdf")
    assert clamd.log() == log_before  # the daemon saw none of it


def test_a_stream_above_the_daemons_limit_fails_closed(url, clamd):
    """The portal's limit set too high: clamd answers 'INSTREAM size limit exceeded' and
    hangs up mid-stream; that is no verdict, never a clean one."""
    client = scanner(url, max_bytes=8 * clamd.stream_max_bytes)
    with pytest.raises(ScannerUnavailable):
        client.scan(b"a" * (2 * clamd.stream_max_bytes), name="big.pdf")
    with pytest.raises(ScannerUnavailable):
        client.scan(io.BytesIO(b"a" * (2 * clamd.stream_max_bytes)), name="big.pdf")
    assert "Size limit reached" in clamd.log()
    assert client.scan(b"still answering", name="small.txt").clean


# --- failing closed -------------------------------------------------------------------


def test_daemon_stopped_is_unavailable_and_back_after_a_restart(clamd_factory, settings):
    daemon = clamd_factory()
    for url in (daemon.unix_url, daemon.tcp_url):
        settings.UPLOAD_SCAN_URL = url
        assert scan(b"Antrag", name="antrag.txt").clean
    daemon.stop()
    for url in (daemon.unix_url, daemon.tcp_url):
        settings.UPLOAD_SCAN_URL = url
        with pytest.raises(ScannerUnavailable):
            scan(b"Antrag", name="antrag.txt")
        assert scanner_health()[0] is False
    daemon.start()
    for url in (daemon.unix_url, daemon.tcp_url):
        settings.UPLOAD_SCAN_URL = url
        assert scan(b"Antrag", name="antrag.txt").clean
        assert scanner_health()[0] is True


class _FakeServer:
    """A TCP listener on 127.0.0.1 that accepts and then does `behaviour(connection)`."""

    def __init__(self, behaviour):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.behaviour = behaviour
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        self.listener.settimeout(0.1)
        while not self.stopped.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            with connection:
                self.behaviour(connection, self.stopped)

    def close(self):
        self.stopped.set()
        self.thread.join(5)
        self.listener.close()


@pytest.fixture
def fake_server():
    servers = []

    def start(behaviour):
        servers.append(_FakeServer(behaviour))
        return f"tcp://127.0.0.1:{servers[-1].port}"

    yield start
    for server in servers:
        server.close()


def _silent(connection, stopped):
    stopped.wait(10)


def _trickle(connection, stopped):
    """Answers, but one byte every 50 ms and never a whole line."""
    while not stopped.wait(0.05):
        try:
            connection.sendall(b"s")
        except OSError:
            return


def _error(connection, stopped):
    connection.recv(100)
    connection.sendall(b"stream: Can't allocate memory ERROR\0")


@pytest.mark.parametrize("behaviour", [_silent, _trickle], ids=["silent", "trickling"])
def test_a_daemon_that_does_not_answer_in_time_is_unavailable(fake_server, behaviour):
    """The timeout bounds the whole scan, so a peer dribbling bytes cannot hold an upload
    (and a web worker) longer than UPLOAD_SCAN_TIMEOUT."""
    client = scanner(fake_server(behaviour), timeout=0.5)
    began = time.monotonic()
    with pytest.raises(ScannerUnavailable, match="timed out"):
        client.scan(b"Antrag", name="antrag.txt")
    assert time.monotonic() - began < 5  # bounded by the timeout, not by the peer
    assert client.health()[0] is False


def test_an_error_answer_is_unavailable(fake_server):
    with pytest.raises(ScannerUnavailable, match="ERROR"):
        scanner(fake_server(_error)).scan(b"Antrag", name="antrag.txt")


@pytest.mark.parametrize(
    "url", ["tcp://127.0.0.1:1", "unix:///nonexistent/clamd.sock", "clamav:3310"]
)
def test_nothing_listening_is_unavailable(url, settings):
    settings.UPLOAD_SCAN_URL = url
    with pytest.raises(ScannerUnavailable):
        scan(b"Antrag", name="antrag.txt")
    ok, detail = scanner_health()
    assert not ok and detail


# --- configuration, helper, health ----------------------------------------------------


def test_scanning_off_reports_not_scanned(settings, eicar):
    settings.UPLOAD_SCAN_URL = ""
    assert isinstance(get_scanner(), NoScanner)
    assert scan(eicar, name=NAME).status is ScanStatus.NOT_SCANNED
    assert refuse_infected(eicar, field="nachweis", name=NAME).status is ScanStatus.NOT_SCANNED


def test_refuse_infected_names_the_field_in_both_languages(upload_scanning, eicar):
    assert refuse_infected(pdf(20), field="nachweis", name=NAME).clean
    with pytest.raises(UploadInfected) as refused:
        refuse_infected(eicar, field="nachweis", name=NAME)
    assert refused.value.field == "nachweis" and refused.value.signature == SIGNATURE
    with translation.override("de"):
        assert str(refused.value.user_message) == "Die Datei wurde von der Virenprüfung abgelehnt."
        assert "später" in str(ScannerUnavailable.user_message)
    with translation.override("en"):
        assert str(refused.value.user_message) == "The file was refused by the virus check."


def test_health_names_the_daemons_version(upload_scanning):
    ok, detail = scanner_health()
    assert ok and detail.startswith("ClamAV ")


@pytest.mark.parametrize(
    "url, address",
    [
        ("tcp://clamav:3310", ClamdAddress(host="clamav", port=3310)),
        ("tcp://127.0.0.1", ClamdAddress(host="127.0.0.1", port=3310)),
        ("tcp://[::1]:3311", ClamdAddress(host="::1", port=3311)),
        ("unix:///run/clamav/clamd.ctl", ClamdAddress(path="/run/clamav/clamd.ctl")),
    ],
)
def test_scan_urls(url, address):
    assert ClamdAddress.parse(url) == address
    assert ClamdAddress.parse(str(address)) == address


@pytest.mark.parametrize(
    "url",
    ["clamav:3310", "http://clamav:3310", "tcp://clamav:99999", "unix://relative", "tcp://:3310"],
)
def test_bad_scan_urls_are_refused(url):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="UPLOAD_SCAN_URL"):
        ClamdAddress.parse(url)


def test_a_signature_update_makes_a_stored_file_infected(clamd_factory):
    """What a rescan after freshclam's update relies on: the same bytes, clean before the
    daemon learnt a signature, infected after (tests/clamd.py `add_signature`)."""
    daemon = clamd_factory()
    stored = pdf(30)
    client = scanner(daemon.tcp_url)
    assert client.scan(stored, name=NAME).clean
    daemon.add_signature("Kreisportal.Test.NewThreat", stored)
    result = client.scan(stored, name=NAME)
    assert result.infected and result.signature == "Kreisportal.Test.NewThreat.UNOFFICIAL"
    assert client.scan(pdf(30), name=NAME).clean  # another file stays clean


def test_the_eicar_check_in_the_operations_guide_works(clamd):
    """docs/operations.md tells operators to paste this into `manage.py shell`."""
    root = Path(__file__).resolve().parents[2]
    guide = (root / "docs" / "operations.md").read_text()
    script = re.search(r"manage\.py shell <<'EOF'\n(.*?)\nEOF\n", guide, re.S)[1]
    result = subprocess.run(
        [sys.executable, "manage.py", "shell"],
        input=script,
        cwd=root,
        env={**os.environ, "UPLOAD_SCAN_URL": clamd.tcp_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith(("(", "ScanResult"))]
    assert lines[0].startswith("(True, 'ClamAV ")
    assert f"status=<ScanStatus.INFECTED: 'infected'>, signature='{SIGNATURE}'" in lines[1]
    assert "status=<ScanStatus.CLEAN: 'clean'>" in lines[2]
