"""The service designer's pages (issue 16) through Django's test client: building a
service without JSON, editing and reordering questions, conditions, euro fees, the live
preview, the changes against the published version and publishing, the offerings list and
the FIM import page."""

import pytest
from django.test import Client

from catalog.models import ServiceDefinition, ServiceOffering
from municipalities.models import Membership
from tests.catalog.test_fim_fixtures import FIXTURES
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    ServiceDefinitionFactory,
    UserFactory,
    submit_case,
)
from tests.files import upload

pytestmark = pytest.mark.django_db
BASE = "/district/services/"


@pytest.fixture
def kreis():
    kreis = MunicipalityFactory(slug="kreis-unna", name="Kreis Unna", kind="district", code="UNA")
    for slug, name, code in (
        ("kamen", "Kamen", "KAM"),
        ("unna", "Unna", "UNN"),
        ("selm", "Selm", "SEL"),
    ):
        MunicipalityFactory(slug=slug, name=name, code=code, parent=kreis)
    return kreis


def signed_in(username: str, municipality, role: str, language: str = "de") -> Client:
    user = UserFactory(username=username, is_staff=True)
    MembershipFactory(user=user, municipality=municipality, role=role)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def admin(kreis) -> Client:
    return signed_in("district-admin", kreis, Membership.Role.DISTRICT_ADMIN)


DETAILS = {
    "name_de": "Hundesteuer anmelden",
    "name_en": "Register a dog",
    "description_de": "Für „Bello“ & Co.",
    "offered_by": "towns",
    "trust_level": "none",
    "fee_kind": "fixed",
    "fee": "12,50",
    "fee_min": "10,00",
    "fee_max": "20,00",
    "sla_days": "10",
    "retention_days": "90",
    "process_steps": ["send_receipt"],
}


def build(admin: Client) -> ServiceDefinition:
    """A three-step service with a conditional step, through the pages."""
    assert admin.post(f"{BASE}new/", {**DETAILS, "key": "hund"}).status_code == 302
    for title in ("Haushalt", "Befreiung", "Abschluss"):
        assert admin.post(f"{BASE}hund/steps/new/", {"title_de": title}).status_code == 302
    response = admin.post(
        f"{BASE}hund/steps/1/fields/new/",
        {
            "name": "hund",
            "type": "choice",
            "label_de": "Halten Sie einen Hund?",
            "label_en": "Do you keep a dog?",
            "required": "on",
            "choices": "ja | Ja | Yes\nnein | Nein | No",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    admin.post(
        f"{BASE}hund/steps/1/fields/new/",
        {
            "name": "rasse",
            "type": "text",
            "label_de": "Rasse",
            "required": "on",
            "max_length": "60",
            "condition_field": "hund",
            "condition_values": "ja",
        },
    )
    admin.post(
        f"{BASE}hund/steps/2/fields/new/",
        {"name": "begruendung", "type": "textarea", "label_de": "Begründung", "required": "on"},
    )
    admin.post(
        f"{BASE}hund/steps/2/",
        {
            "title_de": "Befreiung",
            "title_en": "Exemption",
            "condition_field": "hund",
            "condition_values": "ja",
        },
    )
    admin.post(
        f"{BASE}hund/steps/3/fields/new/",
        {
            "name": "zustimmung",
            "type": "boolean",
            "label_de": "Angaben sind richtig",
            "required": "on",
        },
    )
    return ServiceDefinition.objects.get(key="hund")


def test_only_district_admins_reach_the_designer(kreis, client):
    assert client.get(BASE).status_code == 302  # to the sign-in
    clerk = signed_in("clerk-kamen", kreis.towns.get(slug="kamen"), Membership.Role.CLERK)
    assert clerk.get(BASE).status_code == 404
    town_admin = signed_in(
        "admin-kamen", kreis.towns.get(slug="kamen"), Membership.Role.MUNICIPAL_ADMIN
    )
    assert town_admin.get(BASE).status_code == 404
    assert town_admin.post(f"{BASE}new/", {**DETAILS, "key": "x"}).status_code == 404
    assert not ServiceDefinition.objects.exists()


def test_a_service_is_built_without_json(admin):
    draft = build(admin)
    assert draft.status == "draft"
    assert draft.fee == {"kind": "fixed", "cents": 1250}
    assert (draft.fee_min_cents, draft.fee_max_cents) == (1000, 2000)
    steps = draft.form["steps"]
    assert [s["title"]["de"] for s in steps] == ["Haushalt", "Befreiung", "Abschluss"]
    assert steps[1]["visible_if"] == {"field": "hund", "equals": "ja"}
    assert steps[0]["fields"][0]["choices"][1] == {
        "value": "nein",
        "label": {"de": "Nein", "en": "No"},
    }
    assert steps[0]["fields"][1] == {
        "name": "rasse",
        "type": "text",
        "label": {"de": "Rasse", "en": ""},
        "required": True,
        "max_length": 60,
        "visible_if": {"field": "hund", "equals": "ja"},
    }
    page = admin.get(f"{BASE}hund/").content.decode()
    assert "Befreiung" in page and "Halten Sie einen Hund?" in page


def test_the_legal_texts_are_details_too(admin):
    build(admin)
    legal = {
        "legal_basis_de": "§ 3 Hundesteuersatzung; § 10 LHundG NRW",
        "purpose_de": "Festsetzung der Hundesteuer",
        "legal_remedy_de": "Gegen diesen Bescheid kann innerhalb eines Monats Klage erhoben werden.",
        "legal_remedy_en": "You may appeal within one month.",
    }
    response = admin.post(
        f"{BASE}hund/details/", {**DETAILS, **legal, "trust_level": "substantial"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = ServiceDefinition.objects.get(key="hund")
    assert draft.trust_level == "substantial"
    assert draft.privacy == {
        "purpose": {"de": "Festsetzung der Hundesteuer", "en": ""},
        "legal_basis": {"de": "§ 3 Hundesteuersatzung; § 10 LHundG NRW", "en": ""},
    }
    assert draft.legal_remedy == {
        "de": "Gegen diesen Bescheid kann innerhalb eines Monats Klage erhoben werden.",
        "en": "You may appeal within one month.",
    }
    form = admin.get(f"{BASE}hund/details/").content.decode()
    assert "§ 3 Hundesteuersatzung" in form and "You may appeal within one month." in form


def test_an_existing_question_is_changed_and_moved_by_keyboard_buttons(admin):
    build(admin)
    form = admin.get(f"{BASE}hund/steps/1/fields/rasse/").content.decode()
    assert 'value="Rasse"' in form and 'value="60"' in form
    response = admin.post(
        f"{BASE}hund/steps/1/fields/rasse/",
        {
            "name": "rasse",
            "type": "text",
            "label_de": "Rasse des Hundes",
            "label_en": "Breed",
            "help_de": "Wie im Heimtierausweis",
            "min_length": "2",
            "max_length": "80",
            "pattern": "[^0-9]+",
            "condition_field": "hund",
            "condition_values": "ja",
        },
    )
    assert response.status_code == 302
    spec = ServiceDefinition.objects.get(key="hund").form["steps"][0]["fields"][1]
    assert spec["label"] == {"de": "Rasse des Hundes", "en": "Breed"}
    assert (spec["min_length"], spec["max_length"], spec["pattern"]) == (2, 80, "[^0-9]+")
    admin.post(
        f"{BASE}hund/steps/1/fields/new/",
        {
            "name": "halter",
            "type": "text",
            "label_de": "Familienname der Halterin",
            "autocomplete": "family-name",
            "verified": "family_name",
        },
    )
    spec = ServiceDefinition.objects.get(key="hund").form["steps"][0]["fields"][-1]
    assert (spec["autocomplete"], spec["verified"]) == ("family-name", "family_name")
    assert spec["required"] is False

    # Moving "rasse" above the question its condition asks is refused, with the reason.
    response = admin.post(f"{BASE}hund/steps/1/fields/rasse/action/", {"action": "up"}, follow=True)
    assert (
        "Nicht geändert" in response.content.decode() or "Not changed" in response.content.decode()
    )
    assert [
        f["name"] for f in ServiceDefinition.objects.get(key="hund").form["steps"][0]["fields"]
    ] == ["hund", "rasse", "halter"]
    # Down past the step's end: into the next step.
    admin.post(f"{BASE}hund/steps/3/fields/zustimmung/action/", {"action": "up"})
    steps = ServiceDefinition.objects.get(key="hund").form["steps"]
    assert [f["name"] for f in steps[1]["fields"]] == ["begruendung", "zustimmung"]
    admin.post(f"{BASE}hund/steps/2/fields/zustimmung/action/", {"action": "down"})
    admin.post(f"{BASE}hund/steps/3/action/", {"action": "up"})
    steps = ServiceDefinition.objects.get(key="hund").form["steps"]
    assert [s["title"]["de"] for s in steps] == ["Haushalt", "Abschluss", "Befreiung"]
    admin.post(f"{BASE}hund/steps/3/fields/begruendung/action/", {"action": "delete"})
    assert ServiceDefinition.objects.get(key="hund").form["steps"][2]["fields"] == []


def test_a_wrong_question_is_explained_and_nothing_changes(admin):
    draft = build(admin)
    response = admin.post(
        f"{BASE}hund/steps/1/fields/new/",
        {"name": "hund", "type": "choice", "label_de": "Doppelt", "choices": ""},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "used twice" in page and "choices" in page
    response = admin.post(
        f"{BASE}hund/steps/1/fields/new/",
        {"name": "alter", "type": "integer", "label_de": "Alter", "min": "5", "max": "1"},
    )
    assert "min is greater than max" in response.content.decode()
    response = admin.post(
        f"{BASE}hund/steps/1/fields/new/",
        {
            "name": "farbe",
            "type": "text",
            "label_de": "Farbe",
            "condition_field": "hund",
            "condition_values": "vielleicht",
        },
    )
    assert "vielleicht" in response.content.decode()
    assert ServiceDefinition.objects.get(pk=draft.pk).form == draft.form


@pytest.mark.parametrize(
    ("language", "typed", "cents"),
    [
        ("de", "12,50", 1250),
        ("en", "12.50", 1250),
        ("de", "1.250,00", 125000),
        ("en", "1,250.00", 125000),
    ],
)
def test_fees_are_typed_in_euros_the_pages_language_way(kreis, language, typed, cents):
    admin = signed_in("district-admin", kreis, Membership.Role.DISTRICT_ADMIN, language)
    response = admin.post(
        f"{BASE}new/", {**DETAILS, "key": "hund", "fee": typed, "fee_max": "", "fee_min": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ServiceDefinition.objects.get(key="hund").fee["cents"] == cents


@pytest.mark.parametrize("typed", ["12,5€x", "12,505", "-3", "12.50"])
def test_a_fee_that_is_no_amount_is_explained(admin, typed):
    response = admin.post(f"{BASE}new/", {**DETAILS, "key": "hund", "fee": typed})
    assert response.status_code == 200
    assert "12,50" in response.content.decode()
    assert not ServiceDefinition.objects.exists()


def test_preview_renders_the_draft_as_the_citizen_form_and_files_nothing(admin):
    build(admin)
    page = admin.get(f"{BASE}hund/preview/").content.decode()
    assert "Halten Sie einen Hund?" in page and 'type="radio"' in page
    assert "Nothing you enter here is filed" in page or "Nichts" in page
    response = admin.post(f"{BASE}hund/preview/1/", {"hund": "ja"})
    assert response.status_code == 200 and 'href="#field-rasse"' in response.content.decode()
    assert (
        admin.post(f"{BASE}hund/preview/1/", {"hund": "nein"})["Location"]
        == f"{BASE}hund/preview/3/"
    )
    response = admin.post(f"{BASE}hund/preview/3/", {})
    assert response.status_code == 200  # the tick box is required
    assert (
        admin.post(f"{BASE}hund/preview/3/", {"zustimmung": "on"})["Location"]
        == f"{BASE}hund/preview/check/"
    )
    check = admin.get(f"{BASE}hund/preview/check/").content.decode()
    assert "Halten Sie einen Hund?" in check and "Befreiung" not in check
    from cases.models import Case

    assert not Case.objects.exists()


def test_changes_against_the_published_version_then_publish(admin, kreis):
    ServiceDefinitionFactory(
        key="sperrmuell",
        version=1,
        form={
            "steps": [
                {
                    "title": {"de": "Angaben"},
                    "fields": [
                        {
                            "name": "anliegen",
                            "type": "text",
                            "label": {"de": "Anliegen"},
                            "required": True,
                        },
                        {"name": "anzahl", "type": "integer", "label": {"de": "Anzahl"}, "min": 1},
                    ],
                }
            ]
        },
    )
    assert admin.post(f"{BASE}sperrmuell/draft/").status_code == 302
    admin.post(
        f"{BASE}sperrmuell/steps/1/fields/anzahl/",
        {
            "name": "anzahl",
            "type": "integer",
            "label_de": "Anzahl der Teile",
            "min": "1",
            "max": "10",
        },
    )
    admin.post(f"{BASE}sperrmuell/steps/1/fields/anliegen/action/", {"action": "delete"})
    admin.post(
        f"{BASE}sperrmuell/steps/1/fields/new/",
        {"name": "termin", "type": "date", "label_de": "Wunschtermin"},
    )
    page = admin.get(f"{BASE}sperrmuell/changes/").content.decode()
    added = page.split('id="fields-added"')[1].split("</ul>")[0]
    removed = page.split('id="fields-removed"')[1].split("</ul>")[0]
    changed = page.split('id="fields-changed"')[1].split("</ul>")[0]
    assert "termin" in added and "anliegen" in removed
    assert "anzahl" in changed and "label" in changed and "max" in changed
    kamen = kreis.towns.get(slug="kamen")
    ServiceOffering.objects.create(municipality=kamen, service_key="sperrmuell")
    filed = submit_case(
        municipality=kamen, service_key="sperrmuell", data={"anliegen": "Sofa", "anzahl": 2}
    )
    assert admin.post(f"{BASE}sperrmuell/changes/").status_code == 302
    filed.refresh_from_db()
    assert filed.service.version == 1  # a filed case keeps its version
    later = submit_case(
        municipality=kamen, service_key="sperrmuell", data={"anzahl": 3, "termin": "2027-01-15"}
    )
    assert later.service.version == 2
    versions = dict(
        ServiceDefinition.objects.filter(key="sperrmuell").values_list("version", "status")
    )
    assert versions == {1: "published", 2: "published"}
    assert admin.get(f"{BASE}sperrmuell/changes/").status_code == 404  # no draft any more


def test_an_unfinished_draft_is_not_published(admin):
    admin.post(f"{BASE}new/", {**DETAILS, "key": "leer"})
    page = admin.get(f"{BASE}leer/changes/").content.decode()
    assert "steps" in page
    admin.post(f"{BASE}leer/changes/")
    assert ServiceDefinition.objects.get(key="leer").status == "draft"
    # Nothing to preview yet: no link, and the address answers 404 (never a broken page).
    assert "/preview/" not in admin.get(f"{BASE}leer/").content.decode()
    assert admin.get(f"{BASE}leer/preview/").status_code == 404


# --- offerings ------------------------------------------------------------------------------


@pytest.fixture
def published(kreis):
    return ServiceDefinitionFactory(
        key="hund", fee={"kind": "fixed", "cents": 1500}, fee_min_cents=1000, fee_max_cents=2000
    )


def test_district_admin_offers_a_service_in_two_towns_with_a_fee_in_euros(admin, kreis, published):
    page = admin.get("/district/offerings/?service=hund").content.decode()
    assert "Kamen" in page and "Selm" in page and "10,00 € – 20,00 €" in page
    ids = {t.slug: f"{t.pk}-hund" for t in kreis.towns.all()}
    response = admin.post(
        "/district/offerings/",
        {
            "service": "hund",
            "action": "fee",
            "bulk_fee": "12,50",
            "select": [ids["kamen"], ids["selm"]],
        },
    )
    assert response.status_code == 302
    response = admin.post(
        "/district/offerings/",
        {
            "service": "hund",
            "action": "offer",
            "select": [ids["kamen"], ids["selm"]],
            **{f"fee-{i}": "12,50" for i in (ids["kamen"], ids["selm"])},
        },
    )
    offered = {
        o.municipality.slug: (o.active, o.fee_override_cents)
        for o in ServiceOffering.objects.select_related("municipality")
    }
    assert offered == {"kamen": (True, 1250), "selm": (True, 1250)}


def test_a_fee_outside_the_bounds_saves_nothing_and_names_the_row(admin, kreis, published):
    kamen = kreis.towns.get(slug="kamen")
    response = admin.post(
        "/district/offerings/",
        {
            "service": "hund",
            "action": "offer",
            "select": [f"{kamen.pk}-hund"],
            f"fee-{kamen.pk}-hund": "25,00",
        },
    )
    assert response.status_code == 200
    assert "Kamen" in response.content.decode() and "20,00" in response.content.decode()
    assert not ServiceOffering.objects.exists()


def test_a_municipal_admin_sees_and_prices_only_their_town(kreis, published):
    kamen = kreis.towns.get(slug="kamen")
    ServiceOffering.objects.create(municipality=kamen, service_key="hund")
    ServiceOffering.objects.create(municipality=kreis.towns.get(slug="selm"), service_key="hund")
    town_admin = signed_in("admin-kamen", kamen, Membership.Role.MUNICIPAL_ADMIN)
    page = town_admin.get("/district/offerings/?town=selm").content.decode()
    assert "Selm" not in page.split("<table")[1]
    response = town_admin.post(
        "/district/offerings/", {"town": "kamen", f"fee-{kamen.pk}-hund": "11,00"}
    )
    assert response.status_code == 302
    assert ServiceOffering.objects.get(municipality=kamen).fee_override_cents == 1100
    response = town_admin.post(
        "/district/offerings/",
        {"town": "kamen", "action": "withdraw", "select": [f"{kamen.pk}-hund"]},
    )
    assert response.status_code == 404
    assert ServiceOffering.objects.get(municipality=kamen).active


# --- FIM import page ---------------------------------------------------------------------


def test_the_fim_import_page_makes_a_draft_and_shows_the_report(admin):
    data = (FIXTURES / "hundesteuer-2.0.xml").read_bytes()
    response = admin.post(f"{BASE}fim/", {"key": "hundesteuer", "file": upload("hund.xml", data)})
    page = response.content.decode()
    assert response.status_code == 200
    assert ServiceDefinition.objects.get(key="hundesteuer").status == "draft"
    not_imported = page.split('id="not-imported"')[1].split("</ul>")[0]
    assert "R99" in not_imported


def test_a_malformed_fim_file_is_explained_and_leaves_nothing(admin):
    data = (FIXTURES / "malformed.xml").read_bytes()
    response = admin.post(f"{BASE}fim/", {"key": "hundesteuer", "file": upload("kaputt.xml", data)})
    assert response.status_code == 200
    assert "line" in response.content.decode()
    assert not ServiceDefinition.objects.exists()


@pytest.mark.parametrize("fixture", ["hundesteuer-2.0.xml", "wohnung-3.0.0.xml"])
def test_every_imported_question_saved_unchanged_stays_the_same(admin, fixture):
    """Editing keeps what the page does not show (fim_id) and shows everything else:
    opening and saving each question of an imported schema changes nothing."""
    data = (FIXTURES / fixture).read_bytes()
    admin.post(f"{BASE}fim/", {"key": "import", "file": upload("schema.xml", data)})
    before = ServiceDefinition.objects.get(key="import").form
    for number, step in enumerate(before["steps"], start=1):
        for spec in step["fields"]:
            page = admin.get(f"{BASE}import/steps/{number}/fields/{spec['name']}/")
            form = page.context["form"]
            posted = {}
            for bf in form:
                value = bf.value()
                if value is None or value is False or value == "":
                    continue
                posted[bf.html_name] = value if isinstance(value, list) else str(value)
            response = admin.post(f"{BASE}import/steps/{number}/fields/{spec['name']}/", posted)
            assert response.status_code == 302, (spec["name"], response.content.decode()[:3000])
        assert (
            admin.post(
                f"{BASE}import/steps/{number}/",
                {
                    k: v
                    for k, v in (
                        (bf.html_name, bf.value())
                        for bf in admin.get(f"{BASE}import/steps/{number}/").context["form"]
                    )
                    if v
                },
            ).status_code
            == 302
        )
    after = ServiceDefinition.objects.get(key="import").form
    for old_step, new_step in zip(before["steps"], after["steps"], strict=True):
        assert {k: v for k, v in new_step.items() if k != "fields"} == {
            k: v for k, v in old_step.items() if k != "fields"
        }
        for old, new in zip(old_step["fields"], new_step["fields"], strict=True):
            assert new == old, old["name"]
