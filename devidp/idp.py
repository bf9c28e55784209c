"""The protocol side of the development IdP, on pysaml2's ``Server``.

The service providers' metadata is read afresh for every request (files, a folder of
``*.xml`` files, or URLs), so a portal started after the IdP, or on another port, is known
at once.
"""

from __future__ import annotations

import base64
import dataclasses
import secrets
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.samlp import STATUS_AUTHN_FAILED, STATUS_NO_AUTHN_CONTEXT
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from devidp import keys
from devidp.attributemaps.bundid import MAP
from devidp.personas import STORK, Persona

ATTRIBUTE_MAPS = str(Path(__file__).resolve().parent / "attributemaps")
AKDB_NS = "https://www.akdb.de/request/2018/09"
CLASSIC_UI_NS = "https://www.akdb.de/request/2018/09/classic-ui/v1"
URI_FORMAT = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
QAA_OF = {ref: level for level, ref in STORK.items()} | {"STORK-QAA-Level-2": 2}
PENDING_SECONDS = 600

# Deliberately broken answers, only with --test-faults: each is a real SAML message that a
# broken or hostile identity provider could send.
FAULTS = {
    "foreign-key": "signed with a key that is not in the IdP's metadata",
    "wrong-audience": "meant for another service provider",
    "expired": "an assertion whose validity ended ten minutes ago",
    "unsolicited": "a Response that answers no request (no InResponseTo)",
    "ignore-level": "issued even though the persona's level is below the requested minimum",
    "unencrypted": "the assertion signed but not encrypted",
}


class BadRequest(Exception):
    pass


@dataclasses.dataclass
class Pending:
    """An AuthnRequest waiting for the developer to pick a persona."""

    request_id: str
    sp_entity_id: str
    acs_url: str
    relay_state: str
    minimum_qaa: int
    minimum_ref: str
    requested: list[str]  # attribute OIDs from akdb:RequestedAttributes
    organization: str
    created: float = dataclasses.field(default_factory=time.monotonic)


@dataclasses.dataclass(frozen=True)
class Answer:
    """A Response to deliver with the HTTP-POST binding."""

    acs_url: str
    saml_response: str  # base64
    relay_state: str


def _children(element: Any, tag: str) -> list[Any]:
    found = []
    for child in getattr(element, "children", []) or []:
        if child.tag == tag:
            found.append(child)
        found.extend(_children(child, tag))
    return found


class DevIdP:
    def __init__(self, base_url: str, key_dir: Path, sp_metadata: list[str], faults: bool):
        self.base_url = base_url.rstrip("/")
        self.entity_id = f"{self.base_url}/metadata"
        self.key_file, self.cert_file = keys.ensure(
            key_dir, "idp", "Kreisportal development identity provider"
        )
        self.sp_metadata = sp_metadata
        self.faults = faults
        self._foreign: tuple[Path, Path] | None = None
        self._pending: dict[str, Pending] = {}
        self._lock = threading.Lock()

    # --- configuration --------------------------------------------------------------

    def _config(
        self, key_file: Path, cert_file: Path, *, lifetime_minutes: int = 5, with_sps: bool = True
    ) -> IdPConfig:
        local: list[str] = []
        remote: list[dict[str, str]] = []
        for source in self.sp_metadata if with_sps else []:
            if source.startswith(("http://", "https://")):
                remote.append({"url": source})
            elif Path(source).is_dir():
                local.extend(str(path) for path in sorted(Path(source).glob("*.xml")))
            elif Path(source).is_file():
                local.append(source)
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": "/usr/bin/xmlsec1",
                "attribute_map_dir": ATTRIBUTE_MAPS,
                "key_file": str(key_file),
                "cert_file": str(cert_file),
                "accepted_time_diff": 60,
                "metadata": {"local": local, "remote": remote},
                "service": {
                    "idp": {
                        "name": "Entwicklungs-BundID",
                        "endpoints": {
                            "single_sign_on_service": [
                                (f"{self.base_url}/sso/redirect", BINDING_HTTP_REDIRECT)
                            ],
                            "single_logout_service": [
                                (f"{self.base_url}/slo/redirect", BINDING_HTTP_REDIRECT)
                            ],
                        },
                        "want_authn_requests_signed": True,
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "signing_algorithm": SIG_RSA_SHA256,
                        "digest_algorithm": DIGEST_SHA256,
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": lifetime_minutes},
                                "name_form": URI_FORMAT,
                            }
                        },
                    }
                },
            }
        )
        return config

    def server(self, *, foreign_key: bool = False, lifetime_minutes: int = 5) -> Server:
        key_file, cert_file = self.key_file, self.cert_file
        if foreign_key:
            key_file, cert_file = self._foreign_pair()
        return Server(config=self._config(key_file, cert_file, lifetime_minutes=lifetime_minutes))

    def _foreign_pair(self) -> tuple[Path, Path]:
        with self._lock:
            if self._foreign is None:
                directory = Path(tempfile.mkdtemp(prefix="devidp-foreign-"))
                self._foreign = keys.ensure(directory, "foreign", "Somebody else")
            return self._foreign

    def metadata(self) -> bytes:
        config = self._config(self.key_file, self.cert_file, with_sps=False)
        xml = create_metadata_string(None, config=config, valid=24 * 7)
        return xml if isinstance(xml, bytes) else xml.encode()

    # --- single sign-on ---------------------------------------------------------------

    def receive(self, query: dict[str, str]) -> tuple[str, Pending]:
        """Check an AuthnRequest from the HTTP-Redirect binding (signature, known SP, known
        assertion consumer) and park it; returns a one-time ticket."""
        server = self.server()
        message = _signed_request(server.parse_authn_request, query, "Anmeldeanfrage")
        sp = message.issuer.text
        known = [
            endpoint["location"]
            for endpoint in server.metadata.assertion_consumer_service(sp, BINDING_HTTP_POST)
        ]
        acs_url = message.assertion_consumer_service_url or (known[0] if known else "")
        if acs_url not in known:
            raise BadRequest(f"Unbekannte Rücksprungadresse {acs_url}")
        minimum_ref, minimum_qaa = STORK[1], 1
        context = message.requested_authn_context
        if context is not None and context.authn_context_class_ref:
            minimum_ref = context.authn_context_class_ref[0].text.strip()
            if minimum_ref not in QAA_OF:
                raise BadRequest(f"Unbekanntes Vertrauensniveau {minimum_ref}")
            minimum_qaa = QAA_OF[minimum_ref]
        requested, organization = [], sp
        for extension in message.extensions.extension_elements if message.extensions else []:
            if extension.namespace == AKDB_NS and extension.tag == "AuthenticationRequest":
                requested = [
                    child.attributes.get("Name", "")
                    for child in _children(extension, "RequestedAttribute")
                ]
                names = _children(extension, "OrganizationDisplayName")
                organization = names[0].text if names else sp
        pending = Pending(
            request_id=message.id,
            sp_entity_id=sp,
            acs_url=acs_url,
            relay_state=query.get("RelayState", ""),
            minimum_qaa=minimum_qaa,
            minimum_ref=minimum_ref,
            requested=requested,
            organization=organization,
        )
        ticket = secrets.token_urlsafe(24)
        with self._lock:
            now = time.monotonic()
            for old in [t for t, p in self._pending.items() if now - p.created > PENDING_SECONDS]:
                del self._pending[old]
            self._pending[ticket] = pending
        return ticket, pending

    def answer(self, ticket: str, persona: Persona | None, fault: str = "") -> Answer:
        """The Response for a parked request: the persona's assertion, or an error status
        (cancelled, or the persona's level is below the requested minimum)."""
        with self._lock:
            pending = self._pending.pop(ticket, None)
        if pending is None:
            raise BadRequest("Unbekannte oder schon beantwortete Anfrage")
        if fault and (not self.faults or fault not in FAULTS):
            raise BadRequest(f"Fehlerart {fault!r} ist nicht eingeschaltet")
        server = self.server(
            foreign_key=fault == "foreign-key",
            lifetime_minutes=-10 if fault == "expired" else 5,
        )
        in_response_to = None if fault == "unsolicited" else pending.request_id
        if persona is None or (persona.qaa < pending.minimum_qaa and fault != "ignore-level"):
            status = STATUS_AUTHN_FAILED if persona is None else STATUS_NO_AUTHN_CONTEXT
            response = server.create_error_response(
                in_response_to,
                pending.acs_url,
                (status, "Keine Anmeldung auf dem verlangten Vertrauensniveau"),
                sign=True,
            )
            return Answer(pending.acs_url, _b64(response), pending.relay_state)
        if fault == "wrong-audience":
            _address_to(server, OTHER_AUDIENCE)
        encryption_cert = self._encryption_cert(server, pending.sp_entity_id)
        attributes = persona.attributes(pending.sp_entity_id)
        if pending.requested:
            wanted = set(pending.requested)
            attributes = {k: v for k, v in attributes.items() if MAP["to"][k] in wanted}
        response = server.create_authn_response(
            identity=attributes,
            in_response_to=in_response_to,
            destination=pending.acs_url,
            sp_entity_id=pending.sp_entity_id,
            name_id=NameID(
                format=NAMEID_FORMAT_PERSISTENT,
                sp_name_qualifier=pending.sp_entity_id,
                name_qualifier=self.entity_id,
                text=persona.pseudonym(pending.sp_entity_id),
            ),
            authn={"class_ref": persona.class_ref, "authn_auth": self.entity_id},
            sign_response=True,
            sign_assertion=True,
            encrypt_assertion=fault != "unencrypted",
            encrypt_cert_assertion=encryption_cert if fault != "unencrypted" else None,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        return Answer(pending.acs_url, _b64(response), pending.relay_state)

    @staticmethod
    def _encryption_cert(server: Server, sp_entity_id: str) -> str:
        """The SP's encryption certificate from its metadata (base64 body)."""
        certs = server.metadata.certs(sp_entity_id, "spsso", use="encryption")
        if not certs:
            raise BadRequest("Der Dienst nennt kein Verschlüsselungszertifikat")
        return "".join(certs[0][1].split())

    # --- single logout ----------------------------------------------------------------

    def logout(self, query: dict[str, str]) -> str:
        """Answer a signed LogoutRequest (HTTP-Redirect binding) with a signed
        LogoutResponse; returns the URL to send the browser to. The development IdP keeps
        no sessions of its own, so every logout succeeds."""
        server = self.server()
        message = _signed_request(server.parse_logout_request, query, "Abmeldeanfrage")
        response = server.create_logout_response(message, [BINDING_HTTP_REDIRECT], sign=False)
        destination = server.metadata.single_logout_service(
            message.issuer.text, BINDING_HTTP_REDIRECT, "spsso"
        )[0]["location"]
        info = server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(response),
            destination,
            query.get("RelayState", ""),
            response=True,
            sign=True,
            sigalg=SIG_RSA_SHA256,
        )
        return dict(info["headers"])["Location"]

    def initiate_logout(self, sp_entity_id: str, persona: Persona) -> str:
        """A logout started here ("bei allen Diensten abmelden"): a signed LogoutRequest
        for the persona's sign-in at one service provider, sent with the Redirect binding."""
        server = self.server()
        try:
            destination = server.metadata.single_logout_service(
                sp_entity_id, BINDING_HTTP_REDIRECT, "spsso"
            )[0]["location"]
        except Exception as exc:
            raise BadRequest(f"Unbekannter Dienst {sp_entity_id}") from exc
        name_id = NameID(
            format=NAMEID_FORMAT_PERSISTENT,
            sp_name_qualifier=sp_entity_id,
            name_qualifier=self.entity_id,
            text=persona.pseudonym(sp_entity_id),
        )
        _, request = server.create_logout_request(
            destination, sp_entity_id, name_id=name_id, sign=False
        )
        info = server.apply_binding(
            BINDING_HTTP_REDIRECT, str(request), destination, sign=True, sigalg=SIG_RSA_SHA256
        )
        return dict(info["headers"])["Location"]


def _signed_request(parse: Any, query: dict[str, str], what: str) -> Any:
    """A request from the HTTP-Redirect binding whose query-string signature pysaml2 has
    verified against the service provider's metadata (``want_authn_requests_signed``)."""
    if "SAMLRequest" not in query:
        raise BadRequest(f"{what}: SAMLRequest fehlt")
    if not query.get("Signature"):
        raise BadRequest(f"{what} ist nicht signiert")
    try:
        parsed = parse(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
    except Exception as exc:
        raise BadRequest(f"{what} ungültig: {type(exc).__name__}: {exc}") from exc
    if parsed is None:
        raise BadRequest(f"{what} ungültig")
    return parsed.message


OTHER_AUDIENCE = "https://elsewhere.example/saml2/metadata/"


def _address_to(server: Server, audience: str) -> None:
    """Make this (fresh, one-request) server state another audience in its assertions."""
    policy = server.config.getattr("policy", "idp")
    conditions = policy.conditions

    def other_audience(sp_entity_id: str) -> Any:
        result = conditions(sp_entity_id)
        result.audience_restriction[0].audience[0].text = audience
        return result

    policy.conditions = other_audience


def _b64(response: Any) -> str:
    xml = response if isinstance(response, str | bytes) else str(response)
    return base64.b64encode(xml.encode() if isinstance(xml, str) else xml).decode()
