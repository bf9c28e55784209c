"""The legal pages from the outside (docs/legal.md): every page's footer links the legal
pages of its town, each page answers with the town's text or the district's, the privacy
notice lists the town's services from the catalog, and the accessibility feedback is stored
and e-mailed."""

import re

import pytest
from django.core import mail
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from catalog.selectors import offers_for
from legal.models import AccessibilityFeedback, LegalProfile
from municipalities.models import Municipality

PAGES = ("impressum", "datenschutz", "barrierefreiheit")
MESSAGE = "Die Schrift im PDF ist zu klein – „Łukasz Yılmaz–Şahin“ kann sie nicht lesen."


def footer_links(html: str) -> list[str]:
    footer = html[html.index('<footer class="portal-footer"') :]
    return re.findall(r'<a class="kern-link[^"]*" href="([^"]+)"', footer)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/boenen/", "/boenen/"),
        ("/boenen/gewerbe-anmelden/", "/boenen/"),
        ("/boenen/impressum/", "/boenen/"),
        ("/kamen/datenschutz/", "/kamen/"),
        ("/", "/"),  # the district's elsewhere
        ("/impressum/", "/"),
    ],
)
def test_the_footer_links_the_legal_pages_of_the_pages_town(demo, client, url, expected):
    response = client.get(url)
    assert response.status_code == 200
    assert footer_links(response.content.decode()) == [f"{expected}{page}/" for page in PAGES]


def test_boenens_three_pages_answer_with_boenens_text(demo, client):
    imprint = client.get("/boenen/impressum/").content.decode()
    assert "Gemeinde Bönen" in imprint and "Am Bahnhof 7" in imprint
    assert "<h2>Herausgeber</h2>" in imprint  # Markdown rendered
    assert "has not published" not in imprint and "nicht veröffentlicht" not in imprint
    privacy = client.get("/boenen/datenschutz/").content.decode()
    assert "datenschutz@boenen.example" in privacy
    statement = client.get("/boenen/barrierefreiheit/").content.decode()
    assert "teilweise" in statement  # status of compliance
    assert "Ombudsstelle für barrierefreie Informationstechnik" in statement  # enforcement
    assert "2. November 2026" in statement  # date of the assessment, German
    assert 'href="mailto:barrierefreiheit@boenen.example"' in statement  # feedback route
    assert 'name="csrfmiddlewaretoken"' in statement and 'name="message"' in statement


def test_pages_are_english_for_an_english_reader(demo, client):
    response = client.get("/boenen/impressum/", HTTP_ACCEPT_LANGUAGE="en")
    assert "<h2>Publisher</h2>" in response.content.decode()
    statement = client.get("/boenen/barrierefreiheit/", HTTP_ACCEPT_LANGUAGE="en").content
    assert "partially compliant" in statement.decode()


def test_a_town_without_its_own_text_shows_the_districts(demo, client):
    LegalProfile.objects.filter(municipality__slug="selm").update(imprint={}, privacy={})
    imprint = client.get("/selm/impressum/").content.decode()
    assert "Friedrich-Ebert-Straße 17" in imprint  # Kreis Unna's address
    assert "Selm hat keinen eigenen Text veröffentlicht" in imprint
    privacy = client.get("/selm/datenschutz/").content.decode()
    assert "datenschutz@kreis-unna.example" in privacy
    # … but its services are still its own: the list comes from Selm's offers.
    assert "Fundsache melden" in privacy
    LegalProfile.objects.filter(municipality__slug="selm").delete()
    statement = client.get("/selm/barrierefreiheit/").content.decode()
    assert "Ombudsstelle" in statement and "Selm hat keinen eigenen Text" in statement
    # Feedback on Selm's pages still goes to Selm: its contact address.
    client.post("/selm/barrierefreiheit/", {"message": MESSAGE})
    assert mail.outbox[-1].to == ["buergerservice@selm.example"]
    assert AccessibilityFeedback.objects.get().municipality.slug == "selm"


def test_an_unknown_town_is_404(demo, client):
    assert client.get("/atlantis/impressum/").status_code == 404


def test_markdown_of_an_admin_is_rendered_without_raw_html(demo, client):
    LegalProfile.objects.filter(municipality__slug="werne").update(
        imprint={"de": "## Kontakt\n\n<script>alert(1)</script> [x](javascript:alert(1))"}
    )
    html = client.get("/werne/impressum/").content.decode()
    assert "<h2>Kontakt</h2>" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html


# --- the privacy notice from the catalog ---------------------------------------------------


def test_boenens_privacy_notice_lists_every_service_it_offers(demo, client):
    boenen = Municipality.objects.get(slug="boenen")
    offers = offers_for(boenen)
    assert len(offers) >= 15
    html = client.get("/boenen/datenschutz/").content.decode()
    for offer in offers:
        service = offer.service
        assert f">{service.name['de']}</h3>" in html, service.key
        assert service.privacy["purpose"]["de"] in html, service.key
        assert service.privacy["legal_basis"]["de"] in html, service.key
        days = service.retention_days
        assert f"{days} Tage nach Abschluss des Antrags, dann gelöscht" in html, service.key


def test_the_privacy_notice_names_the_processing_authority_and_payment_providers(demo, client):
    html = client.get("/boenen/datenschutz/").content.decode()
    # Kamen processes Bönen's business registrations (IKZ), the district its building permits.
    assert "Stadt Kamen, die die Anträge im Auftrag von Gemeinde Bönen bearbeitet" in html
    assert "Kreis Unna, die die Anträge im Auftrag von Gemeinde Bönen bearbeitet" in html
    assert "Zahlungsdienstleister, wenn Sie online bezahlen: GiroCheckout" in html


# --- the feedback form ----------------------------------------------------------------------


def test_feedback_is_stored_and_mailed_to_the_towns_contact(demo, client):
    mail.outbox.clear()
    response = client.post(
        "/boenen/barrierefreiheit/",
        {"message": MESSAGE, "email": "lukasz@example.org", "page": "/boenen/", "name": ""},
    )
    assert response.status_code == 302
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.municipality.slug == "boenen" and feedback.message == MESSAGE
    assert feedback.forwarded_to == "barrierefreiheit@boenen.example"
    [message] = mail.outbox
    assert message.to == ["barrierefreiheit@boenen.example"]
    assert MESSAGE in message.body and "lukasz@example.org" in message.body
    assert "Bönen" in message.subject
    thanks = client.get(response["Location"]).content.decode()
    assert "Vielen Dank" in thanks


def test_feedback_without_a_message_is_refused_naming_the_field(demo, client):
    response = client.post("/boenen/barrierefreiheit/", {"message": "  ", "email": "nope"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_message"' in html and 'href="#id_email"' in html
    assert 'aria-invalid="true"' in html
    assert not AccessibilityFeedback.objects.exists() and not mail.outbox


def test_feedback_needs_the_csrf_token(demo):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/boenen/barrierefreiheit/", {"message": MESSAGE})
    assert response.status_code == 403
    assert not AccessibilityFeedback.objects.exists()
    page = strict.get("/boenen/barrierefreiheit/")
    token = page.context["csrf_token"]
    response = strict.post(
        "/boenen/barrierefreiheit/", {"message": MESSAGE, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and AccessibilityFeedback.objects.count() == 1


def test_feedback_is_throttled_with_retry_after(demo, client, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {**SimpleRateThrottle.THROTTLE_RATES, "feedback": "2/hour"},
    )
    for _ in range(2):
        assert client.post("/boenen/barrierefreiheit/", {"message": MESSAGE}).status_code == 302
    response = client.post("/boenen/barrierefreiheit/", {"message": MESSAGE})
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert AccessibilityFeedback.objects.count() == 2
    assert client.get("/boenen/barrierefreiheit/").status_code == 200  # reading is not limited


def test_a_signed_in_clerk_of_another_town_can_send_feedback_too(demo, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="clerk-kamen"))
    response = client.post("/boenen/barrierefreiheit/", {"message": MESSAGE})
    assert response.status_code == 302
    assert AccessibilityFeedback.objects.get().municipality.slug == "boenen"
