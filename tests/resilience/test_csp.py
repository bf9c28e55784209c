"""Content-Security-Policy on pages: no inline scripts or styles may run."""

import pytest

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/bergkamen/"])
def test_pages_forbid_inline_scripts_and_styles(client, demo, path):
    response = client.get(path)
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    directives = _directives(header)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_pages_carry_no_inline_script_or_style_attribute(client, demo):
    for path in ["/", "/accounts/login/", "/bergkamen/"]:
        html = client.get(path).content.decode()
        assert "<script>" not in html.replace(" ", "")
        assert " style=" not in html
        assert " onclick=" not in html
