"""The development IdP's web pages (WSGI, standard library server): plain, accessible HTML
in German that works without JavaScript. A small external script only saves the click on
"Weiter" when JavaScript is on; the pages allow no inline script or style."""

from __future__ import annotations

import html
import logging
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

from devidp.idp import FAULTS, Answer, BadRequest, DevIdP, Pending
from devidp.personas import BY_KEY, LEVEL_WORD, METHOD, PERSONAS

logger = logging.getLogger("devidp")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; form-action *; "
    "frame-ancestors 'none'; base-uri 'none'"
)
STYLE = b"""body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;
line-height:1.5;color:#1a1a1a;background:#fff}h1{font-size:1.6rem}
.persona{border:1px solid #767676;border-radius:4px;padding:.75rem 1rem;margin:.75rem 0}
button{font:inherit;padding:.5rem 1rem;border:2px solid #1a3da5;background:#1a3da5;color:#fff;
border-radius:4px;cursor:pointer}button.secondary{background:#fff;color:#1a3da5}
button:focus-visible,a:focus-visible{outline:3px solid #454b6b;outline-offset:2px}
.note{color:#4a4a4a}.error{border-left:4px solid #b00020;padding-left:.75rem}
"""
AUTOSUBMIT = b"""document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("saml-post");
  if (form) { form.submit(); }
});
"""

StartResponse = Callable[..., Any]


def _page(title: str, body: str, *, autosubmit: bool = False) -> bytes:
    script = '<script src="/static/autosubmit.js"></script>' if autosubmit else ""
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} – Entwicklungs-BundID</title>"
        f'<link rel="stylesheet" href="/static/devidp.css">{script}</head>'
        f'<body><header><p class="note">Entwicklungs-BundID – nur für Entwicklung und Tests, '
        f"keine echte Anmeldung</p></header><main><h1>{html.escape(title)}</h1>{body}</main>"
        "</body></html>"
    ).encode()


def _choose_page(ticket: str, pending: Pending, faults: bool) -> bytes:
    minimum = LEVEL_WORD.get(pending.minimum_qaa, str(pending.minimum_qaa))
    items = []
    for persona in PERSONAS:
        enough = persona.qaa >= pending.minimum_qaa
        hint = "" if enough else " – reicht für diesen Dienst nicht"
        fault_field = ""
        if faults:
            options = "".join(
                f'<option value="{key}">{html.escape(text)}</option>'
                for key, text in FAULTS.items()
            )
            fault_field = (
                f'<p><label for="fault-{persona.key}">Fehler für Tests</label> '
                f'<select id="fault-{persona.key}" name="fault"><option value="">keiner</option>'
                f"{options}</select></p>"
            )
        items.append(
            f'<li class="persona"><form method="post" action="/sso/answer">'
            f'<input type="hidden" name="ticket" value="{html.escape(ticket)}">'
            f'<input type="hidden" name="persona" value="{persona.key}">'
            f"<p><strong>{html.escape(persona.name)}</strong><br>"
            f"{html.escape(persona.street)}, {persona.postal_code} {html.escape(persona.locality)}"
            f"<br>{html.escape(METHOD[persona.qaa])} (Vertrauensniveau "
            f"{LEVEL_WORD[persona.qaa]}){hint}</p>{fault_field}"
            f'<button type="submit">Als {html.escape(persona.name)} anmelden</button>'
            f"</form></li>"
        )
    body = (
        f"<p>Anmeldung für <strong>{html.escape(pending.organization)}</strong>. "
        f"Verlangt ist mindestens das Vertrauensniveau <strong>{minimum}</strong>.</p>"
        f'<h2>Testperson wählen</h2><ul class="personas">{"".join(items)}</ul>'
        f'<form method="post" action="/sso/answer">'
        f'<input type="hidden" name="ticket" value="{html.escape(ticket)}">'
        f'<button type="submit" class="secondary">Abbrechen</button></form>'
    )
    return _page("Anmelden", body)


def _post_page(answer: Answer) -> bytes:
    body = (
        f'<form id="saml-post" method="post" action="{html.escape(answer.acs_url)}">'
        f'<input type="hidden" name="SAMLResponse" value="{html.escape(answer.saml_response)}">'
        f'<input type="hidden" name="RelayState" value="{html.escape(answer.relay_state)}">'
        "<p>Ihre Anmeldung wird an den Dienst übermittelt.</p>"
        '<button type="submit">Weiter zum Dienst</button></form>'
    )
    return _page("Weiter zum Dienst", body, autosubmit=True)


class Application:
    def __init__(self, idp: DevIdP):
        self.idp = idp

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "/")
        query = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
        try:
            if path == "/metadata" and method == "GET":
                return self._send(
                    start_response, "200 OK", self.idp.metadata(), "application/samlmetadata+xml"
                )
            if path == "/static/devidp.css":
                return self._send(start_response, "200 OK", STYLE, "text/css")
            if path == "/static/autosubmit.js":
                return self._send(start_response, "200 OK", AUTOSUBMIT, "text/javascript")
            if path == "/sso/redirect" and method == "GET":
                ticket, pending = self.idp.receive(query)
                return self._send(
                    start_response, "200 OK", _choose_page(ticket, pending, self.idp.faults)
                )
            if path == "/sso/answer" and method == "POST":
                form = self._form(environ)
                key = form.get("persona", "")
                persona = BY_KEY.get(key)
                if key and persona is None:
                    raise BadRequest("Unbekannte Testperson")
                answer = self.idp.answer(form.get("ticket", ""), persona, form.get("fault", ""))
                return self._send(start_response, "200 OK", _post_page(answer))
            if path == "/slo/redirect" and method == "GET" and "SAMLResponse" in query:
                body = _page("Abgemeldet", "<p>Der Dienst hat die Abmeldung bestätigt.</p>")
                return self._send(start_response, "200 OK", body)
            if path == "/slo/initiate" and method == "GET":
                persona = BY_KEY.get(query.get("persona", ""))
                if persona is None:
                    raise BadRequest("Unbekannte Testperson")
                location = self.idp.initiate_logout(query.get("sp", ""), persona)
                start_response("303 See Other", [("Location", location), ("Content-Length", "0")])
                return [b""]
            if path == "/slo/redirect" and method == "GET":
                location = self.idp.logout(query)
                start_response("303 See Other", [("Location", location), ("Content-Length", "0")])
                return [b""]
            if path == "/":
                body = _page("Entwicklungs-BundID", "<p>Anmeldungen beginnen beim Dienst.</p>")
                return self._send(start_response, "200 OK", body)
            return self._send(start_response, "404 Not Found", _page("Nicht gefunden", ""))
        except BadRequest as exc:
            logger.warning("bad request: %s", exc)
            body = _page("Anfrage abgelehnt", f'<p class="error">{html.escape(str(exc))}</p>')
            return self._send(start_response, "400 Bad Request", body)

    @staticmethod
    def _form(environ: dict[str, Any]) -> dict[str, str]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(min(length, 1_000_000)).decode()
        return dict(urllib.parse.parse_qsl(raw))

    @staticmethod
    def _send(
        start_response: StartResponse, status: str, body: bytes, content_type: str = "text/html"
    ) -> list[bytes]:
        start_response(
            status,
            [
                ("Content-Type", f"{content_type}; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Content-Security-Policy", CSP),
                ("X-Content-Type-Options", "nosniff"),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]
