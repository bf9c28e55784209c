"""The portal's errors: one hierarchy, turned into HTTP in exactly two places.

Domain code raises these (never builds a response itself):

| error | status | when |
| --- | --- | --- |
| `Invalid` | 400 | input that breaks a rule; `errors` names each field |
| `SignInRequired` | 401 | a citizen must sign in (BundID) at a trust level first |
| `Forbidden` | 403 | a signed-in user whose role does not allow the page |
| `NotFound` | 404 | missing, or not visible to the caller (tenancy answers 404, not 403) |
| `Conflict` | 409 | the request contradicts the object's state |
| `TooLarge` (`FileTooLarge`) | 413 | a body or file over its limit |
| `Throttled` | 429 | a rate limit; `retry_after` seconds go into `Retry-After` |
| `Unavailable` | 503 | a service the request needs does not answer (e.g. the virus check); try again later |

The API turns them into `{"detail": …, "errors": {field: [...]}}` (core/api.py
`exception_handler`); pages into `templates/errors/<status>.html` (core/middleware.py
`ErrorPageMiddleware`). `NotFound` is also a Django `Http404`, so Django's own 404 handling
and `get_object_or_404` meet the same class."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

FieldErrors = dict[str, list[str]]


class PortalError(Exception):
    """Base of every error the portal answers deliberately (never with a 500)."""

    status: ClassVar[int] = 400
    default_detail: ClassVar[Any] = _("The request cannot be processed.")

    def __init__(
        self,
        detail: Any = None,
        *,
        errors: Mapping[str, Iterable[Any]] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.detail = str(detail if detail is not None else self.default_detail)
        self.errors: FieldErrors = {
            str(name): [str(message) for message in messages]
            for name, messages in (errors or {}).items()
        }
        # Further keys of the API answer (e.g. a case's current status with a 409).
        self.extra: dict[str, Any] = dict(extra or {})
        super().__init__(self.detail)

    # Kept for code that read `.message` of the exceptions this hierarchy replaced.
    @property
    def message(self) -> str:
        return self.detail

    def as_dict(self) -> dict[str, Any]:
        return {"detail": self.detail, "errors": self.errors, **self.extra}

    def headers(self) -> dict[str, str]:
        return {}


class Invalid(PortalError):
    status = 400
    default_detail = _("The input is not valid.")

    @classmethod
    def from_validation_error(cls, error: ValidationError, *, field: str = "") -> Invalid:
        """Django's ValidationError (model and form validators) as field errors; messages
        without a field go under `field`, else `non_field_errors`."""
        if hasattr(error, "error_dict"):
            return cls(errors=error.message_dict)
        return cls(errors={field or "non_field_errors": error.messages})

    @property
    def messages(self) -> list[str]:
        """Every message, for a page that shows them in one place (like Django's
        ValidationError.messages)."""
        return [message for messages in self.errors.values() for message in messages] or [
            self.detail
        ]


class SignInRequired(PortalError):
    """The request needs a citizen identified at a trust level this session does not have
    (docs/identity.md). `extra` says which level and where to sign in."""

    status = 401
    default_detail = _("Sign in with BundID to use this service.")

    def headers(self) -> dict[str, str]:
        # RFC 9110 15.5.2: a 401 names how to authenticate; here a browser sign-in (SAML).
        return {"WWW-Authenticate": 'SAML realm="BundID"'}


class Forbidden(PortalError):
    status = 403
    default_detail = _("You are not allowed to do this.")


class NotFound(PortalError, Http404):
    """Every 404 reads the same, whatever was missing or hidden, so that answers cannot be
    told apart to probe references; `reason` keeps the why for logs and tests."""

    status = 404
    default_detail = _("Not found.")

    def __init__(self, reason: str = "", **kwargs: Any) -> None:
        self.reason = reason
        super().__init__(None, **kwargs)


class Conflict(PortalError):
    status = 409
    default_detail = _("The request conflicts with the current state.")


class TooLarge(PortalError):
    status = 413
    default_detail = _("The request is too large.")

    def __init__(self, detail: Any = None, *, field: str = "", limit: int = 0, **kwargs: Any):
        self.field = field
        self.limit = limit
        if field and "errors" not in kwargs:
            kwargs["errors"] = {field: [_("File too large.")]}
        super().__init__(detail, **kwargs)


class FileTooLarge(TooLarge):
    """One uploaded file passed its limit (the field's own, or UPLOAD_MAX_BYTES while the
    body was streaming in)."""

    def __init__(self, field: str, limit: int) -> None:
        super().__init__(
            _("The file for %(field)s is larger than %(size)d MB.")
            % {"field": field, "size": limit // (1024 * 1024)},
            field=field,
            limit=limit,
            errors={f"data.{field}": [_("File too large.")]},
        )


class Throttled(PortalError):
    status = 429
    default_detail = _("Too many requests. Please wait a moment and try again.")

    def __init__(self, detail: Any = None, *, retry_after: int = 60, **kwargs: Any) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(detail, **kwargs)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class Unavailable(PortalError):
    """A service the request needs (e.g. the upload scanner) gives no answer: nothing was
    changed, the client may try again after `retry_after` seconds."""

    status = 503
    default_detail = _("The service is not available at the moment. Please try again later.")

    def __init__(self, detail: Any = None, *, retry_after: int = 60, **kwargs: Any) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(detail, **kwargs)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
