"""The payment admin's lists as a town admin reads them (issue 18): providers by their names
in the columns and in the "By provider" filter, never their keys; amounts as the page's
language writes euros ("12,50 €" / "€12.50"), not cents."""

import re

import pytest
from django.utils import translation

from payments import providers
from payments.models import Payment
from tests.payments.test_payee_town import citizen_pays_by_transfer

pytestmark = pytest.mark.django_db

LIST = "/admin/payments/payment/"


def visible_text(html: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def transfer(api, make_case) -> Payment:
    return citizen_pays_by_transfer(api, make_case(fee_cents=1250))


@pytest.mark.parametrize(("language", "amount"), [("de", "12,50\u00a0€"), ("en", "€12.50")])
def test_the_payment_list_names_providers_and_writes_euros(
    client, town_admin, transfer, language, amount
):
    client.force_login(town_admin)

    response = client.get(LIST, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert amount in text
    assert "1250" not in text
    assert ("Betrag" if language == "de" else "Amount") in text
    with translation.override(language):
        names = [str(label) for _key, label in providers.choices()]
    for name in names:  # every provider is offered by its name in the filter
        assert name in text, name
    without_names = text
    for name in names:  # "… town hall counter" is a name, not the key "counter"
        without_names = without_names.replace(name, "")
    for key in providers.keys():
        assert not re.search(rf"\b{key}\b", without_names), key


def test_filtering_by_provider_keeps_that_providers_payments(client, town_admin, transfer):
    client.force_login(town_admin)

    by_girocode = client.get(LIST, {"provider": "girocode"}, HTTP_ACCEPT_LANGUAGE="de")
    by_counter = client.get(LIST, {"provider": "counter"}, HTTP_ACCEPT_LANGUAGE="de")

    assert transfer.creditor_reference in by_girocode.content.decode()
    assert transfer.creditor_reference not in by_counter.content.decode()


def test_the_payment_page_names_the_provider(client, town_admin, transfer):
    client.force_login(town_admin)

    html = client.get(f"{LIST}{transfer.pk}/change/", HTTP_ACCEPT_LANGUAGE="de").content
    text = visible_text(html.decode())

    with translation.override("de"):
        assert transfer.provider_label in text
    assert not re.search(r"\bgirocode\b", text)
