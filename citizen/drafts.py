"""Drafts of the citizen's form: the answers so far, in the session, one draft per
municipality and service, so they survive going back and forth.

Uploads are written through Django's default storage under `drafts/<draft id>/` as soon as
their step is posted (checked on the bytes then), and handed to `case_submit` at the end;
the session only holds their path and checked type. Drafts nobody finished are deleted
once no session can still reach them (`drafts_purge_abandoned`, a daily task)."""

from __future__ import annotations

import datetime
import logging
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from catalog.forms.fields import Field
from catalog.forms.uploads import validate_files
from citizen.flow import Flow
from citizen.uploads import too_large_message
from core.errors import FileTooLarge
from core.scanning import UploadInfected, UploadNotScanned
from core.uploads import register_area

DRAFTS = register_area("drafts", "Uploads of form drafts not yet sent")
logger = logging.getLogger(__name__)

Draft = dict[str, Any]


def _key(flow: Flow) -> str:
    return f"draft:{flow.offer.municipality.slug}:{flow.offer.service.key}"


def draft_of(request: HttpRequest, flow: Flow) -> Draft:
    draft = request.session.get(_key(flow))
    if not isinstance(draft, dict):
        # A random id (not the session key, which Django rotates at login) names the folder.
        draft = {
            "id": secrets.token_hex(12),
            "values": {},
            "files": {},
            "applicant": {},
            "errors": {},
        }
    return draft


def draft_save(request: HttpRequest, flow: Flow, draft: Draft) -> None:
    request.session[_key(flow)] = draft
    request.session.modified = True


def draft_discard(request: HttpRequest, flow: Flow, draft: Draft) -> None:
    for meta in draft.get("files", {}).values():
        default_storage.delete(meta["path"])
    request.session.pop(_key(flow), None)


def _safe_name(name: str) -> str:
    """A file name fit for the storage path (the original is kept for display)."""
    try:
        return get_valid_filename(name)[-100:]
    except SuspiciousFileOperation:  # "..", "." or nothing usable left
        return "upload"


def store_uploads(
    request: HttpRequest, draft: Draft, fields: list[Field], *, municipality_id: int | None = None
) -> dict[str, list[str]]:
    """Check the files posted with this step (type, size, virus check) and keep the good
    ones in the draft. A file the virus check refused or could not check is not stored;
    its field says why."""
    errors: dict[str, list[str]] = {}
    for f in fields:
        if not f.kind.is_file:
            continue
        uploads = request.FILES.getlist(f.name)[:1]
        if f.name in getattr(request, "oversized_uploads", ()):
            errors[f.name] = [too_large_message(settings.UPLOAD_MAX_BYTES)]
        elif uploads:
            try:
                checked, file_errors = validate_files(
                    [f], {f.name: uploads}, require=False, municipality_id=municipality_id
                )
            except FileTooLarge as exc:
                errors[f.name] = [too_large_message(exc.limit)]
                continue
            except UploadNotScanned as exc:
                errors[f.name] = [exc.detail]
                continue
            if file_errors:
                errors[f.name] = file_errors[f.name]
                continue
            upload = checked[0].upload
            name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][-200:] or "upload"
            path = default_storage.save(
                DRAFTS.path(draft["id"], f"{f.name}-{_safe_name(name)}"), upload
            )
            previous = draft["files"].get(f.name)
            if previous:
                default_storage.delete(previous["path"])
            draft["files"][f.name] = {
                "path": path,
                "name": name,
                "content_type": checked[0].content_type,
                "size": upload.size,
            }
        elif f.required and f.name not in draft["files"]:
            errors[f.name] = [_("Please upload a file.")]
    return errors


def draft_files(draft: Draft, known: set[str]) -> dict[str, list[UploadedFile]]:
    """The stored uploads, reopened as uploads for case_submit (which checks them again).
    FileNotFoundError when one is gone (cleaned up, or another node's disk)."""
    files: dict[str, list[UploadedFile]] = {}
    for name, meta in draft["files"].items():
        if name not in known:
            continue
        with default_storage.open(meta["path"], "rb") as stored:
            files[name] = [
                SimpleUploadedFile(meta["name"], stored.read(), content_type=meta["content_type"])
            ]
    return files


def draft_drop_refused_files(draft: Draft, errors: dict[str, list[str]]) -> None:
    """Delete the stored uploads the virus check refused when the whole request was checked
    at the end (a signature learnt since the step): never kept, the step asks again."""
    refused = str(UploadInfected.user_message)
    for name, messages in errors.items():
        if refused in messages and name in draft["files"]:
            default_storage.delete(draft["files"].pop(name)["path"])


def draft_forget_missing_files(draft: Draft) -> None:
    for name in list(draft["files"]):
        if not default_storage.exists(draft["files"][name]["path"]):
            del draft["files"][name]


def drafts_purge_abandoned(*, now: datetime.datetime | None = None) -> int:
    """Delete uploads of form drafts nobody finished once they are older than a session can
    live: they hold personal documents that no case will ever own. Returns how many draft
    folders went."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    try:
        folders, _files = default_storage.listdir(DRAFTS.folder)
    except FileNotFoundError:
        return 0
    removed = 0
    for folder in folders:
        _dirs, names = default_storage.listdir(DRAFTS.path(folder))
        paths = [DRAFTS.path(folder, name) for name in names]
        if all(default_storage.get_modified_time(path) < cutoff for path in paths):
            for path in paths:
                default_storage.delete(path)
            removed += 1
    if removed:
        logger.info("retention purge: %s abandoned draft folder(s)", removed)
    return removed
