"""The development identity provider (devidp/) as a pytest fixture, and a client that walks
the real SAML bindings: the portal's redirect to the IdP, the IdP's persona page, the
IdP's auto-submitting POST form back to the portal's assertion consumer.

Import the fixtures where they are needed: ``from tests.saml import devidp, saml  # noqa``.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from django.test import override_settings
from lxml import etree

from tests.conftest import require_service
from tests.servers import free_port

REPO_ROOT = Path(__file__).resolve().parent.parent
XMLSEC = "/usr/bin/xmlsec1"


@dataclasses.dataclass
class DevIdPProcess:
    base_url: str
    directory: Path  # keys, idp.xml
    sp_metadata_dir: Path  # the IdP reads every *.xml here for each request

    @property
    def sp_key(self) -> str:
        return str(self.directory / "sp.key")

    @property
    def sp_cert(self) -> str:
        return str(self.directory / "sp.crt")

    @property
    def metadata_file(self) -> str:
        return str(self.directory / "idp.xml")

    def settings(self, **extra: object) -> dict[str, object]:
        return {
            "SAML_IDP_METADATA": self.metadata_file,
            "SAML_SP_KEY": self.sp_key,
            "SAML_SP_CERT": self.sp_cert,
            **extra,
        }

    def register_sp(self, name: str, **extra: object) -> None:
        """Publish the portal's SP metadata (as the settings make it) to the IdP."""
        from identity.saml.config import sp_metadata_xml

        with override_settings(**self.settings(**extra)):
            (self.sp_metadata_dir / f"{name}.xml").write_bytes(sp_metadata_xml())


@pytest.fixture(scope="session")
def devidp(tmp_path_factory) -> Iterator[DevIdPProcess]:
    """A running development IdP (own port, own keys, faults for tests switched on)."""
    require_service("xmlsec1", Path(XMLSEC).exists(), f"{XMLSEC} missing: make system-deps")
    from devidp import keys

    directory = tmp_path_factory.mktemp("saml")
    keys.ensure_all(directory)
    sp_dir = directory / "sp-metadata"
    sp_dir.mkdir()
    port = free_port()
    process = DevIdPProcess(f"http://127.0.0.1:{port}", directory, sp_dir)
    process.register_sp("testserver")
    log = open(directory / "devidp.log", "w")  # noqa: SIM115 (closed at teardown)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devidp",
            "serve",
            "--port",
            str(port),
            "--keys",
            str(directory),
            "--sp-metadata",
            str(sp_dir),
            "--test-faults",
        ],
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ},
    )
    try:
        deadline = time.monotonic() + 90  # a busy CI machine starts Python slowly
        while True:
            try:
                metadata = urllib.request.urlopen(f"{process.base_url}/metadata", timeout=10).read()
                break
            except OSError:  # refused while starting, or slow to answer
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(f"devidp did not start:\n{(directory / 'devidp.log').read_text()}")
                time.sleep(0.2)
        Path(process.metadata_file).write_bytes(metadata)
        yield process
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@dataclasses.dataclass
class Posted:
    """What the IdP's page would POST to the portal."""

    action: str
    saml_response: str
    relay_state: str

    @property
    def xml(self) -> bytes:
        return base64.b64decode(self.saml_response)


class SamlWalker:
    """Walks the bindings with Django's test client on the portal's side and plain HTTP on
    the IdP's side."""

    def __init__(self, idp: DevIdPProcess):
        self.idp = idp

    def start(self, client, level: str = "high", next_url: str = "/saml2/whoami/") -> str:
        response = client.get("/saml2/login/", {"level": level, "next": next_url})
        assert response.status_code == 302, response.content[:500]
        location = response["Location"]
        assert location.startswith(f"{self.idp.base_url}/sso/redirect?"), location
        return location

    @staticmethod
    def authn_request(location: str) -> etree._Element:
        """The AuthnRequest carried by a Redirect-binding URL (DEFLATE, base64)."""
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
        raw = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15)
        return etree.fromstring(raw)

    def idp_page(self, location: str) -> lxml.html.HtmlElement:
        with urllib.request.urlopen(location, timeout=20) as page:
            return lxml.html.fromstring(page.read())

    def choose(self, location: str, persona: str | None, fault: str = "") -> Posted:
        """Open the IdP's page and press a persona's button (None: "Abbrechen")."""
        page = self.idp_page(location)
        if persona is None:
            form = [f for f in page.forms if "persona" not in f.fields][0]
        else:
            form = [f for f in page.forms if f.fields.get("persona") == persona][0]
        fields = dict(form.fields)
        if fault:
            fields["fault"] = fault
        data = urllib.parse.urlencode(fields).encode()
        url = urllib.parse.urljoin(self.idp.base_url + "/", form.action)
        with urllib.request.urlopen(url, data, timeout=30) as answer:
            post_page = lxml.html.fromstring(answer.read())
        post_form = post_page.get_element_by_id("saml-post")
        return Posted(
            post_form.action,
            post_form.fields["SAMLResponse"],
            post_form.fields["RelayState"] or "",
        )

    @staticmethod
    def deliver(client, posted: Posted):
        """POST to the assertion consumer as the browser would, then follow its one GET."""
        path = urllib.parse.urlsplit(posted.action).path
        parked = client.post(
            path, {"SAMLResponse": posted.saml_response, "RelayState": posted.relay_state}
        )
        assert parked.status_code == 302, parked.content[:500]
        return client.get(parked["Location"])

    def sign_in(self, client, persona: str, level: str = "high", next_url: str = "/saml2/whoami/"):
        return self.deliver(client, self.choose(self.start(client, level, next_url), persona))


@pytest.fixture
def saml(devidp, settings, db) -> SamlWalker:
    """Citizen sign-in configured against the development IdP for one test."""
    for name, value in devidp.settings().items():
        setattr(settings, name, value)
    return SamlWalker(devidp)
