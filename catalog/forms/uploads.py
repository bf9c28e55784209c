"""Uploads of file fields: checked on their bytes (never the name or the client's claim),
against the field's size limit, and by the virus check (core/scanning.py). Nothing is stored
here: every upload path stores only what `validate_files` passed."""

from __future__ import annotations

from dataclasses import dataclass

import filetype
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.forms.fields import Field
from catalog.forms.validation import Errors
from core.errors import FileTooLarge, TooLarge
from core.scanning import UploadInfected, scan_upload


@dataclass(frozen=True)
class CheckedFile:
    field: str
    upload: UploadedFile
    content_type: str


def sniff_content_type(upload: UploadedFile) -> str | None:
    """The type of the file's bytes (never its name or the client's claim)."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind else None


def validate_files(
    fields: list[Field],
    files: dict[str, list[UploadedFile]],
    *,
    require: bool = True,
    municipality_id: int | None = None,
    actor: AbstractBaseUser | None = None,
    stored_bytes: int = 0,
) -> tuple[list[CheckedFile], Errors]:
    """Check uploads against the file fields, then let the virus check scan each file of the
    right type and size. Raises FileTooLarge for an oversized file, TooLarge (413) when the
    case's files (`stored_bytes` already stored, and these) pass CASE_UPLOAD_MAX_BYTES, and
    UploadNotScanned (503) when the virus check gives no verdict; returns (checked files,
    errors) otherwise: more files than a field's `max_files`, a wrong type, an infected file
    (and an audit entry for `municipality_id`) as errors at their field."""
    file_fields = {f.name: f for f in fields if f.kind.is_file}
    errors: Errors = {}
    checked: list[CheckedFile] = []
    for name in files:
        if name not in file_fields:
            errors[name] = [_("Unknown field.")]
    total = stored_bytes + sum(u.size or 0 for name in file_fields for u in files.get(name) or [])
    if total > settings.CASE_UPLOAD_MAX_BYTES:
        limit = settings.CASE_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise TooLarge(
            _("The files of a request may take at most %(size)d MB together.") % {"size": limit},
            errors={"files": [_("At most %(size)d MB of files together.") % {"size": limit}]},
        )
    for name, field in file_fields.items():
        uploads = files.get(name) or []
        if not uploads:
            if field.required and require:
                errors[name] = [_("Please upload a file.")]
            continue
        if len(uploads) > field.max_files:
            errors[name] = [
                ngettext(
                    "Upload at most %(n)d file.", "Upload at most %(n)d files.", field.max_files
                )
                % {"n": field.max_files}
            ]
            continue
        for upload in uploads:
            if upload.size > field.max_bytes:
                raise FileTooLarge(name, field.max_bytes)
            mime = sniff_content_type(upload)
            if mime not in field.accept:
                errors[name] = [
                    _("The file must be one of: %(types)s.")
                    % {"types": ", ".join(t.split("/")[1].upper() for t in field.accept)}
                ]
                break
            try:
                scan_upload(
                    upload,
                    field=name,
                    name=upload.name or "",
                    municipality_id=municipality_id,
                    actor=actor,
                )
            except UploadInfected as infected:
                errors[name] = [str(infected.user_message)]
                break
            checked.append(CheckedFile(field=name, upload=upload, content_type=mime))
    return checked, errors
