"""Numbers, amounts and dates as a reader of the page's language writes them — the one place
pages, e-mails, PDFs and CSV files take them from (Babel's CLDR data: German "1.500,00 €",
"30.11.2026", "100,0 %"; British English "€1,500.00", "30 Nov 2026", "100.0%" — never the
US month-first order).

Every function takes an optional `language` ("de", "en"); without it, the active one
(`translation.override` in e-mails and tasks, the request's on pages).

`euros_plain` is the fixed form older timeline notes used ("30,00 EUR"); kept for callers that
still import it, new code uses `money`."""

from __future__ import annotations

import datetime
from decimal import Decimal

from babel.dates import format_date as babel_date
from babel.dates import format_time as babel_time
from babel.numbers import format_currency, format_decimal
from django.utils import timezone
from django.utils.translation import get_language

#: The Babel locale of each language the portal speaks. British English: day before month.
LOCALES = {"de": "de_DE", "en": "en_GB"}

#: The percent sign as each language sets it after a number.
_PERCENT = {"de": "\u00a0%", "en": "%"}


def language_of(language: str | None = None) -> str:
    """ "de" or "en": the given language, else the active one; anything else reads as German."""
    code = (language or get_language() or "de").split("-")[0].lower()
    return code if code in LOCALES else "de"


def locale_of(language: str | None = None) -> str:
    return LOCALES[language_of(language)]


def money(cents: int | None, language: str | None = None) -> str:
    """Integer cents as euros: "1.500,00 €" (German, no-break space) or "€1,500.00"."""
    return format_currency(Decimal(int(cents or 0)) / 100, "EUR", locale=locale_of(language))


def number(
    value: int | float | Decimal | None,
    language: str | None = None,
    *,
    digits: int | None = None,
    grouping: bool = True,
) -> str:
    """A number: "1.234,5" / "1,234.5"; `digits` fixes the decimals ("0,0"); None → ""."""
    if value is None or value == "":
        return ""
    if digits is None:
        pattern = None
    else:
        pattern = ("#,##0" if grouping else "0") + ("." + "0" * digits if digits else "")
    return format_decimal(
        Decimal(str(value)),
        format=pattern,
        locale=locale_of(language),
        group_separator=grouping,
        decimal_quantization=digits is not None,
    )


def percent(ratio: float | Decimal | None, language: str | None = None, *, digits: int = 1) -> str:
    """A share (0.5) as a percentage: "50,0 %" / "50.0%"; None → ""."""
    if ratio is None or ratio == "":
        return ""
    code = language_of(language)
    return number(Decimal(str(ratio)) * 100, code, digits=digits) + _PERCENT[code]


def _as_date(value: datetime.date | str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


def date(
    value: datetime.date | str | None, language: str | None = None, *, style: str = "medium"
) -> str:
    """Medium: "30.11.2026" / "30 Nov 2026"; long: "30. November 2026" / "30 November 2026"."""
    if value is None or value == "":
        return ""
    return babel_date(_as_date(value), style, locale=locale_of(language))


def time_of_day(value: datetime.time, language: str | None = None) -> str:
    """A clock time, 24 hours in both languages: "14:05"."""
    return babel_time(value, "short", locale=locale_of(language))


def date_time(value: datetime.datetime | None, language: str | None = None) -> str:
    """Local date and time: "30.11.2026, 14:05" / "30 Nov 2026, 14:05"."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{date(local.date(), language)}, {time_of_day(local.time(), language)}"


def machine_datetime(value: datetime.datetime | datetime.date | None) -> str:
    """A valid HTML `<time datetime>`: "2026-11-30T14:05:09+01:00" (no microseconds)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def euros(cents: int | None) -> str:
    """Integer cents as the active language writes euros: "1.500,00 €" or "€1,500.00"."""
    return money(cents)


def euros_plain(cents: int) -> str:
    """Integer cents as "30,00 EUR" (older notes; new code uses `money`)."""
    return f"{cents // 100},{cents % 100:02d} EUR"


def group4(value: str) -> str:
    """IBANs and references as people read them aloud: in groups of four."""
    compact = "".join(str(value or "").split())
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
