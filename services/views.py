"""Citizen pages (API.md, Pages): a municipality's services, the multi-step form with a
check-your-answers page, the confirmation, and the tracking page.

Thin on purpose: the form engine (services/forms.py) validates every answer exactly as the
API does, services.services writes, selectors read. Everything works without JavaScript.

Draft answers live in the session, one draft per municipality and service, so they survive
going back and forth. Uploads are written through Django's default storage under
`drafts/<draft id>/` as soon as their step is posted (checked on the bytes then), and handed
to `case_submit` at the end; the session only holds their path and checked type."""

import datetime
import functools
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from core.middleware import FileSizeLimitUploadHandler
from core.throttling import throttle
from municipalities.selectors import municipality_by_slug
from services.documents import display_value
from services.forms import (
    Field,
    UploadTooLarge,
    fields_of,
    steps_of,
    validate_files,
    validate_values,
)
from services.models import Case, CaseEvent, translated
from services.selectors import Offer, case_for_token, events_for, offer_for, offers_for
from services.services import (
    ActionNotPermitted,
    SubmissionInvalid,
    Submitted,
    case_apply_action,
    case_submit,
    fee_for,
    validate_applicant,
)
from services.workflow import Actor, TransitionNotAllowed, UnknownAction, allowed_actions

# Dates are typed as people write them (15.03.1990 or 15/03/1990); the engine stores ISO.
# A plain text box, not <input type=date>: its format follows the browser's language, not
# the page's, and typing into it by keyboard differs from browser to browser.
LOCAL_DATE = re.compile(r"\s*(\d{1,2})[./](\d{1,2})[./](\d{4})\s*")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# How long one draft's submission may hold its lock (a double click waits for it).
SUBMIT_LOCK_SECONDS = 60
SUBMITTED_SESSION_KEY = "submitted_cases"  # {reference: access token} of this browser's cases

# Autocomplete tokens (WCAG 1.3.5) for the field names the district's forms use.
AUTOCOMPLETE = {
    "familienname": "family-name",
    "nachname": "family-name",
    "vornamen": "given-name",
    "vorname": "given-name",
    "geburtsdatum": "bday",
    "plz": "postal-code",
    "postleitzahl": "postal-code",
    "telefon": "tel",
    "email": "email",
    "iban": "off",
}


# --- uploads that are too large ----------------------------------------------------------


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
        return protected(request, *args, **kwargs)

    return wrapped


def _too_large_message(limit: int) -> str:
    return _("The file is too large: at most %(size)d MB.") % {"size": limit // (1024 * 1024)}


# --- municipality: the list of services --------------------------------------------------


def _matches(offer: Offer, query: str) -> bool:
    service = offer.service
    haystack = []
    for value in (service.name, service.description):
        haystack.extend(value.values() if isinstance(value, dict) else [value or ""])
    return query.casefold() in " ".join(haystack).casefold()


def municipality(request: HttpRequest, slug: str) -> HttpResponse:
    town = municipality_by_slug(slug)
    offers = offers_for(town)
    query = request.GET.get("q", "").strip()[:100]
    shown = [o for o in offers if _matches(o, query)] if query else offers
    return render(
        request,
        "services/municipality.html",
        {"municipality": town, "offers": shown, "query": query},
    )


# --- the form: steps, contact details, check, done ---------------------------------------


@dataclass
class Widget:
    """One field as the page shows it: its answer so far, its errors, and the ids that tie
    the label, hint and error message to the control."""

    field: Field
    value: Any = None
    errors: list[str] = dataclass_field(default_factory=list)
    uploaded: dict[str, Any] | None = None
    autocomplete: str = ""

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def id(self) -> str:
        return f"field-{self.field.name}"

    @property
    def template(self) -> str:
        kind = self.field.type
        if kind in ("text", "email", "phone", "iban", "integer", "decimal", "date"):
            return "services/fields/input.html"
        if kind == "choice" and len(self.field.choices) > 7:
            return "services/fields/select.html"
        return f"services/fields/{kind}.html"

    @property
    def input_type(self) -> str:
        return {"email": "email", "phone": "tel"}.get(self.field.type, "text")

    @property
    def inputmode(self) -> str:
        return {"integer": "numeric", "decimal": "decimal"}.get(self.field.type, "")

    @property
    def text(self) -> str:
        """The value for a text box."""
        if self.value is None or isinstance(self.value, bool | list):
            return ""
        if self.field.type == "date" and ISO_DATE.fullmatch(str(self.value)):
            year, month, day = str(self.value).split("-")
            return f"{day}.{month}.{year}"
        return str(self.value)

    @property
    def checked(self) -> bool:
        return self.value is True or self.value == "on"

    @property
    def selected(self) -> list[str]:
        if isinstance(self.value, list):
            return [str(v) for v in self.value]
        return [str(self.value)] if self.value not in (None, "") else []

    @property
    def options(self) -> list[dict[str, Any]]:
        chosen = self.selected
        return [
            {
                "value": value,
                "label": label,
                "id": self.id if i == 0 else f"{self.id}-{i}",
                "on": value in chosen,
            }
            for i, (value, label) in enumerate(self.field.choices)
        ]

    @property
    def accept(self) -> str:
        return ",".join(self.field.accept)

    @property
    def accept_names(self) -> str:
        return ", ".join(t.split("/")[1].upper() for t in self.field.accept)

    @property
    def max_megabytes(self) -> int:
        return self.field.max_bytes // (1024 * 1024)

    @property
    def describedby(self) -> str:
        ids = []
        if self.field.help or self.field.type in ("file", "date"):
            ids.append(f"{self.id}-hint")
        if self.uploaded:
            ids.append(f"{self.id}-uploaded")
        if self.errors:
            ids.append(f"{self.id}-error")
        return " ".join(ids)


@dataclass
class Flow:
    """Where the citizen is in one service's form."""

    offer: Offer
    steps: list[dict[str, Any]] = dataclass_field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.steps) + 1  # the last step asks for the applicant's contact details

    def step_url(self, number: int, *, back_to_check: bool = False) -> str:
        args = [self.offer.municipality.slug, self.offer.service.key]
        url = (
            reverse("service-form", args=args)
            if number == 1
            else reverse("service-step", args=[*args, number])
        )
        return f"{url}?return=check" if back_to_check else url

    @property
    def check_url(self) -> str:
        return reverse("service-check", args=[self.offer.municipality.slug, self.offer.service.key])

    @property
    def list_url(self) -> str:
        return reverse("municipality", args=[self.offer.municipality.slug])

    def fields(self, number: int) -> list[Field]:
        return fields_of({"steps": self.steps}, number - 1)

    def step_of_field(self, name: str) -> int:
        if name.startswith("applicant"):
            return self.total
        for number in range(1, len(self.steps) + 1):
            if any(f.name == name for f in self.fields(number)):
                return number
        return 1


def _flow(slug: str, service_key: str) -> Flow:
    offer = offer_for(municipality_by_slug(slug), service_key)
    return Flow(offer=offer, steps=steps_of(offer.service.form))


def _contact_fields() -> list[Field]:
    return [
        Field(
            {"name": "applicant_name", "type": "text", "label": _("Full name"), "required": True}
        ),
        Field(
            {
                "name": "applicant_email",
                "type": "email",
                "label": _("E-mail address"),
                "required": True,
                "help": _(
                    "We send the confirmation and the link to follow your request to this address."
                ),
            }
        ),
    ]


# Drafts in the session ------------------------------------------------------------------


def _draft_key(flow: Flow) -> str:
    return f"draft:{flow.offer.municipality.slug}:{flow.offer.service.key}"


def _draft(request: HttpRequest, flow: Flow) -> dict[str, Any]:
    draft = request.session.get(_draft_key(flow))
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


def _save_draft(request: HttpRequest, flow: Flow, draft: dict[str, Any]) -> None:
    request.session[_draft_key(flow)] = draft
    request.session.modified = True


def _discard_draft(request: HttpRequest, flow: Flow, draft: dict[str, Any]) -> None:
    for meta in draft.get("files", {}).values():
        default_storage.delete(meta["path"])
    request.session.pop(_draft_key(flow), None)


def _posted_values(fields: list[Field], post: QueryDict) -> dict[str, Any]:
    """The browser's form data as the engine takes it: several values for a multichoice, a
    ticked checkbox as "on" and an unticked one as False, an empty box as no answer."""
    values: dict[str, Any] = {}
    for f in fields:
        if f.type == "file":
            continue
        if f.type == "multichoice":
            chosen = [v for v in post.getlist(f.name) if v]
            if chosen:
                values[f.name] = chosen
        elif f.type == "boolean":
            values[f.name] = "on" if post.get(f.name) == "on" else False
        elif post.get(f.name, "").strip():
            values[f.name] = post[f.name]
            local = LOCAL_DATE.fullmatch(post[f.name]) if f.type == "date" else None
            if local:
                day, month, year = local.groups()
                values[f.name] = f"{year}-{int(month):02d}-{int(day):02d}"
    return values


def _page_errors(
    fields: list[Field], posted: dict[str, Any], errors: dict[str, list[str]]
) -> dict[str, list[str]]:
    """The engine's messages; a date it could not read is explained in the page's format."""
    for f in fields:
        if f.type == "date" and f.name in errors and posted.get(f.name):
            errors[f.name] = [_("Enter a real date in the format DD.MM.YYYY, like 15.03.1990.")]
    return errors


def _store_uploads(
    request: HttpRequest, draft: dict[str, Any], fields: list[Field]
) -> dict[str, list[str]]:
    """Check the files posted with this step and keep the good ones in the draft."""
    errors: dict[str, list[str]] = {}
    for f in fields:
        if f.type != "file":
            continue
        uploads = request.FILES.getlist(f.name)[:1]
        if f.name in getattr(request, "oversized_uploads", ()):
            errors[f.name] = [_too_large_message(settings.UPLOAD_MAX_BYTES)]
        elif uploads:
            try:
                checked, file_errors = validate_files([f], {f.name: uploads}, require=False)
            except UploadTooLarge as exc:
                errors[f.name] = [_too_large_message(exc.limit)]
                continue
            if file_errors:
                errors[f.name] = file_errors[f.name]
                continue
            upload = checked[0].upload
            name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][-200:] or "upload"
            path = default_storage.save(f"drafts/{draft['id']}/{f.name}-{_safe_name(name)}", upload)
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


def _safe_name(name: str) -> str:
    """A file name fit for the storage path (the original is kept for display)."""
    try:
        return get_valid_filename(name)[-100:]
    except SuspiciousFileOperation:  # "..", "." or nothing usable left
        return "upload"


def _incomplete_step(flow: Flow, draft: dict[str, Any]) -> int | None:
    """The first step whose answers are missing or no longer valid, else None."""
    for number in range(1, len(flow.steps) + 1):
        fields = flow.fields(number)
        _cleaned, errors = validate_values(fields, draft["values"], refuse_unknown=False)
        missing_file = any(
            f.type == "file" and f.required and f.name not in draft["files"] for f in fields
        )
        if errors or missing_file:
            return number
    _cleaned, errors = validate_applicant(draft.get("applicant") or {})
    return flow.total if errors else None


def _error_summary(widgets: list[Widget]) -> list[dict[str, str]]:
    return [
        {"href": f"#{w.id}", "label": w.field.label, "message": message}
        for w in widgets
        for message in w.errors
    ]


def _next_url(request: HttpRequest, flow: Flow, number: int) -> str:
    if request.POST.get("return") == "check" or number >= flow.total:
        return flow.check_url
    return flow.step_url(number + 1)


@never_cache
@require_http_methods(["GET", "POST"])
@with_upload_field_errors
def service_form(request: HttpRequest, slug: str, service_key: str, step: int = 1) -> HttpResponse:
    flow = _flow(slug, service_key)
    if not 1 <= step <= flow.total:
        raise Http404("no such step")
    draft = _draft(request, flow)
    if step == flow.total:
        return _contact_step(request, flow, draft)

    fields = flow.fields(step)
    values: dict[str, Any] = dict(draft["values"])
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        posted = _posted_values(fields, request.POST)
        cleaned, errors = validate_values(fields, posted, refuse_unknown=False)
        errors = _page_errors(fields, posted, errors)
        errors.update(_store_uploads(request, draft, fields))
        if not errors:
            for f in fields:
                draft["values"].pop(f.name, None)
            draft["values"].update(cleaned)
            draft["errors"] = {}
            _save_draft(request, flow, draft)
            return redirect(_next_url(request, flow, step))
        _save_draft(request, flow, draft)  # keeps any file that was fine
        values.update({f.name: posted.get(f.name) for f in fields})
    else:
        # Errors a failed submission left for this step (see service_check).
        errors = {k: v for k, v in draft.get("errors", {}).items() if k in {f.name for f in fields}}

    widgets = [
        Widget(
            field=f,
            value=values.get(f.name),
            errors=errors.get(f.name, []),
            uploaded=draft["files"].get(f.name),
            autocomplete="email" if f.type == "email" else AUTOCOMPLETE.get(f.name, ""),
        )
        for f in fields
    ]
    return _render_step(request, flow, step, translated(flow.steps[step - 1].get("title")), widgets)


def _render_step(
    request: HttpRequest, flow: Flow, step: int, title: str, widgets: list[Widget]
) -> HttpResponse:
    back_to_check = request.GET.get("return") == "check" or request.POST.get("return") == "check"
    if back_to_check:
        back_url = flow.check_url
    else:
        back_url = flow.list_url if step == 1 else flow.step_url(step - 1)
    return render(
        request,
        "services/step.html",
        {
            "flow": flow,
            "offer": flow.offer,
            "step": step,
            "total": flow.total,
            "title": title,
            "widgets": widgets,
            "errors": _error_summary(widgets),
            "multipart": any(w.field.type == "file" for w in widgets),
            "back_url": back_url,
            "back_to_check": back_to_check,
            "action": flow.step_url(step),
        },
    )


def _contact_step(request: HttpRequest, flow: Flow, draft: dict[str, Any]) -> HttpResponse:
    fields = _contact_fields()
    applicant = draft.get("applicant") or {}
    values = {"applicant_name": applicant.get("name"), "applicant_email": applicant.get("email")}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        posted = {
            "name": request.POST.get("applicant_name", ""),
            "email": request.POST.get("applicant_email", ""),
        }
        cleaned, applicant_errors = validate_applicant(posted)
        errors = {k.replace(".", "_"): v for k, v in applicant_errors.items()}
        if not errors:
            draft["applicant"] = cleaned
            _save_draft(request, flow, draft)
            return redirect(flow.check_url)
        values = {"applicant_name": posted["name"], "applicant_email": posted["email"]}
    else:
        errors = {k: v for k, v in draft.get("errors", {}).items() if k.startswith("applicant_")}
    widgets = [
        Widget(
            field=f,
            value=values.get(f.name),
            errors=errors.get(f.name, []),
            autocomplete="name" if f.name == "applicant_name" else "email",
        )
        for f in fields
    ]
    return _render_step(request, flow, flow.total, _("Your contact details"), widgets)


def _display(f: Field, draft: dict[str, Any]) -> str:
    if f.type == "file":
        meta = draft["files"].get(f.name)
        return meta["name"] if meta else ""
    value = draft["values"].get(f.name)
    if f.type == "date" and value:
        return date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    return display_value(f.type, value, f.choices)


@never_cache
@require_http_methods(["GET", "POST"])
@throttle("submissions", methods=["POST"])
def service_check(request: HttpRequest, slug: str, service_key: str) -> HttpResponse:
    flow = _flow(slug, service_key)
    draft = _draft(request, flow)
    incomplete = _incomplete_step(flow, draft)
    if incomplete is not None:
        return redirect(flow.step_url(incomplete))
    if request.method == "POST":
        return _submit(request, flow, draft)

    sections = [
        {
            "title": translated(step.get("title")),
            "change_url": flow.step_url(number, back_to_check=True),
            "rows": [{"label": f.label, "value": _display(f, draft)} for f in flow.fields(number)],
        }
        for number, step in enumerate(flow.steps, start=1)
    ]
    sections.append(
        {
            "title": _("Your contact details"),
            "change_url": flow.step_url(flow.total, back_to_check=True),
            "rows": [
                {"label": _("Full name"), "value": draft["applicant"]["name"]},
                {"label": _("E-mail address"), "value": draft["applicant"]["email"]},
            ],
        }
    )
    return render(
        request,
        "services/check.html",
        {
            "flow": flow,
            "offer": flow.offer,
            "sections": sections,
            "back_url": flow.step_url(flow.total),
            "fee_cents": fee_for(flow.offer, draft["values"]),
        },
    )


def _draft_files(draft: dict[str, Any], known: set[str]) -> dict[str, list[UploadedFile]]:
    """The stored uploads, reopened as uploads for case_submit (which checks them again)."""
    files: dict[str, list[UploadedFile]] = {}
    for name, meta in draft["files"].items():
        if name not in known:
            continue
        with default_storage.open(meta["path"], "rb") as stored:
            files[name] = [
                SimpleUploadedFile(meta["name"], stored.read(), content_type=meta["content_type"])
            ]
    return files


def _submit(request: HttpRequest, flow: Flow, draft: dict[str, Any]) -> HttpResponse:
    """Send the draft once. A double click sends two POSTs with the same draft: the first
    takes a lock named after the draft and files the case; the second waits for its result
    and shows the same confirmation instead of filing the request a second time."""
    result_key = f"citizen-submission:{draft['id']}"
    lock_key = f"{result_key}:lock"
    earlier = cache.get(result_key)
    if earlier is None and not cache.add(lock_key, 1, timeout=SUBMIT_LOCK_SECONDS):
        earlier = _wait_for_submission(result_key, lock_key)
        if earlier is None:
            return redirect(flow.check_url)
    if earlier is not None:
        return _submitted(request, flow, draft, earlier["reference"], earlier["token"])
    try:
        response, submitted = _file_case(request, flow, draft)
        if submitted is not None:
            cache.set(
                result_key,
                {"reference": submitted.case.reference, "token": submitted.access_token},
                timeout=SUBMIT_LOCK_SECONDS * 10,
            )
    finally:
        cache.delete(lock_key)
    return response


def _wait_for_submission(result_key: str, lock_key: str) -> dict[str, str] | None:
    deadline = time.monotonic() + SUBMIT_LOCK_SECONDS / 2
    while time.monotonic() < deadline:
        time.sleep(0.2)
        result = cache.get(result_key)
        if result is not None or cache.get(lock_key) is None:
            return result
    return None


def _submitted(
    request: HttpRequest, flow: Flow, draft: dict[str, Any], reference: str, token: str
) -> HttpResponse:
    """Forget the draft, remember the case for this browser, show the confirmation."""
    _discard_draft(request, flow, draft)
    mine = dict(request.session.get(SUBMITTED_SESSION_KEY) or {})
    mine[reference] = token
    request.session[SUBMITTED_SESSION_KEY] = mine
    return redirect(
        "service-done",
        slug=flow.offer.municipality.slug,
        service_key=flow.offer.service.key,
        reference=reference,
    )


def _file_case(
    request: HttpRequest, flow: Flow, draft: dict[str, Any]
) -> tuple[HttpResponse, Submitted | None]:
    all_fields = fields_of(flow.offer.service.form)
    known = {f.name for f in all_fields}
    try:
        files = _draft_files(draft, {f.name for f in all_fields if f.type == "file"})
    except FileNotFoundError:
        # The stored upload is gone (cleaned up, or another node's disk): ask for it again.
        for name in list(draft["files"]):
            if not default_storage.exists(draft["files"][name]["path"]):
                del draft["files"][name]
        _save_draft(request, flow, draft)
        return redirect(flow.step_url(_incomplete_step(flow, draft) or 1)), None
    try:
        submitted = case_submit(
            municipality=flow.offer.municipality,
            service_key=flow.offer.service.key,
            applicant=draft["applicant"],
            data={k: v for k, v in draft["values"].items() if k in known},
            files=files,
            language=request.LANGUAGE_CODE,
        )
    except (SubmissionInvalid, UploadTooLarge) as exc:
        if isinstance(exc, UploadTooLarge):
            errors = {exc.field: [_too_large_message(exc.limit)]}
        else:
            errors = {
                key.split(".", 1)[-1]
                if key.startswith("data.")
                else key.replace(".", "_"): messages_
                for key, messages_ in exc.errors.items()
            }
        draft["errors"] = errors
        _save_draft(request, flow, draft)
        messages.error(
            request, _("Some answers need your attention before the request can be sent.")
        )
        return redirect(flow.step_url(min(flow.step_of_field(name) for name in errors))), None
    response = _submitted(request, flow, draft, submitted.case.reference, submitted.access_token)
    return response, submitted


@never_cache
def service_done(request: HttpRequest, slug: str, service_key: str, reference: str) -> HttpResponse:
    """The confirmation, for the browser session that submitted the request only."""
    token = (request.session.get(SUBMITTED_SESSION_KEY) or {}).get(reference)
    if not token:
        raise Http404("not your submission")
    case = case_for_token(reference, token)
    if case.municipality.slug != slug or case.service.key != service_key:
        raise Http404("not this service")
    return render(
        request,
        "services/done.html",
        {"case": case, "tracking_url": _tracking_url(case.reference, token), "access_token": token},
    )


# --- tracking -----------------------------------------------------------------------------


def _tracking_url(reference: str, token: str) -> str:
    return f"{reverse('track', args=[reference])}?{urlencode({'access_token': token})}"


EVENT_LABELS = {
    "submitted": gettext_lazy("Request submitted"),
    "withdraw": gettext_lazy("You withdrew the request"),
    "respond": gettext_lazy("You answered"),
    "request_info": gettext_lazy("The authority asked you for more information"),
    "approve": gettext_lazy("Request approved"),
    "reject": gettext_lazy("Request rejected"),
    "payment_received": gettext_lazy("Payment received"),
    "payment": gettext_lazy("Payment"),
}


def _event_text(event: CaseEvent) -> str:
    if event.type in EVENT_LABELS:
        return str(EVENT_LABELS[event.type])
    if event.to_status:
        return _("Status: %(status)s") % {"status": Case.Status(event.to_status).label}
    return event.type


STATUS_EXPLANATIONS = {
    Case.Status.SUBMITTED: gettext_lazy("Your request has arrived and is being registered."),
    Case.Status.AWAITING_PAYMENT: gettext_lazy(
        "Your request will be reviewed once the fee has been paid."
    ),
    Case.Status.IN_REVIEW: gettext_lazy("The authority is reviewing your request."),
    Case.Status.AWAITING_APPLICANT: gettext_lazy(
        "The authority needs more information from you. Please answer below."
    ),
    Case.Status.APPROVED: gettext_lazy("Your request has been approved."),
    Case.Status.REJECTED: gettext_lazy(
        "Your request has been rejected. The reason is shown in the history."
    ),
    Case.Status.WITHDRAWN: gettext_lazy("You have withdrawn this request."),
}


@never_cache
@require_http_methods(["GET", "POST"])
@throttle("tracking")
@with_upload_field_errors
def track(request: HttpRequest, reference: str) -> HttpResponse:
    """The citizen's status page. The access token comes in the query string on GET and as
    a hidden field on POST, nowhere else; a wrong one is a 404 like an unknown reference."""
    source = request.POST if request.method == "POST" else request.GET
    token = source.get("access_token", "")
    case = case_for_token(reference, token)
    actions = allowed_actions(case.status, Actor.APPLICANT)
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        posted = {"comment": request.POST.get("comment", ""), "action": action}
        if action not in actions:
            messages.error(request, _("This is no longer possible for your request."))
            return redirect(_tracking_url(case.reference, token))
        errors = _apply_citizen_action(request, case, action)
        if errors is None:
            messages.error(request, _("This is no longer possible for your request."))
            return redirect(_tracking_url(case.reference, token))
        if not errors:
            done = (
                _("Your request has been withdrawn.")
                if action == "withdraw"
                else _("Your answer has been sent.")
            )
            messages.success(request, done)
            return redirect(_tracking_url(case.reference, token))
    summary_labels = {
        "confirm": _("Confirmation"),
        "comment": _("Your answer"),
        "files": _("Documents"),
    }
    return render(
        request,
        "services/track.html",
        {
            "case": case,
            "access_token": token,
            "status_label": Case.Status(case.status).label,
            "status_explanation": STATUS_EXPLANATIONS.get(case.status, ""),
            "events": [
                {"event": e, "text": _event_text(e)} for e in events_for(case, public_only=True)
            ],
            "attachments": case.attachments.filter(public=True).order_by("uploaded_at", "id"),
            "can_withdraw": "withdraw" in actions,
            "can_respond": "respond" in actions,
            "errors": errors,
            "error_summary": [
                {
                    "href": f"#field-{name}",
                    "label": summary_labels.get(name, name),
                    "message": message,
                }
                for name, messages_ in errors.items()
                for message in messages_
            ],
            "posted": posted,
            "max_megabytes": 10,
        },
    )


def _apply_citizen_action(
    request: HttpRequest, case: Case, action: str
) -> dict[str, list[str]] | None:
    """Field errors ({} when done), or None when the case moved on meanwhile."""
    if action == "withdraw" and request.POST.get("confirm") != "on":
        return {"confirm": [_("Tick the box to confirm that you want to withdraw the request.")]}
    files = request.FILES.getlist("files") if action == "respond" else []
    if "files" in getattr(request, "oversized_uploads", ()):
        return {"files": [_too_large_message(settings.UPLOAD_MAX_BYTES)]}
    try:
        case_apply_action(
            case=case,
            action=action,
            actor_kind=Actor.APPLICANT,
            comment=request.POST.get("comment", "") if action == "respond" else "",
            files={"files": files} if files else None,
        )
    except UploadTooLarge as exc:
        return {"files": [_too_large_message(exc.limit)]}
    except ValidationError as exc:
        return {
            key.removeprefix("files."): list(messages_)
            for key, messages_ in exc.message_dict.items()
        }
    except (TransitionNotAllowed, UnknownAction, ActionNotPermitted):
        return None
    return {}


@never_cache
@throttle("tracking")
def track_download(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    """A public attachment of the case (upload, receipt, decision) as a download."""
    case = case_for_token(reference, request.GET.get("access_token", ""))
    attachment = case.attachments.filter(public=True, pk=attachment_id).first()
    if attachment is None:
        raise Http404("no such document")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("document missing") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
