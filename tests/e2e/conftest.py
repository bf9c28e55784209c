"""Browser tests: Playwright (sync API) driving the system's Chromium against pytest-django's
live server.

Playwright's own browser downloads are not used: the tests launch the Debian `chromium`
package (override the path with CHROMIUM_PATH). Where the browser or the front-end assets
are missing, the tests skip with the reason on a developer machine and fail loudly in CI
(env CI set), because CI must never pass by skipping them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

E2E_DIR = Path(__file__).resolve().parent
REPO_ROOT = E2E_DIR.parent.parent
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
KERN_CSS = REPO_ROOT / "static" / "vendor" / "kern" / "kern.min.css"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is an e2e test (select with -m e2e, leave out with
    -m 'not e2e')."""
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: browser tests must run, not skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test module. Module scope on purpose: Playwright's sync API keeps an
    asyncio event loop running in this thread for as long as it is started, and while it runs
    Django refuses ORM calls ("SynchronousOnlyOperation") and asgiref refuses async_to_sync.
    So Playwright runs only while a module's browser tests do, DJANGO_ALLOW_ASYNC_UNSAFE is
    set just for that time (the tests create data with the ORM, then drive the browser;
    nothing runs concurrently in this thread), and the tests after them run as usual."""
    if not Path(CHROMIUM_PATH).exists():
        _unavailable(f"Chromium not found at {CHROMIUM_PATH}: apt-get install chromium")
    if not KERN_CSS.exists():
        _unavailable(
            f"{KERN_CSS.relative_to(REPO_ROOT)} missing: run `npm ci` and copy the KERN files "
            "(see docs/frontend.md)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed (pip install -e .[dev])")

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def make_page(browser: Browser, live_server) -> Iterator[Callable[..., Page]]:
    """Factory for pages in fresh browser contexts (own cookies, own language):
    make_page(js=False, locale="en-GB"). Relative URLs resolve against the live server."""
    contexts = []

    def _make_page(*, js: bool = True, locale: str = "de-DE") -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            java_script_enabled=js,
            locale=locale,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _make_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_page: Callable[..., Page]) -> Page:
    """A German, JavaScript-enabled page."""
    return make_page()
