"""Pages and JSON go out gzip-compressed, except where compression could leak a visitor's
secrets to another site (BREACH, docs/frontend.md "Compression and BREACH"); documents
that are compressed already go out as they are."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from django.urls import reverse

from cases.models import Attachment
from cases.services import attachment_add_generated
from tests.conftest import MunicipalityFactory

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
PDF = Path(__file__).resolve().parents[1] / "e2e" / "files" / "wohnungsgeberbestaetigung.pdf"


@pytest.fixture
def towns() -> None:
    MunicipalityFactory(slug="boenen", name="Bönen", population=18_000)
    MunicipalityFactory(slug="unna", name="Unna", population=58_000)


def _vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",")}


def test_pages_are_gzip_compressed_for_browsers_that_accept_it(client, towns) -> None:
    response = client.get("/", **GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert "Bönen" in gzip.decompress(response.content).decode()
    assert {"accept-encoding", "sec-fetch-site", "cookie"} <= _vary(response)

    plain = client.get("/")
    assert not plain.has_header("Content-Encoding")
    assert "Bönen" in plain.content.decode()


@pytest.mark.parametrize("site", ["same-origin", "none"])
def test_own_requests_with_the_session_cookie_are_compressed(client, towns, site) -> None:
    client.cookies["sessionid"] = "a-session"
    response = client.get("/", HTTP_SEC_FETCH_SITE=site, **GZIP)
    assert response["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_requests_another_site_makes_with_the_visitors_cookies_are_not(client, towns, site) -> None:
    client.cookies["sessionid"] = "a-session"
    response = client.get("/boenen/?q=Nguy%E1%BB%85n", HTTP_SEC_FETCH_SITE=site, **GZIP)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert "Nguyễn" in response.content.decode()


def test_cross_site_requests_without_cookies_carry_no_secret_and_are_compressed(
    client, towns
) -> None:
    response = client.get("/boenen/", HTTP_SEC_FETCH_SITE="cross-site", **GZIP)
    assert response["Content-Encoding"] == "gzip"


def test_json_is_compressed(api, towns) -> None:
    for name in ["Bergkamen", "Fröndenberg/Ruhr", "Holzwickede", "Kamen", "Lünen", "Schwerte"]:
        MunicipalityFactory(slug=name.split("/")[0].lower(), name=name)
    response = api.get("/api/v1/municipalities/", **GZIP)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert b"Unna" in gzip.decompress(response.content)


def test_documents_go_out_as_they_are(client, file_case) -> None:
    submitted = file_case()
    decision = attachment_add_generated(
        case=submitted.case,
        field_name="bescheid",
        filename="Bescheid „Gewerbe“.pdf",
        content=PDF.read_bytes(),
        kind=Attachment.Kind.DOCUMENT,
    )
    url = reverse("track-download", args=[submitted.case.reference, decision.pk])
    response = client.get(url, {"access_token": submitted.access_token}, **GZIP)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
