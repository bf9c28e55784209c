"""A first visit costs at most 150 KiB (issue 17, acceptance 3), measured against a real HTTP
server running the production static pipeline: `collectstatic` with the manifest storage
(hashed names, gzip/Brotli copies) served by the portal's whitenoise middleware, HTML
compressed by the portal's middleware.

The measurement (tests/page_weight.py) is that of a browser with an empty cache that fetches
every stylesheet, font face and image the page could use; it prints its figures per page
and per resource (`pytest -s` or `-rP` shows them)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.test.testcases import LiveServerThread

from portal import settings as portal_settings
from tests.conftest import DEMO_ANSWERS, _load_demo
from tests.page_weight import PageWeight, fetch, measure

BUDGET = 150 * 1024
ONE_YEAR = "max-age=31536000, public, immutable"
PRODUCTION_STORAGES = portal_settings.STORAGES  # tests/conftest.py swaps in a plain storage


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`collectstatic` as the build runs it, into a folder of this test run."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def server(settings, collected: Path, transactional_db) -> Iterator[str]:
    """The portal behind a real HTTP server, with nothing between the socket and the
    portal's middleware (pytest-django's live_server serves static files itself, from
    their sources, uncompressed and unhashed)."""
    settings.STATIC_ROOT = collected
    settings.STORAGES = PRODUCTION_STORAGES
    thread = LiveServerThread("127.0.0.1", static_handler=lambda application: application)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


@pytest.fixture
def demo_pages(server: str) -> dict[str, str]:
    """The four pages of the budget: home, Bönen, the first step of the first service
    Bönen offers, and the tracking page of a case filed there."""
    from cases.services import case_submit
    from municipalities.models import Municipality

    _load_demo()
    _, town_page = fetch(f"{server}/boenen/")
    # The first service open without a BundID sign-in (others redirect to /saml2/login/).
    from catalog.models import ServiceDefinition

    anonymous = set(
        ServiceDefinition.objects.filter(trust_level="none").values_list("key", flat=True)
    )
    first_service = next(
        (
            m
            for m in re.finditer(rb'href="(/boenen/([a-z0-9-]+)/)"', town_page)
            if m.group(2).decode() in anonymous
        ),
        None,
    )
    assert first_service, "Bönen's page lists no service"
    submitted = case_submit(
        municipality=Municipality.objects.get(slug="boenen"),
        service_key="fundsache",
        applicant={"name": "Nguyễn Thị Minh Khai", "email": "minh.khai@example.org"},
        data=dict(DEMO_ANSWERS["fundsache"]),
        language="de",
    )
    reference, token = submitted.case.reference, submitted.access_token
    return {
        "home": f"{server}/",
        "town": f"{server}/boenen/",
        "form step": server + first_service.group(1).decode(),
        "tracking": f"{server}/track/{reference}/?access_token={token}",
    }


def _print(weights: dict[str, PageWeight]) -> None:
    print()
    for name, weight in weights.items():
        kinds = weight.by_kind()
        print(
            f"{name:10} {weight.total / 1024:6.1f} KiB  (fonts {kinds['font'] / 1024:.1f}, "
            f"css {kinds['css'] / 1024:.1f}, html {kinds['html'] / 1024:.1f}, "
            f"images {kinds['image'] / 1024:.1f}, scripts {kinds['script'] / 1024:.1f})"
        )
    for weight in weights.values():
        print(weight.report())


def test_first_visit_of_each_page_transfers_at_most_150_kib(demo_pages: dict[str, str]) -> None:
    weights = {name: measure(url) for name, url in demo_pages.items()}
    _print(weights)

    for name, weight in weights.items():
        # A redirect the browser follows is no broken reference: the tracking link is one
        # (its token is exchanged for a cookie); its bytes count like any other.
        broken = [f"{r.status} {r.url}" for r in weight.resources if not 200 <= r.status < 400]
        assert not broken, f"{name}: references that do not load: {broken}"
        kinds = weight.by_kind()
        # The fonts really are counted: every face of the portal's @font-face rules.
        faces = [r for r in weight.resources if r.kind == "font"]
        assert len(faces) == 3 and kinds["font"] > 0, (name, [r.url for r in faces])
        assert kinds["css"] > 0 and kinds["html"] > 0, name
    over = {
        name: f"{weight.total / 1024:.1f} KiB"
        for name, weight in weights.items()
        if weight.total > BUDGET
    }
    assert not over, f"over the 150 KiB budget: {over}"


def test_html_is_compressed_and_static_files_are_hashed_precompressed_and_cached_a_year(
    demo_pages: dict[str, str],
) -> None:
    weight = measure(demo_pages["town"])
    page, *static = weight.resources
    assert page.encoding == "gzip"
    assert page.body < page.decoded / 2
    assert static
    for resource in static:
        assert re.search(r"\.[0-9a-f]{12}\.(css|woff2)$", resource.url), resource.url
        assert resource.headers["cache-control"] == ONE_YEAR, resource.url
        if resource.kind == "css":
            assert resource.encoding == "br", resource.url
        else:  # woff2 is Brotli inside already
            assert resource.encoding == "", resource.url

    # The unhashed name still answers (old bookmarks, e-mails), but only for a minute.
    unhashed = re.sub(r"\.[0-9a-f]{12}\.css$", ".css", static[0].url)
    resource, _ = fetch(unhashed)
    assert resource.status == 200
    assert resource.headers["cache-control"] == "max-age=60, public"


def test_the_measurement_follows_imports_font_faces_and_urls_of_a_stylesheet() -> None:
    from tests.page_weight import css_references

    css = """@import "base.css"; /* url(commented-out.png) */
    @font-face { font-family: "Fira Sans"; src: local("Fira Sans"),
        url("FiraSans-Regular.woff2") format("woff2"), url(FiraSans-Regular.woff) format("woff"); }
    .kern-icon { mask: url("data:image/svg+xml,%3Csvg%3E"); }
    .portal-hero { background: url('../img/rathaus.jpg'); }"""
    assert css_references(css) == [
        ("base.css", "css"),
        ("FiraSans-Regular.woff2", "font"),  # the first format, as a browser takes it
        ("data:image/svg+xml,%3Csvg%3E", "other"),  # inside the CSS: measure() skips it
        ("../img/rathaus.jpg", "other"),
    ]
