"""A note the portal writes on a case's timeline (core/notes.py) reads in the reader's
language: the German citizen reads "Online bezahlt (GiroCheckout), 30,00 €." on the tracking
page, the English clerk "Paid online (GiroCheckout), €30.00." on the case page — never a
provider key, "EUR" or an actor key such as "(payments)"."""

import pytest

from cases.models import CaseEvent
from tests.payments.conftest import start_online
from tests.payments.test_girocheckout_results import notify

pytestmark = pytest.mark.django_db


def page(client, url, language):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language, follow=True)  # tracking links: 302
    assert response.status_code == 200
    return response.content.decode()


def test_paid_online_note_in_each_readers_language(api, client, case, clerk):
    payment, _url = start_online(api, case)
    assert notify(client, payment, "4000").status_code == 200

    event = CaseEvent.objects.get(case=case, comment__startswith="Online bezahlt")
    # Stored in the case's language (German), for the API and e-mails.
    assert event.comment == "Online bezahlt (GiroCheckout), 30,00\u00a0€."
    track = f"/track/{case.reference}/?access_token={case.access_token}"
    german_track = page(client, track, "de")
    english_track = page(client, track, "en")
    client.force_login(clerk)
    english_case = page(client, f"/workspace/cases/{case.reference}/", "en")
    german_case = page(client, f"/workspace/cases/{case.reference}/", "de")

    assert "Online bezahlt (GiroCheckout), 30,00\u00a0€." in german_track
    assert "Paid online (GiroCheckout), €30.00." in english_track
    assert "Paid online (GiroCheckout), €30.00." in english_case
    assert "Online bezahlt (GiroCheckout), 30,00\u00a0€." in german_case
    for text in (german_track, german_case):
        assert "girocheckout" not in text.replace("/girocheckout/", "")
        assert " EUR" not in text and "(payments)" not in text and "(system)" not in text
    assert "(Zahlungen)" in german_case and "(Payments)" in english_case


def test_counter_note_and_payments_table_speak_the_clerks_language(client, case, clerk):
    client.force_login(clerk)
    client.post(
        f"/payments/cases/{case.reference}/counter/",
        {"receipt_number": "K-2026-0042", "next": "/workspace/"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    english = page(client, f"/workspace/cases/{case.reference}/", "en")
    german = page(client, f"/workspace/cases/{case.reference}/", "de")

    assert "Paid at the counter, receipt K-2026-0042." in english
    assert "An der Kasse bezahlt, Beleg K-2026-0042." in german
    assert "€30.00" in english and "30,00\u00a0€" in german
    assert ">counter<" not in german and ">counter<" not in english
