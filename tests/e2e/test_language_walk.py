"""An English and a German walk through the citizen's, the clerk's and the district's pages
in Chromium (issue 18, acceptance): every visible text — text nodes, accessible names,
titles — is checked against the other language's catalogue (locale/de/LC_MESSAGES/django.po):
a German page shows no English msgid the catalogue translates, an English page no German
translation; neither shows a date in US order, a provider or actor key, or "EUR" in prose.
Beside it, the admin pages people tripped over pass axe, the clerk's page fits 320 px with the
payments table scrolling in its own region, and /api/docs/ renders within the CSP."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from cases.models import Actor, Case
from cases.services import case_apply_action, case_submit
from municipalities.models import Municipality
from payments.services.creation import payment_create
from tests.conftest import DEMO_ANSWERS
from tests.e2e.axe import assert_no_axe_violations

WAIT = 20_000
US_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")
MONTH_FIRST = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}, \d{4}\b"
)
# Keys and English words that must never reach a German page (issue 18's findings).
RAW_KEYS = re.compile(
    r"\((applicant|system|payments|clerk)\)|\bgirocheckout\b|\bgirocode \(|"
    r"\bsepa_credit_transfer\b|\bmunicipality\b|Created at|\d EUR\b"
)

# Every text a reader meets: text nodes, and the names of controls and images. Text inside an
# element in another language (the language switch: "English" on a German page) is skipped.
COLLECT = """() => {
  const page = document.documentElement.lang;
  const out = [];
  const own = (el) => { const l = el.closest('[lang]'); return !l || l.lang === page; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || el.closest('script,style,template,textarea,option') || !own(el)) continue;
    const text = walker.currentNode.textContent.replace(/\\s+/g, ' ').trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('[aria-label],[title],[placeholder],img[alt]')) {
    if (!own(el)) continue;
    for (const a of ['aria-label', 'title', 'placeholder', 'alt']) {
      const v = el.getAttribute(a);
      if (v && v.trim()) out.push(v.trim());
    }
  }
  out.push(document.title);
  return out;
}"""


def _pattern(text: str) -> re.Pattern:
    parts = re.split(r"%\(\w+\)[sd]|%[sd]", text)
    return re.compile(r"\s*".join([]) + ".+?".join(re.escape(p.strip()) for p in parts) + r"\Z")


def _catalogue() -> list[tuple[str, str]]:
    path = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"
    with path.open("rb") as po:
        catalog = read_po(po)
    pairs = []
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or not message.string:
            continue
        english, german = message.id.strip(), str(message.string).strip()
        # Words the same in both languages, or too short to say anything, prove nothing.
        if english.lower() == german.lower() or len(re.sub(r"%\(\w+\)s", "", english)) < 4:
            continue
        pairs.append((english, german))
    return pairs


CATALOGUE = _catalogue()
# A German page must not show these (English msgids), an English page not those (German).
NOT_ON_GERMAN = [(e, _pattern(e)) for e, _g in CATALOGUE]
NOT_ON_ENGLISH = [(g, _pattern(g)) for _e, g in CATALOGUE]
# Translations that are also English (or names) in their own right.
SAME_IN_BOTH = {"Online", "Status", "Service", "Version", "Name", "IBAN", "BIC", "E-Mail"}


def foreign_texts(texts: list[str], language: str) -> list[str]:
    candidates = NOT_ON_GERMAN if language == "de" else NOT_ON_ENGLISH
    found = []
    for text in dict.fromkeys(texts):
        bare = text.strip(" :*()–-·")
        if bare in SAME_IN_BOTH:
            continue
        for source, pattern in candidates:
            if pattern.match(bare) and not (
                language == "en" and any(p.match(bare) for _s, p in NOT_ON_GERMAN)
            ):
                found.append(f"{text!r} (catalogue: {source!r})")
                break
    return found


def check_page(page: Page, url: str, language: str) -> None:
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", language)
    texts = page.evaluate(COLLECT)
    body = "\n".join(texts)
    foreign = foreign_texts(texts, language)
    assert not foreign, f"{url} ({language}) shows the other language:\n" + "\n".join(foreign)
    assert not US_DATE.search(body), (url, language, US_DATE.search(body).group(0))
    assert not MONTH_FIRST.search(body), (url, language, MONTH_FIRST.search(body).group(0))
    if language == "de":
        raw = RAW_KEYS.search(body)
        assert not raw, (url, raw.group(0))


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("demo")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_username")).to_have_count(0, timeout=WAIT)


@pytest.fixture
def walk_case(transactional_db) -> Case:
    call_command("load_demo", password="demo", verbosity=0)
    filed = case_submit(
        municipality=Municipality.objects.get(slug="boenen"),
        service_key="gewerbe-anmelden",
        applicant={"name": "Łukasz Yılmaz–Şahin", "email": "lukasz@example.org"},
        data=dict(DEMO_ANSWERS["gewerbe-anmelden"]),
    ).case
    payment_create(payable=filed, provider_key="girocode")
    case_apply_action(
        case=filed,
        action="request_info",
        actor_kind=Actor.CLERK,
        actor=filed.processing_authority.memberships.filter(role="clerk").first().user,
        comment="Bitte reichen Sie den „Handelsregisterauszug“ nach.",
    )
    return filed


@pytest.mark.parametrize(("language", "locale"), [("de", "de-DE"), ("en", "en-GB")])
def test_citizen_clerk_and_district_pages_speak_one_language(
    make_page: Callable[..., Page], walk_case: Case, language: str, locale: str
):
    case = walk_case
    citizen = make_page(locale=locale)
    for url in [
        "/",
        "/bergkamen/",
        "/bergkamen/gewerbe-anmelden/",
        f"/track/{case.reference}/?access_token={case.access_token}",
    ]:
        check_page(citizen, url, language)

    clerk = make_page(locale=locale)
    sign_in(clerk, "clerk-kamen")
    for url in ["/workspace/", f"/workspace/cases/{case.reference}/"]:
        check_page(clerk, url, language)

    district = make_page(locale=locale)
    sign_in(district, "district-admin")
    check_page(district, "/district/", language)


def test_clerk_page_fits_320_px_and_admin_pages_pass_axe(
    make_page: Callable[..., Page], walk_case: Case
):
    clerk = make_page()
    sign_in(clerk, "clerk-kamen")
    clerk.set_viewport_size({"width": 320, "height": 800})
    clerk.goto(f"/workspace/cases/{walk_case.reference}/")
    # Application first: the answers come before the actions in reading order.
    answers = clerk.locator("#answers-heading").bounding_box()
    actions = clerk.locator("#actions-heading").bounding_box()
    assert answers["y"] < actions["y"]
    assert clerk.evaluate("document.documentElement.scrollWidth") <= 320
    region = clerk.locator("#payments .kern-table-responsive")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")  # scrolls on its own
    clerk.set_viewport_size({"width": 1280, "height": 900})
    clerk.goto(f"/workspace/cases/{walk_case.reference}/")
    side = clerk.locator("aside.portal-case__side").bounding_box()
    assert side["x"] > answers["x"] + 300  # beside the application on a wide screen
    assert_no_axe_violations(clerk, "case page with sidebar (de)")

    admin = make_page()
    sign_in(admin, "district-admin")
    admin.goto("/admin/catalog/serviceoffering/")
    assert_no_axe_violations(admin, "offerings list (de)")
    admin.goto("/admin/catalog/servicedefinition/import/")
    assert_no_axe_violations(admin, "service import (de)")

    town_admin = make_page()
    sign_in(town_admin, "admin-bergkamen")
    town_admin.goto("/")
    expect(town_admin.locator("a[href='/workspace/']")).to_have_count(0)


def test_api_docs_render_offline_within_the_csp(make_page: Callable[..., Page], live_server):
    page = make_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on(
        "request",
        lambda r: problems.append(r.url) if not r.url.startswith(live_server.url) else None,
    )

    page.goto("/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Kreisportal API", timeout=WAIT
    )
    assert not problems, problems
