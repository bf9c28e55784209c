"""Each municipal admin edits the legal information of their own town in the admin (texts
per language as text areas); another town's profile is not theirs to see."""

from django.contrib.auth import get_user_model

from core.models import AuditEntry
from legal.models import LegalProfile

URL = "/admin/legal/legalprofile/"


def _login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def test_a_municipal_admin_edits_their_towns_texts_in_both_languages(demo, client):
    _login(client, "admin-boenen")
    profile = LegalProfile.objects.get(municipality__slug="boenen")
    page = client.get(f"{URL}{profile.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: form.initial.get(name) if form.initial.get(name) is not None else ""
        for name in form.fields
    }
    data.update(
        municipality=profile.municipality_id,
        imprint__de="## Herausgeberin\n\nGemeinde Bönen, vertreten durch „Nguyễn Thị Minh Khai“",
        imprint__en="",
        accessibility_assessed_on="2026-11-02",
    )
    response = client.post(f"{URL}{profile.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    profile.refresh_from_db()
    assert profile.imprint == {
        "de": "## Herausgeberin\n\nGemeinde Bönen, vertreten durch „Nguyễn Thị Minh Khai“"
    }
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CHANGE).exists()
    html = client.get("/boenen/impressum/").content.decode()
    assert "<h2>Herausgeberin</h2>" in html and "Nguyễn Thị Minh Khai" in html
    # No English text now: the English page shows the German one rather than nothing.
    english = client.get("/boenen/impressum/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Herausgeberin" in english


def test_a_municipal_admin_sees_only_their_own_towns_profile(demo, client):
    _login(client, "admin-boenen")
    listing = client.get(URL)
    assert [str(p) for p in listing.context["cl"].result_list] == ["Bönen"]
    kamen = LegalProfile.objects.get(municipality__slug="kamen")
    assert client.get(f"{URL}{kamen.pk}/change/").status_code in (302, 404)
    before = kamen.imprint
    client.post(f"{URL}{kamen.pk}/change/", {"imprint__de": "gekapert"})
    kamen.refresh_from_db()
    assert kamen.imprint == before


def test_the_district_admin_edits_every_profile(demo, client):
    _login(client, "district-admin")
    listing = client.get(URL)
    assert len(listing.context["cl"].result_list) == 11


def test_feedback_is_read_by_the_admins_of_the_town_it_was_sent_to(demo, client):
    client.post("/boenen/barrierefreiheit/", {"message": "Kontrast zu schwach"})
    feedback = "/admin/legal/accessibilityfeedback/"
    _login(client, "admin-boenen")
    assert len(client.get(feedback).context["cl"].result_list) == 1
    _login(client, "admin-kamen")
    assert len(client.get(feedback).context["cl"].result_list) == 0
    _login(client, "district-admin")
    assert len(client.get(feedback).context["cl"].result_list) == 1
