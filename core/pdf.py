"""Official documents as archivable, accessible PDF (docs/documents.md).

A Django template is rendered to HTML and WeasyPrint turns it into PDF/A-3a: a PDF/A-3 file
whose conformance level "a" also requires the structure tree (tagged PDF, marked content),
the document language and Unicode text. The KERN design system's Fira Sans (with Noto Sans
for the few characters Fira lacks) is embedded, so "Łukasz Yılmaz–Şahin" and
„Nguyễn Thị Minh Khai“ print and extract exactly.

The documents are driven by plain dicts (`Bescheid`, `Receipt` below) that the case code
builds; nothing here reads a model. Dates, amounts and answers are formatted here, for the
document's language, with Babel.
"""

import datetime
import functools
import re
import threading
from io import BytesIO
from pathlib import Path
from typing import Any, Literal, NotRequired, TypedDict
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fontTools.ttLib import woff2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from core import formats

#: PDF/A-3 with conformance level A: tagged (structure tree, marked content), `/Lang`,
#: Unicode text, embedded fonts, sRGB output intent, XMP with pdfaid:part 3 and
#: pdfaid:conformance A. Part 3 rather than 2 so a machine-readable copy of the data
#: (e.g. an XÖV message) can be attached later without changing the archive format.
PDF_VARIANT = "pdf/a-3a"
#: The print stylesheet, a static file; its @font-face rules point at the whole KERN faces
#: that `make assets` (frontend/subset_fonts.py) copies to static/vendor/fonts/print.
STYLESHEET = "documents/print.css"
FONT_PROBE = "vendor/fonts/print/FiraSans-Regular.woff2"
#: What an empty optional answer reads.
EMPTY = "—"


class PdfError(RuntimeError):
    """A document could not be rendered as it must be (e.g. it referred to a resource
    outside its own stylesheet and fonts)."""


# --- the context dicts --------------------------------------------------------------------


class Authority(TypedDict):
    """A public body on a letterhead: the deciding authority or the town filed with."""

    name: str  # official name: "Stadt Kamen", "Gemeinde Bönen", "Kreis Unna"
    address_lines: list[str]  # ["Rathausplatz 1", "59174 Kamen"]
    place: str  # where letters are dated: "Kamen"
    department: NotRequired[str]  # "Bürgerbüro"
    contact_lines: NotRequired[list[str]]  # ["Telefon 02307 148-0", "info@stadt-kamen.de"]


class Person(TypedDict):
    name: str  # "Łukasz Yılmaz–Şahin"
    address_lines: NotRequired[list[str]]  # postal address; may be empty
    email: NotRequired[str]


class Fee(TypedDict):
    amount_cents: int
    status: Literal["paid", "open", "refunded"]
    paid_on: NotRequired[datetime.date | None]


class Bescheid(TypedDict):
    """A decision notice (Bescheid) on a case."""

    reference: str  # the case reference = Aktenzeichen
    date: datetime.date  # date of the decision
    filed_on: datetime.date  # date of the request
    authority: Authority  # the deciding (processing) authority
    on_behalf_of: str | None  # official name of the filing town when delegated, else None
    addressee: Person  # the applicant
    service_name: str  # in the document's language
    decision: Literal["approved", "rejected"]
    reasons: str  # the clerk's text; blank lines separate paragraphs; may be empty
    fee: Fee | None  # None: the service is free of charge
    legal_remedy: str  # Rechtsbehelfsbelehrung, from the service definition; required
    clerk_name: str | None  # None: "produced electronically, valid without signature"


class Answer(TypedDict):
    """One answer as the form asked it. `kind` is the form engine's field type, or
    "amount" (value in cents). Values are raw: ISO date strings or dates, numbers, booleans,
    for choice/multichoice the chosen label(s) in the document's language, for file the
    list of uploaded file names. None, "" and [] read "—"."""

    label: str
    kind: str
    value: Any


class Step(TypedDict):
    title: str
    answers: list[Answer]


class Receipt(TypedDict):
    """The confirmation that a request arrived (Eingangsbestätigung)."""

    reference: str
    submitted_at: datetime.datetime  # aware; shown in settings.TIME_ZONE
    portal_name: str  # "Kreisportal Unna"
    municipality: Authority  # the town the request was filed with
    processing_authority: str  # official name of the authority that processes it
    service_name: str
    applicant: Person
    steps: list[Step]
    fee: Fee | None


class PrivacyCase(TypedDict):
    """One case in the summary of what is stored about a person (GDPR Art. 15). Texts are
    in the document's language already; `answers`, `timeline`, `payments`, `files` and
    `emails` are (label, text) or plain lines as the reader should see them."""

    reference: str
    service_name: str
    municipality: str  # filed with
    processing_authority: str
    status: str  # the status's label
    submitted_at: datetime.datetime
    applicant: Person
    answers: list[tuple[str, str]]
    timeline: list[tuple[datetime.datetime, str]]
    payments: list[str]
    files: list[str]
    emails: list[tuple[datetime.datetime, str]]


class PrivacyRecords(TypedDict):
    """A kind of data about the person that belongs to no request (e.g. their accessibility
    feedback): its label, and each record's time with its lines of text."""

    label: str
    records: list[tuple[datetime.datetime, list[str]]]


class PrivacySummary(TypedDict):
    """Everything the portal stores about one person, as the district answers an access
    request (district/privacy_export.py builds it)."""

    portal_name: str
    authority: str  # who answers: the district's official name
    email: str  # the address searched for
    date: datetime.date
    cases: list[PrivacyCase]
    other: list[PrivacyRecords]


# --- formatting for the document's language ---------------------------------------------


def _locale(language: str) -> str:
    """The document's language ("de" or "en"), checked: a document is never written in a
    language the portal does not speak. Formats themselves come from core/formats."""
    code = language.split("-")[0].lower()
    if code not in formats.LOCALES or code not in dict(settings.LANGUAGES):
        raise ValueError(f"documents are written in {', '.join(formats.LOCALES)}, not {language!r}")
    return code


def format_money(cents: int, language: str) -> str:
    """12,50 € (German, with a no-break space) or €12.50 (English)."""
    return formats.money(cents, _locale(language))


def format_date(value: datetime.date | str, language: str, *, style: str = "long") -> str:
    """Long: "30. November 2026" / "30 November 2026"; medium: "30.11.2026" / "30 Nov 2026"."""
    return formats.date(value, _locale(language), style=style)


def format_datetime(value: datetime.datetime, language: str) -> str:
    """Local time: "30. November 2026, 14:05 Uhr" / "30 November 2026, 14:05"."""
    local = timezone.localtime(value)
    with translation.override(language):
        return _("%(date)s, %(time)s") % {
            "date": format_date(local.date(), language),
            "time": formats.time_of_day(local.time(), _locale(language)),
        }


def format_answer(answer: Answer, language: str) -> str:
    """An answer as a reader of the language writes it; "—" when it was left empty."""
    kind, value = answer["kind"], answer["value"]
    if value is None or value == "" or value == []:
        return EMPTY
    code = _locale(language)
    if kind == "boolean":
        with translation.override(language):
            return _("Yes") if value else _("No")
    if kind == "date":
        return format_date(value, language, style="medium")
    if kind == "amount":
        return format_money(int(value), language)
    if kind in ("integer", "decimal"):
        return formats.number(value, code)
    if kind == "multichoice":
        return ", ".join(str(v) for v in value)
    if kind == "file":
        return "\n".join(str(v) for v in value)
    if kind == "iban":
        return formats.group4(value)
    return str(value)


def pdf_filename(kind: Literal["bescheid", "receipt"], reference: str, language: str) -> str:
    """Bescheid-<ref>.pdf / Decision-<ref>.pdf, Eingangsbestaetigung-<ref>.pdf /
    Receipt-<ref>.pdf. ASCII only, so every mail client and file system keeps it."""
    safe = re.sub(r"[^A-Za-z0-9-]", "", reference)
    _locale(language)
    with translation.override(language):
        word = (
            pgettext("file name", "Decision")
            if kind == "bescheid"
            else pgettext("file name", "Receipt")
        )
    return f"{word}-{safe}.pdf"


# --- rendering -----------------------------------------------------------------------------


class _LocalFiles(URLFetcher):
    """Only files below the static folder that holds the stylesheet and the fonts: a
    document never fetches anything from the network (and never reads other local files)."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file",), fail_on_errors=True)
        self.root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> Any:
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
        if path is None or not path.is_relative_to(self.root):
            raise ValueError(f"documents load only their own stylesheet and fonts, not {url}")
        if path.suffix == ".woff2":
            return URLFetcherResponse(url, body=_font_bytes(path, path.stat().st_mtime))
        return super().fetch(url, headers)


@functools.lru_cache(maxsize=8)
def _font_bytes(path: Path, mtime: float) -> bytes:
    """A WOFF2 font unpacked once per process (unpacking costs about a second a font)."""
    unpacked = BytesIO()
    woff2.decompress(BytesIO(path.read_bytes()), unpacked)
    return unpacked.getvalue()


def _static_root() -> Path:
    stylesheet, font = finders.find(STYLESHEET), finders.find(FONT_PROBE)
    if not stylesheet or not font:
        raise ImproperlyConfigured(
            f"{STYLESHEET} or the KERN fonts ({FONT_PROBE}) are missing: run `make assets`"
        )
    root = Path(stylesheet).parent.parent
    if Path(font).resolve() != (root / FONT_PROBE).resolve():
        raise ImproperlyConfigured(f"{STYLESHEET} and the KERN fonts must share one static folder")
    return root


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ") + '"'


def _page_numbers_css() -> str:
    """The footer's "Seite 1 von 2" in the active language, as CSS generated content."""
    pattern = _("Page %(page)s of %(pages)s")
    parts = re.split(r"(%\(pages?\)s)", pattern)
    content = " ".join(
        {"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}.get(p) or _css_string(p)
        for p in parts
        if p
    )
    return f"@page {{ @bottom-right {{ content: {content} }} }}"


class _Styles:
    """The print stylesheet and the footer's page numbers, parsed once per thread and
    language, with the font configuration its @font-face rules registered the KERN faces
    in. Parsing the stylesheet and loading the fonts cost about a third of every document
    (bench/profile_costs.py); WeasyPrint's documented way to avoid that in a long-lived
    process is to reuse the `CSS` objects with their `FontConfiguration`. Per thread,
    because a font configuration is not shared between threads (gunicorn's gthread
    workers render documents too); renewed when the stylesheet file changes."""

    _local = threading.local()

    @classmethod
    def get(cls, root: Path, language: str) -> tuple[FontConfiguration, list[CSS], URLFetcher]:
        stylesheet = root / STYLESHEET
        key = (str(root), stylesheet.stat().st_mtime)
        cached = getattr(cls._local, "styles", None)
        if cached is None or cached[0] != key:
            fetcher = _LocalFiles(root)
            fonts = FontConfiguration()
            sheet = CSS(filename=str(stylesheet), url_fetcher=fetcher, font_config=fonts)
            cached = (key, fonts, sheet, fetcher, {})
            cls._local.styles = cached
        _key, fonts, sheet, fetcher, pages = cached
        if language not in pages:
            with translation.override(language):
                pages[language] = CSS(
                    string=_page_numbers_css(), url_fetcher=fetcher, font_config=fonts
                )
        return fonts, [sheet, pages[language]], fetcher


def render_pdf(
    template_name: str,
    context: dict[str, Any],
    *,
    language: str,
    title: str,
    subject: str = "",
    author: str = "",
) -> bytes:
    """Render a template to a tagged PDF/A-3a document in `language` ("de" or "en").

    The template sees `context` plus `pdf` (language, title, subject, author) and should
    extend documents/_base.html. `title` becomes /Title and dc:title (shown by viewers in
    place of the file name), `subject` /Subject, `author` /Author.
    """
    _locale(language)
    root = _static_root()
    meta = {"language": language, "title": title, "subject": subject, "author": author}
    with translation.override(language):
        html = render_to_string(template_name, {**context, "pdf": meta})
    try:
        fonts, stylesheets, fetcher = _Styles.get(root, language)
        document = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher).render(
            stylesheets=stylesheets, font_config=fonts, pdf_variant=PDF_VARIANT
        )
    except FatalURLFetchingError as exc:  # a BaseException: keep it from escaping handlers
        raise PdfError(f"{template_name}: {exc}: {exc.__cause__}") from exc
    now = timezone.localtime().replace(microsecond=0).isoformat()
    metadata = document.metadata
    metadata.title, metadata.lang = title, language
    metadata.description = subject or None
    metadata.authors = [author] if author else []
    metadata.created = metadata.modified = now
    metadata.generator = "Kreisportal"
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def _missing(data: dict[str, Any], shape: type, where: str) -> list[str]:
    return [f"{where}{key}" for key in sorted(shape.__required_keys__ - data.keys())]


def _check(data: dict[str, Any], shape: type, nested: dict[str, type]) -> None:
    missing = _missing(data, shape, "")
    for key, inner in nested.items():
        if isinstance(data.get(key), dict):
            missing += _missing(data[key], inner, f"{key}.")
    if missing:
        raise ValueError(f"{shape.__name__} lacks {', '.join(missing)}")


def _fee_display(fee: Fee | None, language: str) -> dict[str, str] | None:
    if not fee:
        return None
    paid_on = fee.get("paid_on")
    with translation.override(language):
        if fee["status"] == "paid" and paid_on:
            status = _("Paid on %(date)s.") % {"date": format_date(paid_on, language)}
        elif fee["status"] == "paid":
            status = _("Paid.")
        elif fee["status"] == "refunded":
            status = _("Refunded.")
        else:
            status = _("Not yet paid.")
    return {"amount": format_money(fee["amount_cents"], language), "status": status}


def bescheid_pdf(bescheid: Bescheid, *, language: str) -> bytes:
    """The decision notice as PDF (templates/documents/bescheid.html)."""
    _check(bescheid, Bescheid, {"authority": Authority, "addressee": Person})
    if bescheid["decision"] not in ("approved", "rejected"):
        raise ValueError("Bescheid.decision is 'approved' or 'rejected'")
    if not bescheid["legal_remedy"].strip():
        raise ValueError("Bescheid.legal_remedy (Rechtsbehelfsbelehrung) is empty")
    authority = bescheid["authority"]
    with translation.override(language):
        title = _("Decision %(reference)s") % {"reference": bescheid["reference"]}
        date_line = _("%(place)s, %(date)s") % {
            "place": authority["place"],
            "date": format_date(bescheid["date"], language),
        }
    context = {
        "b": bescheid,
        "date_line": date_line,
        "filed_on": format_date(bescheid["filed_on"], language),
        "fee": _fee_display(bescheid["fee"], language),
    }
    return render_pdf(
        "documents/bescheid.html",
        context,
        language=language,
        title=title,
        subject=bescheid["service_name"],
        author=authority["name"],
    )


def receipt_pdf(receipt: Receipt, *, language: str) -> bytes:
    """The receipt of a request as PDF (templates/documents/receipt.html)."""
    _check(receipt, Receipt, {"municipality": Authority, "applicant": Person})
    steps = [
        {
            "title": step["title"],
            "answers": [
                {"label": a["label"], "lines": format_answer(a, language).split("\n")}
                for a in step["answers"]
            ],
        }
        for step in receipt["steps"]
    ]
    with translation.override(language):
        title = _("Receipt %(reference)s") % {"reference": receipt["reference"]}
    context = {
        "r": receipt,
        "submitted": format_datetime(receipt["submitted_at"], language),
        "steps": steps,
        "fee": _fee_display(receipt["fee"], language),
    }
    return render_pdf(
        "documents/receipt.html",
        context,
        language=language,
        title=title,
        subject=receipt["service_name"],
        author=receipt["municipality"]["name"],
    )


def privacy_summary_pdf(summary: PrivacySummary, *, language: str) -> bytes:
    """What is stored about a person, readable (templates/documents/privacy_summary.html)."""
    _check(summary, PrivacySummary, {})
    cases = [
        {
            **case,
            "submitted": format_datetime(case["submitted_at"], language),
            "timeline": [(format_datetime(at, language), text) for at, text in case["timeline"]],
            "emails": [(format_datetime(at, language), text) for at, text in case["emails"]],
        }
        for case in summary["cases"]
    ]
    with translation.override(language):
        title = _("Personal data stored about %(email)s") % {"email": summary["email"]}
    other = [
        {
            "label": kind["label"],
            "records": [(format_datetime(at, language), lines) for at, lines in kind["records"]],
        }
        for kind in summary["other"]
    ]
    context = {
        "s": summary,
        "cases": cases,
        "other": other,
        "date": format_date(summary["date"], language),
    }
    return render_pdf(
        "documents/privacy_summary.html",
        context,
        language=language,
        title=title,
        author=summary["authority"],
    )
