"""Accessibility check with axe-core (from package.json's devDependencies) for e2e tests.

    from tests.e2e.axe import assert_no_axe_violations
    assert_no_axe_violations(page, "home (de)")

How axe gets into the page: the portal's Content-Security-Policy is `script-src 'self'`, so
`page.add_script_tag(path=…)` (which inserts an inline <script>) would be blocked, and
turning CSP off with `bypass_csp=True` would test a page that production never serves.
Instead the source is evaluated through the DevTools protocol (`page.evaluate`), which
CSP does not govern; the page under test keeps its real policy. The page therefore needs
a context with JavaScript enabled.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.1 A and AA: the level BITV 2.0 asks for.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@functools.cache
def _axe_source() -> str:
    if not AXE_PATH.exists():
        # Never skip: a missing checker must not look like an accessible page.
        pytest.fail(
            f"{AXE_PATH} is missing: run `npm ci` in the repository root (axe-core is a "
            "devDependency in package.json)",
            pytrace=False,
        )
    return AXE_PATH.read_text(encoding="utf-8")


def axe_violations(page: Page, *, tags: list[str] | None = None) -> list[dict[str, Any]]:
    """Run axe on the page as it is now and return its violations (axe's own dicts)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        "async (options) => await window.axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": tags or WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return result["violations"]


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, context_label: str) -> None:
    """Fail with every WCAG 2.1 A/AA violation axe finds on the page: rule id, help text
    and the CSS selectors of the offending nodes."""
    violations = axe_violations(page)
    if violations:
        pytest.fail(
            f"axe found {len(violations)} accessibility violation(s) on {context_label} "
            f"({page.url}):\n{format_violations(violations)}",
            pytrace=False,
        )
