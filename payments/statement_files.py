"""What a treasury uploads: one camt file, or a ZIP of them as banks deliver a period's
statements (docs/payments.md, Bank statements). This module only turns an upload into the
files in it, safely; parsing is payments/camt.py's, importing payments/services/statements.py's.

A ZIP is untrusted like the XML in it. It is read in memory (nothing is written to disk, so
no member name can point anywhere), and refused with a reason when it is not what a bank
sends: more than MAX_MEMBERS files, a member or the whole larger than the limits when
unpacked, a compression ratio no statement has (a "zip bomb"), names that climb out of the
archive or are absolute, password protection, nested archives or other kinds of files.
Reading is bounded by the limits whatever the archive's headers claim.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from payments.camt import DEFAULT_MAX_BYTES, StatementError

#: The most statements one ZIP may hold (a bank's month of daily statements is ~31).
MAX_MEMBERS = 100
#: The most all members of one ZIP may unpack to.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
#: XML statements compress about 10:1 to 30:1; far beyond that a member is a bomb.
MAX_RATIO = 200
#: Small members may compress better than big ones (a few repeated lines); no ratio check
#: below this size.
RATIO_FLOOR_BYTES = 1024 * 1024
#: Leftovers of archiving tools that hold no statement.
_SKIPPED_PREFIXES = ("__MACOSX/",)

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


@dataclass(frozen=True)
class StatementFile:
    name: str
    data: bytes


def is_zip(data: bytes) -> bool:
    return data[:4] in ZIP_MAGIC


def statement_files(data: bytes, filename: str = "") -> list[StatementFile]:
    """The statement files of an upload: itself, or the XML members of a ZIP."""
    if not is_zip(data):
        return [StatementFile(name=filename, data=data)]
    return _unpack(data, filename)


def _refuse(message: str) -> StatementError:
    return StatementError(message)


def _unpack(data: bytes, filename: str) -> list[StatementFile]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise _refuse(_("The ZIP file cannot be read: %(error)s") % {"error": error}) from error
    members = [
        member
        for member in members
        if not member.is_dir()
        and not member.filename.startswith(_SKIPPED_PREFIXES)
        and not posixpath.basename(member.filename).startswith(".")
    ]
    if not members:
        raise _refuse(_("The ZIP file contains no statement."))
    if len(members) > MAX_MEMBERS:
        raise _refuse(
            _(
                "The ZIP file holds %(count)s files; at most %(limit)s statements are imported at once."
            )
            % {"count": len(members), "limit": MAX_MEMBERS}
        )
    for member in members:
        _check(member)
    total = sum(member.file_size for member in members)
    if total > MAX_UNPACKED_BYTES:
        raise _too_big(MAX_UNPACKED_BYTES)
    files: list[StatementFile] = []
    unpacked = 0
    for member in members:
        content = _read(archive, member)
        unpacked += len(content)
        if unpacked > MAX_UNPACKED_BYTES:
            raise _too_big(MAX_UNPACKED_BYTES)
        files.append(StatementFile(name=f"{filename}/{member.filename}"[-255:], data=content))
    return files


def _check(member: zipfile.ZipInfo) -> None:
    name = member.filename
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
        raise _refuse(
            _("The ZIP file contains “%(name)s”, a name outside the archive; it is refused.")
            % {"name": name}
        )
    if member.flag_bits & 0x1:
        raise _refuse(_("The ZIP file is password-protected; upload the statements unpacked."))
    if not name.lower().endswith(".xml"):
        raise _refuse(
            _(
                "The ZIP file contains “%(name)s”, which is no camt statement (.xml); "
                "please unpack it and upload the statements."
            )
            % {"name": name}
        )
    if member.file_size > DEFAULT_MAX_BYTES:
        raise _too_big(DEFAULT_MAX_BYTES, name=name)
    if member.file_size > RATIO_FLOOR_BYTES and member.file_size > MAX_RATIO * max(
        member.compress_size, 1
    ):
        raise _refuse(
            _(
                "“%(name)s” in the ZIP file unpacks to %(ratio)s times its packed size, "
                "which no statement does (a zip bomb?); it is refused."
            )
            % {"name": name, "ratio": member.file_size // max(member.compress_size, 1)}
        )


def _read(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """The member's bytes, never more than the limit, whatever its header says."""
    try:
        with archive.open(member) as stream:
            content = stream.read(DEFAULT_MAX_BYTES + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as error:
        raise _refuse(
            _("“%(name)s” in the ZIP file cannot be unpacked: %(error)s")
            % {"name": member.filename, "error": error}
        ) from error
    if len(content) > DEFAULT_MAX_BYTES:
        raise _too_big(DEFAULT_MAX_BYTES, name=member.filename)
    return content


def _too_big(limit: int, *, name: str = "") -> StatementError:
    if name:
        return _refuse(
            _("“%(name)s” in the ZIP file unpacks to more than %(limit)s; it is refused.")
            % {"name": name, "limit": filesizeformat(limit)}
        )
    return _refuse(
        _("The ZIP file unpacks to more than %(limit)s; upload fewer statements at once.")
        % {"limit": filesizeformat(limit)}
    )
