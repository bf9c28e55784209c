"""The service designer in a real browser (issue 16, acceptances 1 and 4): the demo's
district admin builds a three-step service with a conditional step from scratch, moves a
question by keyboard, previews the draft as the citizen form, publishes it, offers it in
two towns at a fee typed as "12,50", and a citizen files a case for it; axe-core finds no
WCAG 2.1 A/AA violation on any designer page."""

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import Page, expect

from cases.models import Case
from catalog.models import ServiceDefinition, ServiceOffering
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import REPO_ROOT

WAIT = 20_000
KEY = "hundehaltung"


def german(msgid: str) -> str:
    with translation.override("de"):
        return translation.gettext(msgid)


@pytest.fixture
def demo_data(transactional_db) -> None:
    call_command("load_demo", password="demo", verbosity=0)


def sign_in(page: Page) -> None:
    page.goto("/accounts/login/?next=/district/services/")
    page.locator("#id_username").fill("district-admin")
    page.locator("#id_password").fill("demo")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(german("Service designer"), timeout=WAIT)


def submit(page: Page, label: str) -> None:
    page.get_by_role("button", name=german(label)).click()
    expect(page.locator(".kern-alert--success")).to_be_visible(timeout=WAIT)


def add_step(page: Page, title: str) -> None:
    page.get_by_role("link", name=german("Add a step")).click()
    page.locator("[name=title_de]").fill(title)
    submit(page, "Save the step")


def add_question(page: Page, step: int, **values: str) -> None:
    page.goto(f"/district/services/{KEY}/steps/{step}/fields/new/")
    for name, value in values.items():
        box = page.locator(f"[name={name}]")
        if name in ("type", "condition_field"):
            box.select_option(value)
        elif name == "required":
            box.check()
        else:
            box.fill(value)
    submit(page, "Save the question")


def test_a_district_admin_builds_previews_publishes_and_offers_a_service_a_citizen_uses(
    make_page: Callable[..., Page], demo_data: None
):
    admin = make_page()
    sign_in(admin)
    assert_no_axe_violations(admin, "designer: services (de)")

    # Details, with the fee typed the German way.
    admin.get_by_role("link", name=german("New service")).click()
    assert_no_axe_violations(admin, "designer: new service (de)")
    admin.locator("[name=key]").fill(KEY)
    admin.locator("[name=name_de]").fill("Hundehaltung anzeigen")
    admin.locator("[name=name_en]").fill("Report keeping a dog")
    admin.locator("[name=description_de]").fill("Für „Bello“, „Luna“ & Co.")
    admin.locator("[name=fee_kind]").select_option("fixed")
    admin.locator("[name=fee]").fill("12,50")
    admin.locator("[name=fee_min]").fill("10,00")
    admin.locator("[name=fee_max]").fill("20,00")
    admin.get_by_role("button", name=german("Create the draft")).click()
    expect(admin.locator("h1")).to_have_text("Hundehaltung anzeigen", timeout=WAIT)

    # Three steps; the second is asked only for dog owners.
    for title in ("Halterin oder Halter", "Der Hund", "Bestätigung"):
        add_step(admin, title)
    add_question(
        admin,
        1,
        label_de="Name",
        label_en="Name",
        name="name",
        type="text",
        required="on",
        max_length="120",
    )
    add_question(
        admin,
        1,
        label_de="Halten Sie einen Hund?",
        label_en="Do you keep a dog?",
        name="hund",
        type="choice",
        required="on",
        choices="ja | Ja | Yes\nnein | Nein | No",
    )
    add_question(
        admin,
        1,
        label_de="Rufname des Hundes",
        label_en="The dog's name",
        name="rufname",
        type="text",
        condition_field="hund",
        condition_values="ja",
    )
    add_question(
        admin, 2, label_de="Rasse", label_en="Breed", name="rasse", type="text", required="on"
    )
    add_question(
        admin,
        3,
        label_de="Meine Angaben sind richtig",
        name="richtig",
        type="boolean",
        required="on",
    )
    admin.goto(f"/district/services/{KEY}/steps/2/")
    assert_no_axe_violations(admin, "designer: step (de)")
    admin.locator("[name=condition_field]").select_option("hund")
    admin.locator("[name=condition_values]").fill("ja")
    submit(admin, "Save the step")

    # The dog question goes first: by keyboard, on its "Move up" button.
    button = admin.locator("#field-hund").get_by_role("button", name=german("Move up"))
    button.focus()
    admin.keyboard.press("Enter")
    expect(admin.locator(".kern-alert--success")).to_be_visible(timeout=WAIT)
    order = admin.locator("#step-1 li[data-field]").evaluate_all(
        "items => items.map(i => i.dataset.field)"
    )
    assert order == ["hund", "name", "rufname"]
    assert_no_axe_violations(admin, "designer: service (de)")

    # Change an existing question.
    admin.locator("#field-rasse").get_by_role("link", name=german("Change")).click()
    assert_no_axe_violations(admin, "designer: question (de)")
    admin.locator("[name=help_de]").fill("Wie im Heimtierausweis, z. B. „Labrador-Mischling“")
    submit(admin, "Save the question")
    admin.get_by_role("link", name=german("Change the details")).click()
    assert_no_axe_violations(admin, "designer: details (de)")
    expect(admin.locator("[name=fee]")).to_have_value("12,50")
    admin.go_back()

    # The preview is the citizen's form: a "no" skips the dog's step; nothing is filed.
    admin.get_by_role("link", name=german("Preview as a citizen")).click()
    expect(admin.locator("h1")).to_have_text("Halterin oder Halter", timeout=WAIT)
    assert_no_axe_violations(admin, "designer: preview step (de)")
    admin.get_by_role("button", name=german("Continue")).click()
    expect(admin.locator(".portal-error-summary")).to_be_visible(timeout=WAIT)
    # The question depending on an answer of the same page is hidden until it applies.
    expect(admin.locator("[data-question=rufname]")).to_be_hidden()
    admin.get_by_label("Ja").check()
    expect(admin.locator("[data-question=rufname]")).to_be_visible()
    admin.get_by_label("Nein").check()
    expect(admin.locator("[data-question=rufname]")).to_be_hidden()
    admin.locator("[name=name]").fill("Łukasz Yılmaz–Şahin")
    admin.get_by_role("button", name=german("Continue")).click()
    expect(admin.locator("h1")).to_have_text("Bestätigung", timeout=WAIT)
    admin.locator("[name=richtig]").check()
    admin.get_by_role("button", name=german("Continue")).click()
    expect(admin.locator("main")).to_contain_text("Łukasz Yılmaz–Şahin", timeout=WAIT)
    expect(admin.locator("main")).not_to_contain_text("Rasse")
    assert_no_axe_violations(admin, "designer: preview check (de)")
    assert not Case.objects.exists()

    # Changes against nothing published, then publish.
    admin.goto(f"/district/services/{KEY}/changes/")
    expect(admin.locator("#fields-added")).to_contain_text("rasse")
    assert_no_axe_violations(admin, "designer: changes (de)")
    admin.get_by_role("button", name=german("Publish version %(v)s") % {"v": 1}).click()
    expect(admin.locator(".kern-alert--success")).to_be_visible(timeout=WAIT)
    assert ServiceDefinition.objects.get(key=KEY).status == "published"

    # Offer it in Kamen and Unna at "12,50".
    admin.goto(f"/district/offerings/?service={KEY}")
    assert_no_axe_violations(admin, "designer: offerings (de)")
    width = admin.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1280, f"the offerings list is {width} px wide"
    for town in ("Kamen", "Unna"):
        row = admin.locator("tbody tr", has=admin.get_by_role("cell", name=town, exact=True))
        row.locator("[name=select]").check()
        row.locator("input[name^=fee-]").fill("12,50")
    admin.get_by_role("button", name=german("Offer"), exact=True).click()
    expect(admin.locator(".kern-alert--success")).to_be_visible(timeout=WAIT)
    offered = {
        o.municipality.slug: o.fee_override_cents
        for o in ServiceOffering.objects.filter(service_key=KEY, active=True)
    }
    assert offered == {"kamen": 1250, "unna": 1250}

    admin.goto("/district/services/fim/")
    assert_no_axe_violations(admin, "designer: FIM import (de)")
    admin.locator("[name=file]").set_input_files(
        str(REPO_ROOT / "tests" / "catalog" / "fim" / "wohnung-3.0.0.xml")
    )
    admin.locator("[name=key]").fill("wohnung-fim")
    admin.get_by_role("button", name=german("Import")).click()
    expect(admin.locator("#not-imported")).to_be_visible(timeout=WAIT)
    assert_no_axe_violations(admin, "designer: FIM report (de)")

    # Without JavaScript the conditional question is shown and says when it applies.
    plain = make_page(js=False)
    plain.goto(f"/kamen/{KEY}/")
    expect(plain.locator("[data-question=rufname]")).to_contain_text(
        "Nur wenn „Halten Sie einen Hund?“ mit „Ja“ beantwortet wurde."
    )

    # A citizen of Kamen files a case; the dog's step is asked now.
    citizen = make_page()
    citizen.goto(f"/kamen/{KEY}/")
    citizen.get_by_label("Ja").check()
    citizen.locator("[name=rufname]").fill("Bello")
    citizen.locator("[name=name]").fill("Nguyễn Thị Minh Khai")
    citizen.get_by_role("button", name=german("Continue")).click()
    expect(citizen.locator("h1")).to_have_text("Der Hund", timeout=WAIT)
    citizen.locator("[name=rasse]").fill("Labrador-Mischling")
    citizen.get_by_role("button", name=german("Continue")).click()
    citizen.locator("[name=richtig]").check()
    citizen.get_by_role("button", name=german("Continue")).click()
    citizen.locator("[name=applicant_name]").fill("Nguyễn Thị Minh Khai")
    citizen.locator("[name=applicant_email]").fill("minh.khai@example.org")
    citizen.get_by_role("button", name=german("Continue")).click()
    expect(citizen.locator("main")).to_contain_text("12,50", timeout=WAIT)
    citizen.get_by_role("button", name=german("Send request")).click()
    expect(citizen.locator("h1")).to_be_visible(timeout=WAIT)
    case = Case.objects.get(service__key=KEY)
    assert case.municipality.slug == "kamen" and case.fee_cents == 1250
    assert case.data == {
        "hund": "ja",
        "name": "Nguyễn Thị Minh Khai",
        "rufname": "Bello",
        "rasse": "Labrador-Mischling",
        "richtig": True,
    }


def test_a_town_admin_sees_only_their_towns_offerings_and_the_page_is_accessible(
    make_page: Callable[..., Page], demo_data: None
):
    page = make_page(locale="en-GB")
    page.goto("/accounts/login/?next=/district/offerings/")
    page.locator("#id_username").fill("admin-kamen")
    page.locator("#id_password").fill("demo")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Offerings and fees", timeout=WAIT)
    towns = set(page.locator("tbody tr td:nth-child(2)").all_inner_texts())
    assert towns == {"Kamen"}
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1280, f"the offerings list is {width} px wide"
    assert_no_axe_violations(page, "offerings (en, town admin)")
    assert page.goto("/district/services/").status == 404


def test_questions_are_reordered_by_dragging(make_page: Callable[..., Page], demo_data: None):
    label = {"de": "Frage", "en": "Question"}
    ServiceDefinition.objects.create(
        key="ziehen",
        version=1,
        status="draft",
        name={"de": "Ziehen", "en": "Drag"},
        form={
            "steps": [
                {
                    "title": {"de": "Angaben"},
                    "fields": [
                        {"name": n, "type": "text", "label": {**label, "de": f"Frage {n}"}}
                        for n in ("erste", "zweite", "dritte")
                    ],
                }
            ]
        },
        fee={"kind": "free"},
    )
    admin = make_page()
    sign_in(admin)
    admin.goto("/district/services/ziehen/")
    admin.locator("#field-dritte").drag_to(admin.locator("#field-erste"))
    expect(admin.locator("#step-1 li[data-field]").first).to_have_attribute(
        "data-field", "dritte", timeout=WAIT
    )
    form = ServiceDefinition.objects.get(key="ziehen").form
    assert [f["name"] for f in form["steps"][0]["fields"]] == ["dritte", "erste", "zweite"]
