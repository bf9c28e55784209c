"""Input hygiene at the edge: bytes no field of the portal can hold are refused with a 400
that names where they were, before any view runs a query (docs/api.md, Errors).

- Control characters: NUL and the other C0 characters (U+0000–U+001F) in the path, in a
  parameter's name, or in a value of the query, a form or a JSON body. Tab, line feed and
  carriage return are text (a textarea sends CR LF) and pass in values; in the path and in
  names nothing passes. PostgreSQL cannot store NUL in text at all.
- Integers: a JSON number without fraction or exponent of more than MAX_INTEGER_DIGITS
  digits (Python refuses to read more than 4,300 digits, and no field of the portal counts
  that high), and a value anywhere (query, form, JSON string) that is nothing but more
  than MAX_DIGIT_STRING digits — no field holds that, and code that reads it as a number
  would fail. Form fields bound their own numbers (catalog/forms/types.py) at
  MAX_INTEGER_DIGITS.

Multipart bodies are checked once Django has parsed them: by `InputHygieneMiddleware`'s
`process_view` before the view, or — for a view that chooses its own upload handlers
before the body is read (citizen/uploads.py) — by `reject_bad_form` inside that view."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _

from core.errors import Invalid, PortalError, TooLarge

#: The most digits an integer may have anywhere (a signed 64-bit number has 19).
MAX_INTEGER_DIGITS = 18
#: Control characters that are never text. Tab, LF and CR are allowed in values.
CONTROL_IN_VALUE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CONTROL_ANYWHERE = re.compile(r"[\x00-\x1f]")
#: The longest run of digits a text value may consist of.
MAX_DIGIT_STRING = 64
LONG_DIGITS = re.compile(r"\s*[+-]?\d{" + str(MAX_DIGIT_STRING + 1) + r",}\s*")
JSON_TYPES = ("application/json",)


class _LongInteger(str):
    """A JSON integer literal too long to be read (kept as its text, to be reported)."""


def _parse_int(literal: str) -> int | _LongInteger:
    if len(literal.lstrip("-")) > MAX_INTEGER_DIGITS:
        return _LongInteger(literal)
    return int(literal)


def _control_message(field: str) -> str:
    return _("“%(field)s” contains a control character (such as NUL) that is not allowed.") % {
        "field": field
    }


def _integer_message(field: str, digits: int = MAX_INTEGER_DIGITS) -> str:
    return _("“%(field)s” is a number with too many digits (at most %(digits)d).") % {
        "field": field,
        "digits": digits,
    }


def problems_in_pairs(pairs: Iterable[tuple[str, str]], *, prefix: str = "") -> dict:
    """Field errors of name/value pairs (a query string, a form)."""
    errors: dict[str, list[str]] = {}
    for name, value in pairs:
        label = f"{prefix}{name}"
        if CONTROL_ANYWHERE.search(name) or CONTROL_IN_VALUE.search(value):
            errors.setdefault(_printable(label), [_control_message(_printable(label))])
        elif LONG_DIGITS.fullmatch(value):
            errors.setdefault(label, [_integer_message(label, MAX_DIGIT_STRING)])
    return errors


def problems_in_json(value: Any, path: str = "") -> dict:
    """Field errors of a parsed JSON document, named by their dotted path (`data.anzahl`)."""
    errors: dict[str, list[str]] = {}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, _LongInteger):
            errors.setdefault(where or "body", [_integer_message(where or "body")])
        elif isinstance(node, str):
            if CONTROL_IN_VALUE.search(node):
                errors.setdefault(where or "body", [_control_message(where or "body")])
            elif LONG_DIGITS.fullmatch(node):
                label = where or "body"
                errors.setdefault(label, [_integer_message(label, MAX_DIGIT_STRING)])
        elif isinstance(node, dict):
            for key, item in node.items():
                label = f"{where}.{key}" if where else str(key)
                if CONTROL_ANYWHERE.search(key):
                    errors.setdefault(_printable(label), [_control_message(_printable(label))])
                else:
                    walk(item, label)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, f"{where}.{index}" if where else str(index))

    walk(value, path)
    return errors


def _printable(text: str) -> str:
    return CONTROL_ANYWHERE.sub("\N{REPLACEMENT CHARACTER}", text)


def _content_type(request: HttpRequest) -> str:
    return request.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()


def problems_before_view(request: HttpRequest) -> dict:
    """Path, query and (unless multipart) body of `request`: field errors, empty if clean."""
    if CONTROL_ANYWHERE.search(request.path):
        return {"path": [_control_message(_("path"))]}
    errors = problems_in_pairs(_pairs(request.GET))
    if errors or request.method in ("GET", "HEAD", "OPTIONS"):
        return errors
    kind = _content_type(request)
    if kind in JSON_TYPES or kind.endswith("+json"):
        try:
            document = json.loads(request.body or b"null", parse_int=_parse_int)
        except (ValueError, RecursionError):
            return {}  # not JSON: the view's parser answers that (400)
        return problems_in_json(document)
    if kind == "application/x-www-form-urlencoded":
        # Parsed from the raw body: reading request.POST here would fix the upload handlers.
        return problems_in_pairs(_pairs(QueryDict(request.body, encoding=request.encoding)))
    return {}


def _pairs(data: QueryDict) -> Iterable[tuple[str, str]]:
    for name, values in data.lists():
        for value in values:
            yield name, value


def reject_bad_form(request: HttpRequest) -> HttpResponse | None:
    """The 400 answer for a parsed form (multipart included) with control characters in a
    name or value, or None. Call it once the view's upload handlers are in place."""
    from core.middleware import error_response

    errors = problems_in_pairs(_pairs(request.POST))
    errors.update(problems_in_pairs((name, "") for name in request.FILES))
    for upload in request.FILES.values():
        if CONTROL_ANYWHERE.search(upload.name or ""):
            errors.setdefault("file", [_control_message(_("file name"))])
    if errors:
        return error_response(request, Invalid(errors=errors))
    return None


View = Callable[..., HttpResponse]


class InputHygieneMiddleware:
    """400 for control characters and over-long integers before any view (see above)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from core.middleware import error_response

        try:
            errors = problems_before_view(request)
        except RequestDataTooBig:
            return error_response(request, TooLarge())
        except TooManyFieldsSent:
            return error_response(request, Invalid(_("The form has too many fields.")))
        if errors:
            return error_response(request, Invalid(errors=errors))
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: View, args: object, kwargs: object
    ) -> HttpResponse | None:
        from core.middleware import error_response

        if _content_type(request) != "multipart/form-data":
            return None
        if getattr(view, "sets_upload_handlers", False):
            return None  # it calls reject_bad_form itself, after choosing its handlers
        try:
            return reject_bad_form(request)
        except PortalError as error:  # a file over the limit while the body streamed in
            return error_response(request, error)
