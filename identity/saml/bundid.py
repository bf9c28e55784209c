"""BundID's profile of SAML 2.0: the request extension and the attributes of a response.

Sources (docs/identity.md, "BundID mapping"): BundID expects an ``akdb:AuthenticationRequest``
(namespace ``https://www.akdb.de/request/2018/09``, Version 2) in the AuthnRequest's
``samlp:Extensions``, listing the attributes it should read (``akdb:RequestedAttributes``)
and what the citizen is shown (``akdb:DisplayInformation`` with the classic-ui
``OrganizationDisplayName`` and ``OnlineServiceId``). The level travels separately, as
``RequestedAuthnContext`` with comparison ``minimum``.
"""

from __future__ import annotations

import datetime
from typing import Any

from saml2 import ExtensionElement
from saml2.samlp import Extensions

from identity import levels
from identity.citizen import Identity
from identity.saml.attributemaps.bundid import MAP

AKDB_NS = "https://www.akdb.de/request/2018/09"
CLASSIC_UI_NS = "https://www.akdb.de/request/2018/09/classic-ui/v1"
NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"

OID = MAP["to"]
# Requested from BundID at every sign-in; only the pseudonym is indispensable (a sign-in
# with user name and password carries little else).
REQUESTED: tuple[tuple[str, bool], ...] = (
    ("bPK2", True),
    ("givenName", False),
    ("surname", False),
    ("birthdate", False),
    ("postalAddress", False),
    ("postalCode", False),
    ("localityName", False),
    ("country", False),
    ("mail", False),
    ("trustLevel", False),
)


class UnusableAssertion(Exception):
    """A valid assertion the portal still cannot use (no pseudonym, unknown level)."""


def request_extensions(organization: str, online_service_id: str) -> Extensions:
    """``samlp:Extensions`` holding BundID's ``akdb:AuthenticationRequest``."""
    requested = ExtensionElement(
        "RequestedAttributes",
        namespace=AKDB_NS,
        children=[
            ExtensionElement(
                "RequestedAttribute",
                namespace=AKDB_NS,
                attributes={
                    "Name": OID[name],
                    "RequiredAttribute": "true" if required else "false",
                },
            )
            for name, required in REQUESTED
        ],
    )
    shown = [
        ExtensionElement("OrganizationDisplayName", namespace=CLASSIC_UI_NS, text=organization)
    ]
    if online_service_id:
        shown.append(
            ExtensionElement("OnlineServiceId", namespace=CLASSIC_UI_NS, text=online_service_id)
        )
    display = ExtensionElement(
        "DisplayInformation",
        namespace=AKDB_NS,
        children=[ExtensionElement("Version", namespace=CLASSIC_UI_NS, children=shown)],
    )
    request = ExtensionElement(
        "AuthenticationRequest",
        namespace=AKDB_NS,
        attributes={"Version": "2"},
        children=[requested, display],
    )
    return Extensions(extension_elements=[request])


def _first(ava: dict[str, list[str]], name: str) -> str:
    values = ava.get(name) or []
    return str(values[0]).strip() if values else ""


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None  # e.g. an ID card with an unknown day of birth: no date to prefill


def _instant(value: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def achieved_level(authn_info: list[tuple[str, list[str], str]], ava: dict) -> levels.Level:
    """The level the assertion states: its AuthnContextClassRef, lowered by BundID's level
    attribute when that says less. Unknown classes are not guessed at."""
    if not authn_info:
        raise UnusableAssertion("the assertion has no authentication statement")
    level = levels.from_stork(authn_info[0][0])
    if level is None:
        raise UnusableAssertion(f"unknown authentication context {authn_info[0][0]!r}")
    attribute_level = levels.from_stork(_first(ava, "trustLevel"))
    if attribute_level is not None and not levels.satisfies(attribute_level, level):
        level = attribute_level
    return level


def identity_from(authn_response: Any) -> Identity:
    """The portal's Identity from a verified pysaml2 AuthnResponse."""
    ava = authn_response.ava
    authn_info = authn_response.authn_info()
    level = achieved_level(authn_info, ava)
    pseudonym = _first(ava, "bPK2")
    name_id = authn_response.name_id
    if not pseudonym and name_id is not None and name_id.format == NAMEID_PERSISTENT:
        pseudonym = (name_id.text or "").strip()
    if not pseudonym:
        raise UnusableAssertion("neither bPK2 nor a persistent NameID")
    return Identity(
        pseudonym=pseudonym,
        level=level,
        authenticated_at=_instant(authn_info[0][2]),
        given_name=_first(ava, "givenName"),
        family_name=_first(ava, "surname"),
        birth_date=_date(_first(ava, "birthdate")),
        street=_first(ava, "postalAddress"),
        postal_code=_first(ava, "postalCode"),
        locality=_first(ava, "localityName"),
        country=_first(ava, "country"),
        email=_first(ava, "mail"),
    )


def logout_data(authn_response: Any) -> dict[str, Any]:
    """What single logout needs later: who signed in where, and in which IdP session."""
    name_id = authn_response.name_id
    info = authn_response.session_info()
    return {
        "issuer": info.get("issuer") or "",
        "session_index": info.get("session_index") or "",
        "name_id": {
            "text": name_id.text if name_id is not None else "",
            "format": getattr(name_id, "format", None),
            "name_qualifier": getattr(name_id, "name_qualifier", None),
            "sp_name_qualifier": getattr(name_id, "sp_name_qualifier", None),
        },
    }
