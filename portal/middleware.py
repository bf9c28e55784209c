"""Refuse oversized request bodies before anything reads them."""

from collections.abc import Callable

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse


class RequestSizeLimitMiddleware:
    """413 for a body larger than REQUEST_MAX_BYTES, judged by Content-Length alone, so a
    large upload is refused before a byte of it is read or stored."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Invalid Content-Length."}, status=400)
        if length > settings.REQUEST_MAX_BYTES:
            return JsonResponse(
                {"detail": f"The request is larger than {settings.REQUEST_MAX_BYTES} bytes."},
                status=413,
            )
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, UploadLimitExceeded):
            return upload_limit_response(request, exception)
        return None


class UploadLimitExceeded(Exception):
    """A single uploaded file passed UPLOAD_MAX_BYTES while the body was being streamed."""

    def __init__(self, field: str, limit: int) -> None:
        super().__init__(field)
        self.field = field
        self.limit = limit


class FileSizeLimitUploadHandler(FileUploadHandler):
    """First upload handler: counts each file's bytes as they stream in and stops the
    upload once one passes UPLOAD_MAX_BYTES, so a huge file inside an allowed request (or
    a body whose length the client did not announce truthfully) is never read in full.
    The field's own, lower limit (max_size_mb) is still checked by the form engine."""

    def new_file(self, field_name: str, *args: object, **kwargs: object) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            raise UploadLimitExceeded(self.field_name, settings.UPLOAD_MAX_BYTES)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers store the file


def upload_limit_response(request: HttpRequest, exc: UploadLimitExceeded) -> HttpResponse:
    megabytes = exc.limit // (1024 * 1024)
    message = f"The file for {exc.field} is larger than {megabytes} MB."
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": message, "errors": {f"data.{exc.field}": ["File too large."]}}, status=413
        )
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
