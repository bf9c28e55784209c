"""What people noticed on the citizen's and the clerk's pages (issue 18): the tracking page
says when a decision is expected and what happens next, an open question comes before the
fee; the clerk's page shows the application first with the actions beside it; the
applicant's address fields autocomplete and a third person's birth date does not; the
header offers the workspace only to those who may open it; Swagger UI is served from the
portal itself."""

import re

import pytest
from django.contrib.auth import get_user_model

from cases.models import Actor, Case
from cases.services import case_apply_action
from core import formats
from municipalities.models import Membership, Municipality
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID_TIME = re.compile(
    r'datetime="(\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z))?)"'
)


def track(client, case, language):
    response = client.get(
        f"/track/{case.reference}/",
        {"access_token": case.access_token},
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,  # the link's token is exchanged for a cookie first
    )
    assert response.status_code == 200
    return response.content.decode()


def asked(case):
    clerk = get_user_model().objects.get(username="clerk-kamen")
    return case_apply_action(
        case=case,
        action="request_info",
        actor_kind=Actor.CLERK,
        actor=clerk,
        comment="Bitte reichen Sie den „Handelsregisterauszug“ nach.",
    )


def test_tracking_page_says_when_and_what_next_in_each_language(client, file_case):
    case = file_case(name="Łukasz Yılmaz–Şahin").case
    case.refresh_from_db()
    assert case.status == Case.Status.IN_REVIEW and case.due_date

    german = track(client, case, "de")
    english = track(client, case, "en")

    assert "So geht es weiter" in german and "What happens next" in english
    assert f'Voraussichtliche Entscheidung bis <time datetime="{case.due_date:%Y-%m-%d}">' in german
    assert formats.date(case.due_date, "de") in german  # 30.11.2026
    assert formats.date(case.due_date, "en") in english  # 30 Nov 2026
    assert "Die Behörde prüft Ihren Antrag." in german
    for page in (german, english):
        assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{4}\b", page)
        for match in re.finditer(r'datetime="([^"]*)"', page):
            assert VALID_TIME.fullmatch(match.group(0)), match.group(0)


def test_an_open_question_comes_before_the_fee(client, file_case):
    case = asked(file_case().case)
    assert case.fee_cents

    page = track(client, case, "de")

    assert page.index('id="respond-heading"') < page.index('id="fee-heading"')
    assert "Bitte beantworten Sie unten die Frage." in page


def test_clerk_page_shows_the_application_first_and_the_actions_beside_it(client, file_case):
    case = file_case().case
    client.force_login(get_user_model().objects.get(username="clerk-kamen"))

    page = client.get(
        f"/workspace/cases/{case.reference}/", HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()

    main = page.index('class="portal-case__main"')
    side = page.index('<aside class="portal-case__side"')
    assert main < page.index('id="answers-heading"') < side
    assert side < page.index('id="actions-heading"')
    assert side < page.index('id="payments-heading"')
    # The payments table scrolls inside its own region at 320 px.
    if 'class="kern-table"' in page[side:]:
        assert 'class="kern-table-responsive" tabindex="0" role="region"' in page[side:]
    for match in re.finditer(r'datetime="([^"]*)"', page):
        assert VALID_TIME.fullmatch(match.group(0)), match.group(0)


def step_page(client, town, service, number=1, language="de"):
    url = f"/{town}/{service}/" if number == 1 else f"/{town}/{service}/{number}/"
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def autocomplete_of(page, name):
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert match, name
    found = re.search(r'autocomplete="([^"]*)"', match.group(0))
    return found.group(1) if found else None


def test_the_applicants_address_autocompletes_a_third_persons_birth_date_does_not(client, demo):
    from catalog.models import ServiceDefinition

    # The Melderegisterauskunft asks for the online ID card first (issue 15); this test is
    # about its form, so the service is opened to anonymous citizens here.
    ServiceDefinition.objects.filter(key="melderegisterauskunft").update(trust_level="none")
    own = step_page(client, "bergkamen", "gewerbe-anmelden", 1)
    someone = step_page(client, "bergkamen", "melderegisterauskunft", 1)

    assert autocomplete_of(own, "strasse") == "address-line1"
    assert autocomplete_of(own, "hausnummer") == "on"
    assert autocomplete_of(own, "plz") == "postal-code"
    assert autocomplete_of(own, "ort") == "address-level2"
    assert autocomplete_of(someone, "geburtsdatum") == "off"
    assert 'autocomplete="bday"' not in someone


def test_a_service_definition_may_only_name_known_autocomplete_tokens():
    from catalog.forms.validation import schema_errors

    form = {
        "steps": [
            {
                "title": "Person",
                "fields": [
                    {"name": "ort", "type": "text", "label": "Ort", "autocomplete": "city"},
                    {"name": "plz", "type": "text", "label": "PLZ", "autocomplete": "off"},
                ],
            }
        ]
    }
    [problem] = schema_errors(form)
    assert "'ort'" in problem and "autocomplete" in problem


def test_only_clerks_see_the_workspace_link(client, demo):
    town = Municipality.objects.get(slug="bergkamen")
    admin = UserFactory(is_staff=True)
    MembershipFactory(user=admin, municipality=town, role=Membership.Role.MUNICIPAL_ADMIN)
    client.force_login(admin)
    as_admin = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert client.get("/workspace/").status_code == 403

    client.force_login(get_user_model().objects.get(username="clerk-bergkamen"))
    as_clerk = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert 'href="/workspace/"' not in as_admin
    assert 'href="/workspace/"' in as_clerk


def test_api_docs_come_from_the_portals_own_static_files(client):
    page = client.get("/api/docs/")

    assert page.status_code == 200
    html = page.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all(not body.strip() for _attrs, body in scripts)  # no inline code
    sources = [re.search(r'src="([^"]+)"', attrs).group(1) for attrs, _body in scripts]
    assert any("drf_spectacular_sidecar/swagger-ui-dist" in s for s in sources), sources
    assert "<style" not in html and "cdn.jsdelivr" not in html and "https://" not in html
    init = next(s for s in sources if "script" in s and "sidecar" not in s)
    script = client.get(init.replace("&amp;", "&"))
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
