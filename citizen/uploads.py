"""Uploads on the citizen's pages that are too large: dropped as they stream in and
reported at their field, instead of a bare 413."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from core.hygiene import reject_bad_form
from core.middleware import FileSizeLimitUploadHandler


class OversizedUploadSkipper(FileUploadHandler):
    """The pages' variant of core.middleware.FileSizeLimitUploadHandler: a file passing
    UPLOAD_MAX_BYTES is dropped as it streams in (never read in full or stored) and noted,
    so the page can say so at the field instead of answering a bare 413."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.too_large: set[str] = set()
        self.received = 0

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            self.too_large.add(self.field_name)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers store the file


def with_upload_field_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Swap in OversizedUploadSkipper before anything reads the body. The CSRF check reads
    the body too, so it moves inside, after the swap (Django's documented pattern for
    changing upload handlers per view)."""
    protected = csrf_protect(view)

    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        skipper = OversizedUploadSkipper(request)
        request.upload_handlers = [skipper] + [
            h for h in request.upload_handlers if not isinstance(h, FileSizeLimitUploadHandler)
        ]
        request.oversized_uploads = skipper.too_large  # type: ignore[attr-defined]
        refused = reject_bad_form(request)  # control characters (core/hygiene.py)
        if refused is not None:
            return refused
        return protected(request, *args, **kwargs)

    wrapped.sets_upload_handlers = True  # type: ignore[attr-defined]  (core/hygiene.py)
    return wrapped


def too_large_message(limit: int) -> str:
    return _("The file is too large: at most %(size)d MB.") % {"size": limit // (1024 * 1024)}
