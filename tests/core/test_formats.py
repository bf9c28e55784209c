"""Numbers, amounts and dates in the reader's language (core/formats.py), on the way out
through pages, e-mails and CSV files: German "20,00 €", "30.11.2026", "100,0 %"; English
day-first ("15 Mar 1990"), never the US month-first order."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import translation
from django.utils.formats import date_format

from cases.services import case_submit
from core import formats
from tests.factories import MunicipalityFactory, ServiceDefinitionFactory, ServiceOfferingFactory

BERLIN = ZoneInfo("Europe/Berlin")
US_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")


@pytest.mark.parametrize(
    ("language", "cents", "expected"),
    [
        ("de", 2000, "20,00\u00a0€"),
        ("de", 150000, "1.500,00\u00a0€"),
        ("en", 2000, "€20.00"),
        ("en", 150000, "€1,500.00"),
    ],
)
def test_amounts_in_each_language(language, cents, expected):
    assert formats.money(cents, language) == expected
    with translation.override(language):
        assert formats.euros(cents) == expected


def test_numbers_and_shares():
    assert formats.number(0, "de", digits=1) == "0,0"
    assert formats.number(0, "en", digits=1) == "0.0"
    assert formats.number(1234.5, "de", digits=1) == "1.234,5"
    assert formats.number(1234.5, "de", digits=1, grouping=False) == "1234,5"
    assert formats.percent(1, "de") == "100,0\u00a0%"
    assert formats.percent(0.5, "en") == "50.0%"
    assert formats.percent(None, "de") == formats.number(None, "de") == ""


def test_dates_day_first_in_both_languages():
    birthday = datetime.date(1990, 3, 15)
    assert formats.date(birthday, "de") == "15.03.1990"
    assert formats.date(birthday, "en") == "15 Mar 1990"
    assert formats.date(birthday, "en", style="long") == "15 March 1990"
    assert formats.date("2026-11-30", "de") == "30.11.2026"
    evening = datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC)
    assert formats.date_time(evening, "de") == "01.12.2026, 00:30"  # local time
    assert formats.date_time(evening, "en") == "1 Dec 2026, 00:30"


@pytest.mark.parametrize("name", ["SHORT_DATE_FORMAT", "DATE_FORMAT", "SHORT_DATETIME_FORMAT"])
def test_djangos_own_date_filters_are_never_month_first(name):
    """Templates that write `|date:"SHORT_DATE_FORMAT"` follow the portal's English formats
    (portal/formats/en/), not Django's US defaults."""
    moment = datetime.datetime(1990, 3, 15, 9, 5, tzinfo=BERLIN)
    with translation.override("en"):
        english = date_format(moment, name)
    with translation.override("de"):
        german = date_format(moment, name)
    assert not US_DATE.search(english), english
    assert "15" in english and english.index("15") < english.index("Mar")
    assert german.startswith("15.")


def test_machine_datetime_is_a_valid_html_time():
    moment = datetime.datetime(2026, 11, 30, 13, 5, 9, 123456, tzinfo=datetime.UTC)
    assert formats.machine_datetime(moment) == "2026-11-30T14:05:09+01:00"
    assert formats.machine_datetime(datetime.date(2026, 11, 30)) == "2026-11-30"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "amount", "wrong"),
    [("de", "20,00\u00a0€", "EUR"), ("en", "€20.00", "20,00")],
)
def test_fee_emails_write_the_amount_in_the_applicants_language(
    language, amount, wrong, django_capture_on_commit_callbacks
):
    town = MunicipalityFactory(slug="unna", name="Unna", code="UNN")
    service = ServiceDefinitionFactory(
        prepay=True,
        fee={"kind": "fixed", "cents": 2000},
        process_steps=["send_receipt", "request_payment"],
    )
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    with django_capture_on_commit_callbacks(execute=True):
        case_submit(
            municipality=town,
            service_key=service.key,
            applicant={"name": "Łukasz Yılmaz–Şahin", "email": "lukasz@example.org"},
            data={"anliegen": "Bitte „prüfen“", "anzahl": 2},
            language=language,
        )
    bodies = [m.body for m in mail.outbox if m.to == ["lukasz@example.org"]]
    assert len(bodies) == 2  # receipt and payment request
    for body in bodies:
        assert amount in body, body
        assert wrong not in body, body


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "en"])
def test_the_receipt_pdf_writes_date_and_fee_in_the_applicants_language(
    language, django_capture_on_commit_callbacks
):
    import io

    import pypdf

    town = MunicipalityFactory(slug="kamen", name="Kamen", code="KAM")
    service = ServiceDefinitionFactory(fee={"kind": "fixed", "cents": 150000})
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_submit(
            municipality=town,
            service_key=service.key,
            applicant={"name": "Nguyễn Thị Minh Khai", "email": "khai@example.org"},
            data={"anliegen": "Bitte prüfen", "anzahl": 2},
            language=language,
        ).case
    [message] = [m for m in mail.outbox if m.to == ["khai@example.org"]]
    pdf = next(content for _name, content, kind in message.attachments if kind == "application/pdf")
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))

    assert formats.date(case.submitted_at, language, style="long") in text
    assert ("1.500,00 €" if language == "de" else "€1,500.00") in text
    assert not US_DATE.search(text)
