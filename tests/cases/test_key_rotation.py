"""Rotating SECRET_KEY, from the outside (issue 13, 3): the portal runs as its own process
(gunicorn) on this test's database, configured only through the environment, as an
operator runs it. A tracking link made under key A opens the case with `SECRET_KEY=B,
SECRET_KEY_FALLBACKS=A` and answers 404 with `SECRET_KEY=B` alone; a link in an e-mail sent
after the rotation opens the case either way. A clerk signed in under A stays signed in
while A is a fallback (Django moves a session it sees then to B); a session left unused
until A is gone is signed out (docs/operations.md, Key rotation)."""

from __future__ import annotations

import email
import email.policy
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from rest_framework.authtoken.models import Token

from municipalities.models import Membership
from tests.conftest import require_service
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    ServiceDefinitionFactory,
    ServiceOfferingFactory,
)
from tests.integration.conftest import worker_database_url
from tests.servers import free_port

pytestmark = pytest.mark.django_db(transaction=True)
REPO_ROOT = Path(__file__).resolve().parents[2]
KEY_A = "key-a-" + "k" * 50
KEY_B = "key-b-" + "q" * 50


@contextmanager
def portal(mail_dir: Path, **keys: str) -> Iterator[str]:
    """The portal in a process of its own, with only the given keys; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"REDIS_URL", "CACHE_URL", "CELERY_QUEUE", "SECRET_KEY_FALLBACKS"}
    }
    env.update(
        DATABASE_URL=worker_database_url(),
        DJANGO_SETTINGS_MODULE="portal.settings",
        PORTAL_BASE_URL=base,
        EMAIL_URL=f"filemail:///{mail_dir}",
        AXES_ENABLED="0",
        **keys,
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "portal.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=10)
                break
            except OSError:  # refused while gunicorn binds, or slow while its worker boots
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"the portal did not start: {process.stderr.read().decode()}")
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


def status_of(url: str) -> int:
    """The status of the page a link opens. A tracking link is exchanged for a cookie and a
    302 to the address without its token (citizen/views/tracking.py); the page is then
    fetched with that cookie, as a browser would."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        response = opener.open(url, timeout=20)
        return response.status
    except urllib.error.HTTPError as error:
        if error.code != 302:
            return error.code
        cookies = "; ".join(c.split(";", 1)[0] for c in error.headers.get_all("Set-Cookie") or [])
        target = urllib.parse.urljoin(url, error.headers["Location"])
        request = urllib.request.Request(target, headers={"Cookie": cookies})
        try:
            return urllib.request.urlopen(request, timeout=20).status
        except urllib.error.HTTPError as inner:
            return inner.code


def post_json(url: str, body: str, token: str = "") -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(url, body.encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


class Browser:
    """Cookies and CSRF like a browser's, against whichever portal process is running."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def status(self, url: str) -> int:
        try:
            return self.opener.open(url, timeout=20).status
        except urllib.error.HTTPError as error:
            return error.code

    def sign_in(self, base: str, username: str, password: str) -> None:
        self.opener.open(f"{base}/accounts/login/", timeout=20)
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            f"{base}/accounts/login/", body, headers={"Referer": f"{base}/accounts/login/"}
        )
        try:
            answer = self.opener.open(request, timeout=20)
        except urllib.error.HTTPError as error:
            assert error.code == 302, error.read()[:500]  # signed in: on to the next page
        else:
            raise AssertionError(f"not signed in: {answer.status} {answer.read()[-3000:]}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 302 is an answer here, not a hop
        return None


def tracking_links(mail_dir: Path) -> list[str]:
    links = []
    for path in sorted(mail_dir.glob("*.log")):
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if raw.strip():
                message = email.message_from_bytes(raw, policy=email.policy.default)
                body = message.get_body(("plain",)).get_content()
                links += re.findall(r"http\S+/track/\S+access_token=\S+", body)
    return links


def test_links_survive_a_rotation_while_the_old_key_is_a_fallback(tmp_path):
    database_url = worker_database_url()
    require_service(
        "A database a second process can open",
        database_url is not None,
        "the portal process must open the test database",
    )
    town = MunicipalityFactory(slug="froendenberg", name="Fröndenberg/Ruhr", code="FRB")
    service = ServiceDefinitionFactory(key="sperrmuell", process_steps=[])
    ServiceOfferingFactory(municipality=town, service_key=service.key)
    clerk = MembershipFactory(municipality=town, role=Membership.Role.CLERK).user
    # Hashed the way the portal process checks it (the tests' own hasher is a fast one).
    clerk.password = PBKDF2PasswordHasher().encode("Sachbearbeitung-2026", "kreisportal", 1000)
    clerk.save()
    browser, idle = Browser(), Browser()
    clerk_token = Token.objects.create(user=clerk).key
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()

    with portal(mail_dir, SECRET_KEY=KEY_A) as base:
        filed = post_json(
            f"{base}/api/v1/municipalities/{town.slug}/cases/",
            '{"service": "sperrmuell", "applicant": {"name": "Łukasz Yılmaz–Şahin", '
            '"email": "lukasz@example.org"}, "data": {"anliegen": "Sofa", "anzahl": 2}}',
        )
        old = f"/track/{filed['reference']}/?access_token={filed['access_token']}"
        assert status_of(base + old) == 200
        for each in (browser, idle):
            each.sign_in(base, clerk.username, "Sachbearbeitung-2026")
            assert each.status(f"{base}/workspace/") == 200

    with portal(mail_dir, SECRET_KEY=KEY_B, SECRET_KEY_FALLBACKS=KEY_A) as base:
        assert status_of(base + old) == 200  # made under A, A is a fallback
        assert browser.status(f"{base}/workspace/") == 200  # still signed in
        post_json(
            f"{base}/api/v1/cases/{filed['reference']}/actions/",
            '{"action": "request_info", "comment": "Welche Möbel genau?"}',
            token=clerk_token,
        )
        [mailed] = tracking_links(mail_dir)  # the question's e-mail, sent under B
        assert status_of(mailed) == 200

    with portal(mail_dir, SECRET_KEY=KEY_B) as base:
        assert status_of(base + old) == 404  # A is gone: its links are revoked
        assert browser.status(f"{base}/workspace/") == 200  # moved to B during the grace
        assert idle.status(f"{base}/workspace/") == 302  # still on A: signed out, to login
        assert status_of(mailed.replace(mailed.split("/track/")[0], base)) == 200
