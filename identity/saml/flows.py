"""The protocol steps of sign-in and single logout, between the views and pysaml2.

Sign-in (SAML 2.0 Web Browser SSO profile): ``start_sign_in`` sends a signed AuthnRequest
over the HTTP-Redirect binding and remembers its id in the session; the identity provider
POSTs its Response to the assertion consumer; ``finish_sign_in`` accepts it only when it
answers an outstanding request of this session (no unsolicited responses), is signed by the
identity provider, meant for this portal, within its time window, used for the first time,
and reaches the level that was asked for.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import logging
import time
from typing import Any

from defusedxml import ElementTree
from django.conf import settings
from django.http import HttpRequest
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.response import StatusError
from saml2.saml import AuthnContextClassRef, NameID
from saml2.samlp import RequestedAuthnContext
from saml2.sigver import verify_redirect_signature

from identity import levels
from identity.citizen import SESSION_SAML_KEY, Identity
from identity.saml import bundid, replay
from identity.saml.config import DIGEST_ALG, SIGN_ALG, client, idp_entity_id

logger = logging.getLogger(__name__)

OUTSTANDING_KEY = "identity_outstanding"  # request id → {"level", "next"}
LOGOUT_KEY = "identity_logout"  # {"id", "next"} of the LogoutRequest on its way
MAX_OUTSTANDING = 5  # sign-ins started in other tabs stay answerable, but not without end


class Refused(Exception):
    """The response was no valid answer; nobody is signed in. ``reason`` is for the log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class LevelTooLow(Exception):
    """The identity provider confirmed less than the level asked for (or said it could
    not). ``achieved`` is None when it confirmed nobody."""

    def __init__(self, required: levels.Level, achieved: levels.Level | None, next_url: str):
        super().__init__(f"required {required}, achieved {achieved}")
        self.required, self.achieved, self.next_url = required, achieved, next_url


@dataclasses.dataclass(frozen=True)
class SignedIn:
    identity: Identity
    saml: dict[str, Any]
    next_url: str


def start_sign_in(request: HttpRequest, level: levels.Level, next_url: str) -> str:
    """The identity provider's URL carrying a signed AuthnRequest for ``level``."""
    sp = client()
    wanted = RequestedAuthnContext(
        authn_context_class_ref=[AuthnContextClassRef(text=levels.to_stork(level))],
        comparison="minimum",
    )
    request_id, info = sp.prepare_for_authenticate(
        entityid=idp_entity_id(sp),
        binding=BINDING_HTTP_REDIRECT,
        response_binding=BINDING_HTTP_POST,
        requested_authn_context=wanted,
        extensions=bundid.request_extensions(
            settings.SAML_ORGANIZATION_DISPLAY_NAME, settings.SAML_ONLINE_SERVICE_ID
        ),
        nameid_format=bundid.NAMEID_PERSISTENT,
        sign=True,
        sigalg=SIGN_ALG,
        digest_alg=DIGEST_ALG,
    )
    outstanding = dict(request.session.get(OUTSTANDING_KEY, {}))
    outstanding[request_id] = {"level": str(level.value), "next": next_url}
    request.session[OUTSTANDING_KEY] = dict(list(outstanding.items())[-MAX_OUTSTANDING:])
    return dict(info["headers"])["Location"]


def _in_response_to(saml_response: str) -> str:
    """InResponseTo of a Response, read only to explain a refusal (never trusted)."""
    try:
        root = ElementTree.fromstring(base64.b64decode(saml_response, validate=False))
    except Exception:
        return ""
    return root.get("InResponseTo", "")


def finish_sign_in(request: HttpRequest, saml_response: str) -> SignedIn:
    """Check the identity provider's Response; raise Refused or LevelTooLow, else return
    who signed in. The caller puts the identity into the session."""
    sp = client()
    outstanding: dict[str, dict[str, str]] = dict(request.session.get(OUTSTANDING_KEY, {}))
    try:
        response = sp.parse_authn_request_response(
            saml_response,
            BINDING_HTTP_POST,
            outstanding={rid: entry["next"] for rid, entry in outstanding.items()},
        )
    except StatusError as exc:
        entry = outstanding.pop(_in_response_to(saml_response), None)
        request.session[OUTSTANDING_KEY] = outstanding
        if entry is None:
            raise Refused(f"error status for no request of this session: {exc}") from exc
        raise LevelTooLow(levels.parse(entry["level"]), None, entry["next"]) from exc
    except Exception as exc:  # pysaml2 raises many kinds for a bad message
        raise Refused(f"{type(exc).__name__}: {exc}") from exc
    if response is None:
        raise Refused("the response could not be verified")

    entry = outstanding.pop(response.in_response_to or "", None)
    request.session[OUTSTANDING_KEY] = outstanding
    if entry is None:
        raise Refused("unsolicited response")
    assertion = response.assertion
    if settings.SAML_REQUIRE_ENCRYPTED_ASSERTIONS and response.response.assertion:
        raise Refused("the assertion was not encrypted")

    # Kept as long as the assertion could be accepted: its NotOnOrAfter plus the clock skew
    # allowed (an hour when it states none).
    not_after = response.not_on_or_after or time.time() + 3600
    valid_until = datetime.datetime.fromtimestamp(not_after, tz=datetime.UTC) + datetime.timedelta(
        seconds=settings.SAML_ACCEPTED_TIME_DIFF
    )
    if not replay.consume(assertion.id, response.issuer() or "", valid_until):
        raise Refused(f"assertion {assertion.id} was used before")

    try:
        identity = bundid.identity_from(response)
    except bundid.UnusableAssertion as exc:
        raise Refused(str(exc)) from exc
    required = levels.parse(entry["level"])
    if not levels.satisfies(identity.level, required):
        raise LevelTooLow(required, identity.level, entry["next"])
    return SignedIn(identity, bundid.logout_data(response), entry["next"])


def start_logout(request: HttpRequest, saml: dict[str, Any], next_url: str) -> str | None:
    """The identity provider's URL carrying a signed LogoutRequest for the sign-in
    described by ``saml``; None when the provider offers no single logout."""
    sp = client()
    idp = saml.get("issuer") or idp_entity_id(sp)
    try:
        destinations = sp.metadata.single_logout_service(idp, BINDING_HTTP_REDIRECT, "idpsso")
    except Exception:
        destinations = []
    if not destinations:
        return None
    destination = destinations[0]["location"]
    stored = saml["name_id"]
    name_id = NameID(
        text=stored["text"],
        format=stored.get("format"),
        name_qualifier=stored.get("name_qualifier"),
        sp_name_qualifier=stored.get("sp_name_qualifier"),
    )
    request_id, logout_request = sp.create_logout_request(
        destination,
        idp,
        name_id=name_id,
        session_indexes=[saml["session_index"]] if saml.get("session_index") else None,
        sign=False,  # the Redirect binding signs the query string instead
    )
    info = sp.apply_binding(
        BINDING_HTTP_REDIRECT, str(logout_request), destination, sign=True, sigalg=SIGN_ALG
    )
    request.session[LOGOUT_KEY] = {"id": request_id, "next": next_url}
    return dict(info["headers"])["Location"]


def finish_logout(request: HttpRequest, query: dict, binding: str) -> str:
    """The identity provider's LogoutResponse; returns where to go next. The identity was
    removed before the request left, so a bad response only loses the redirect."""
    pending = request.session.pop(LOGOUT_KEY, None) or {}
    next_url = pending.get("next", "/")
    sp = client()
    try:
        response = sp.parse_logout_request_response(query["SAMLResponse"], binding)
        if response is None or response.in_response_to != pending.get("id"):
            raise Refused("the logout response answers no logout of this session")
        if binding == BINDING_HTTP_REDIRECT:
            _verify_redirect_signature(sp, response.response.issuer.text, query)
    except Exception as exc:
        logger.warning("logout response refused: %s", exc)
    return next_url


def _verify_redirect_signature(sp: Any, issuer: str, query: dict) -> None:
    """The query-string signature of a Redirect-binding message (SAML Bindings 3.4.4.1),
    against the signing certificates the issuer's metadata names."""
    if not query.get("Signature") or not query.get("SigAlg"):
        raise Refused("unsigned message on the Redirect binding")
    try:
        certs = sp.metadata.certs(issuer, "idpsso", use="signing")
    except Exception as exc:
        raise Refused(f"unknown issuer {issuer}") from exc
    message = {
        key: query[key]
        for key in ("SAMLRequest", "SAMLResponse", "RelayState", "SigAlg", "Signature")
        if key in query
    }
    if not any(verify_redirect_signature(message, sp.sec.sec_backend, cert) for _, cert in certs):
        raise Refused("signature of the Redirect-binding message does not verify")


def answer_logout_request(
    request: HttpRequest, saml_request: str, binding: str, relay_state: str, query: dict
) -> tuple[str, bool]:
    """An identity-provider-initiated LogoutRequest: verify it, say whether it names the
    sign-in of this session, and return the URL of the signed LogoutResponse."""
    sp = client()
    parsed = sp.parse_logout_request(
        saml_request,
        binding,
        relay_state=relay_state,
        sigalg=query.get("SigAlg"),
        signature=query.get("Signature"),
    )
    if parsed is None:
        raise Refused("logout request could not be verified")
    message = parsed.message
    if binding == BINDING_HTTP_REDIRECT:
        _verify_redirect_signature(sp, message.issuer.text, query)
    elif message.signature is None:  # POST: pysaml2 has verified a signature that is there
        raise Refused("unsigned logout request")
    saml = request.session.get(SESSION_SAML_KEY) or {}
    matches = (
        bool(saml)
        and message.name_id is not None
        and (message.name_id.text == saml["name_id"]["text"])
    )
    response = sp.create_logout_response(message, [BINDING_HTTP_REDIRECT], sign=False)
    destination = sp.metadata.single_logout_service(
        message.issuer.text, BINDING_HTTP_REDIRECT, "idpsso"
    )[0]["location"]
    info = sp.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(response),
        destination,
        relay_state,
        response=True,
        sign=True,
        sigalg=SIGN_ALG,
    )
    return dict(info["headers"])["Location"], matches
