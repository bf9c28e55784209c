"""Malware scanning of uploads (ADR 0007, docs/operations.md "Malware scanning").

One interface: `scan(data, name=...)` returns a `ScanResult` (clean, infected with the
signature's name, or not scanned when scanning is off) or raises `ScannerUnavailable` when
there is no verdict — the daemon is down, too slow, answers an error, or refuses the size.
Callers then refuse the upload (fail closed); nothing is ever stored unscanned.

One implementation speaks clamd's socket protocol (clamd(8), "INSTREAM"): the command
`zINSTREAM\\0`, then the file in chunks, each a 4-byte unsigned length in network byte order
followed by that many bytes, ended by a zero-length chunk; clamd answers one
NUL-terminated line, `stream: OK`, `stream: <signature> FOUND` or `… ERROR`. A stream above
clamd's StreamMaxLength is answered with `INSTREAM size limit exceeded. ERROR` and the
connection is closed — the client stops sending at its own limit first.

Configured by UPLOAD_SCAN_URL (`tcp://host:3310`, `unix:///run/clamav/clamd.ctl`; empty:
off), UPLOAD_SCAN_TIMEOUT (seconds for a whole scan) and UPLOAD_SCAN_MAX_BYTES (at most
clamd's StreamMaxLength).
"""

from __future__ import annotations

import logging
import re
import socket
import struct
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.errors import Unavailable

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
# A verdict is one short line; anything longer is not clamd talking.
MAX_REPLY_BYTES = 4096
HEALTH_TIMEOUT = 2.0
_FOUND = re.compile(r"^stream: (?P<signature>.+) FOUND$")


class ScanStatus(StrEnum):
    CLEAN = "clean"
    INFECTED = "infected"
    NOT_SCANNED = "not_scanned"


@dataclass(frozen=True)
class ScanResult:
    status: ScanStatus
    signature: str = ""

    @property
    def clean(self) -> bool:
        return self.status is ScanStatus.CLEAN

    @property
    def infected(self) -> bool:
        return self.status is ScanStatus.INFECTED


CLEAN = ScanResult(ScanStatus.CLEAN)
NOT_SCANNED = ScanResult(ScanStatus.NOT_SCANNED)


class ScannerUnavailable(Exception):
    """No verdict: the scanner is down, timed out, answered an error or refused the size.
    The upload must be refused (fail closed) with `user_message`; API: 503."""

    user_message = _("The virus check is not available at the moment. Please try again later.")


class ScanSizeExceeded(ScannerUnavailable):
    """The file is larger than the scanner accepts (clamd's StreamMaxLength)."""


class UploadInfected(Exception):
    """The virus check found `signature` in the file of `field`; nothing may be stored."""

    user_message = _("The file was refused by the virus check.")

    def __init__(self, field: str, signature: str, name: str = "") -> None:
        super().__init__(f"{field}: {signature}")
        self.field = field
        self.signature = signature
        self.name = name


class Scanner(Protocol):
    def scan(self, data: bytes | BinaryIO, *, name: str) -> ScanResult: ...

    def health(self) -> tuple[bool, str]: ...


class NoScanner:
    """Scanning is off (UPLOAD_SCAN_URL empty): every file is `not_scanned`."""

    def scan(self, data: bytes | BinaryIO, *, name: str) -> ScanResult:
        return NOT_SCANNED

    def health(self) -> tuple[bool, str]:
        return True, "scanning off"


@dataclass(frozen=True)
class ClamdAddress:
    """Where clamd listens: a Unix socket path, or a TCP host and port."""

    path: str = ""
    host: str = ""
    port: int = 0

    @classmethod
    def parse(cls, url: str) -> ClamdAddress:
        parts = urlsplit(url)
        if parts.scheme == "unix" and parts.path and not parts.netloc:
            return cls(path=parts.path)
        if parts.scheme == "tcp" and parts.hostname and not parts.path.strip("/"):
            try:
                port = parts.port or 3310
            except ValueError:
                port = 0
            if 0 < port < 65536:
                return cls(host=parts.hostname, port=port)
        raise ImproperlyConfigured(
            f"UPLOAD_SCAN_URL {url!r} is neither tcp://host:port nor unix:///path/to/socket"
        )

    def __str__(self) -> str:
        if self.path:
            return f"unix://{self.path}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"tcp://{host}:{self.port}"


class ClamdScanner:
    """A client of clamd's socket protocol: PING, VERSION and chunked INSTREAM, each on a
    new connection, all of one call within `timeout` seconds."""

    def __init__(
        self,
        address: ClamdAddress,
        *,
        timeout: float,
        max_bytes: int,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> None:
        self.address = address
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.chunk_bytes = chunk_bytes

    def scan(self, data: bytes | BinaryIO, *, name: str) -> ScanResult:
        """Send `data` (bytes, or a binary file read from its current position, which is
        restored afterwards) to clamd; `name` is only logged."""
        if isinstance(data, bytes | bytearray | memoryview):
            if len(data) > self.max_bytes:
                raise ScanSizeExceeded(f"{name}: {len(data)} bytes, over {self.max_bytes}")
            return self._instream(_byte_chunks(data, self.chunk_bytes), name)
        start = data.tell() if data.seekable() else None
        try:
            return self._instream(iter(lambda: data.read(self.chunk_bytes), b""), name)
        finally:
            if start is not None:
                data.seek(start)

    def ping(self, timeout: float | None = None) -> str:
        return self._exchange(b"zPING\0", self._deadline(timeout))

    def version(self, timeout: float | None = None) -> str:
        return self._exchange(b"zVERSION\0", self._deadline(timeout))

    def health(self) -> tuple[bool, str]:
        """(True, clamd's version line) when clamd answers PING with PONG; else (False, why)."""
        timeout = min(self.timeout, HEALTH_TIMEOUT)
        try:
            pong = self.ping(timeout)
            if pong != "PONG":
                return False, f"unexpected answer to PING: {pong[:80]!r}"
            return True, self.version(timeout)
        except ScannerUnavailable as exc:
            logger.warning("virus check unavailable: %s", exc)
            # The error's kind, not the daemon's address: /healthz is public.
            return False, type(exc.__cause__).__name__ if exc.__cause__ else str(exc)

    def _deadline(self, timeout: float | None) -> float:
        return time.monotonic() + (self.timeout if timeout is None else timeout)

    def _instream(self, chunks: Iterable[bytes], name: str) -> ScanResult:
        reply = self._exchange(b"zINSTREAM\0", self._deadline(None), chunks)
        if reply == "stream: OK":
            return CLEAN
        found = _FOUND.match(reply)
        if found:
            signature = found["signature"]
            logger.warning("virus check: %r is infected (%s)", name, signature)
            return ScanResult(ScanStatus.INFECTED, signature)
        if "size limit exceeded" in reply:
            raise ScanSizeExceeded(f"{name}: clamd refused the size ({reply})")
        raise ScannerUnavailable(f"{name}: clamd answered {reply[:200]!r}")

    def _exchange(
        self, command: bytes, deadline: float, chunks: Iterable[bytes] | None = None
    ) -> str:
        """Connect, send the command (and the chunks, then the zero-length end), read the
        NUL-terminated reply. A socket error or the deadline passing → ScannerUnavailable."""
        try:
            with self._connect(deadline) as sock:
                _send(sock, command, deadline)
                if chunks is not None:
                    self._stream(sock, chunks, deadline)
                return _read_reply(sock, deadline)
        except ScannerUnavailable:
            raise
        except TimeoutError as exc:
            raise ScannerUnavailable(f"clamd at {self.address} timed out") from exc
        except OSError as exc:
            raise ScannerUnavailable(f"clamd at {self.address}: {exc}") from exc

    def _stream(self, sock: socket.socket, chunks: Iterable[bytes], deadline: float) -> None:
        sent = 0
        try:
            for chunk in chunks:
                sent += len(chunk)
                if sent > self.max_bytes:
                    raise ScanSizeExceeded(f"more than {self.max_bytes} bytes, over the limit")
                _send(sock, struct.pack("!L", len(chunk)) + chunk, deadline)
            _send(sock, struct.pack("!L", 0), deadline)
        except (BrokenPipeError, ConnectionResetError):
            # clamd closes the connection after answering a stream over its StreamMaxLength;
            # its answer may still be waiting to be read (python-clamd issue #24).
            pass

    def _connect(self, deadline: float) -> socket.socket:
        timeout = _remaining(deadline)
        if self.address.path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.settimeout(timeout)
                sock.connect(self.address.path)
            except BaseException:
                sock.close()
                raise
            return sock
        return socket.create_connection((self.address.host, self.address.port), timeout=timeout)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("deadline passed")
    return left


def _send(sock: socket.socket, payload: bytes, deadline: float) -> None:
    sock.settimeout(_remaining(deadline))
    sock.sendall(payload)


def _read_reply(sock: socket.socket, deadline: float) -> str:
    reply = b""
    while b"\0" not in reply:
        sock.settimeout(_remaining(deadline))
        try:
            data = sock.recv(MAX_REPLY_BYTES)
        except ConnectionResetError:
            data = b""
        if not data:
            if not reply:
                raise ScannerUnavailable("clamd closed the connection without an answer")
            break
        reply += data
        if len(reply) > MAX_REPLY_BYTES:
            raise ScannerUnavailable("clamd's answer is too long")
    return reply.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def _byte_chunks(data: bytes | bytearray | memoryview, size: int) -> Iterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(view), size):
        yield bytes(view[start : start + size])


def get_scanner() -> Scanner:
    """The scanner the settings configure; a `NoScanner` when UPLOAD_SCAN_URL is empty."""
    url = settings.UPLOAD_SCAN_URL
    if not url:
        return NoScanner()
    return ClamdScanner(
        ClamdAddress.parse(url),
        timeout=settings.UPLOAD_SCAN_TIMEOUT,
        max_bytes=settings.UPLOAD_SCAN_MAX_BYTES,
    )


def scan(data: bytes | BinaryIO, *, name: str) -> ScanResult:
    """Scan with the configured scanner. Raises ScannerUnavailable (fail closed), also for
    a malformed UPLOAD_SCAN_URL: gunicorn runs no system checks, so core.E002 may go
    unseen, and a misconfigured scanner must refuse uploads, not answer 500."""
    try:
        scanner = get_scanner()
    except ImproperlyConfigured as exc:
        raise ScannerUnavailable(str(exc)) from exc
    return scanner.scan(data, name=name)


def scanner_health() -> tuple[bool, str]:
    """For /healthz: (True, clamd's version) or (False, what failed); (True, "scanning
    off") when no scanner is configured."""
    try:
        return get_scanner().health()
    except ImproperlyConfigured as exc:
        return False, str(exc)


def refuse_infected(data: bytes | BinaryIO, *, field: str, name: str) -> ScanResult:
    """Scan an upload before anything of it is stored. Infected → UploadInfected naming
    the field (the caller answers 400 with its `user_message` and records the signature);
    no verdict → ScannerUnavailable propagates (503 / "try again later"). Returns the
    clean or not-scanned result."""
    result = scan(data, name=name)
    if result.infected:
        raise UploadInfected(field, result.signature, name)
    return result


class UploadNotScanned(Unavailable):
    """The portal's answer when an upload got no verdict (ScannerUnavailable): 503 naming
    the field, "please try again later"; nothing of the upload is stored."""

    def __init__(self, field: str) -> None:
        self.field = field
        message = ScannerUnavailable.user_message
        super().__init__(message, errors={field: [message]})


def scan_upload(
    data: bytes | BinaryIO,
    *,
    field: str,
    name: str,
    municipality_id: int | None = None,
    actor: AbstractBaseUser | None = None,
) -> ScanResult:
    """What every upload path calls before it stores anything. Infected → an audit entry
    (field, file name, signature; never content) and UploadInfected, which the caller turns
    into a 400 at `field`; no verdict → UploadNotScanned (503 / "try again later")."""
    try:
        return refuse_infected(data, field=field, name=name)
    except UploadInfected as infected:
        from core.audit import audit_record
        from core.models import AuditEntry

        audit_record(
            actor=actor,
            action=AuditEntry.Action.REFUSE,
            object_type="upload",
            object_repr=name or field,
            municipality_id=municipality_id,
            changes={"field": field, "name": name, "signature": infected.signature},
        )
        raise
    except ScannerUnavailable as exc:
        logger.warning("upload %r of field %s refused unscanned: %s", name, field, exc)
        raise UploadNotScanned(field) from exc


@register(Tags.security)
def check_scan_url(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """UPLOAD_SCAN_URL, when set, must be an address clamd can listen on."""
    if not settings.UPLOAD_SCAN_URL:
        return []
    try:
        ClamdAddress.parse(settings.UPLOAD_SCAN_URL)
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="core.E002")]
    return []


@register(Tags.security, deploy=True)
def check_scanning_in_production(
    app_configs: object = None, **kwargs: object
) -> list[CheckMessage]:
    """`check --deploy` with DJANGO_DEBUG=0: uploads should be scanned, and every file the
    portal accepts must fit through the scanner."""
    if settings.DEBUG:
        return []
    if not settings.UPLOAD_SCAN_URL:
        return [
            Warning(
                "Uploads are not scanned for malware: UPLOAD_SCAN_URL is empty.",
                hint="Set UPLOAD_SCAN_URL to clamd's address, e.g. tcp://clamav:3310 "
                "(docs/operations.md, Malware scanning).",
                id="core.W001",
            )
        ]
    if settings.UPLOAD_MAX_BYTES > settings.UPLOAD_SCAN_MAX_BYTES:
        return [
            Warning(
                f"UPLOAD_MAX_BYTES ({settings.UPLOAD_MAX_BYTES}) is larger than "
                f"UPLOAD_SCAN_MAX_BYTES ({settings.UPLOAD_SCAN_MAX_BYTES}): files in between "
                "are accepted by the form but refused by the virus check.",
                hint="Raise clamd's StreamMaxLength and UPLOAD_SCAN_MAX_BYTES, or lower "
                "UPLOAD_MAX_BYTES.",
                id="core.W002",
            )
        ]
    return []
