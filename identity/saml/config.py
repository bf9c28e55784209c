"""pysaml2 configuration of the portal's service provider, built from the settings.

Citizen sign-in is on when ``SAML_IDP_METADATA`` names the identity provider's metadata (a
file or an https URL) and the service provider has a key pair (``SAML_SP_KEY``/
``SAML_SP_CERT``: PEM text or file paths). The SP metadata alone needs only the key pair.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_PERSISTENT
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

ATTRIBUTE_MAPS = str(Path(__file__).resolve().parent / "attributemaps")
SIGN_ALG = SIG_RSA_SHA256
DIGEST_ALG = DIGEST_SHA256

_lock = threading.Lock()
_clients: dict[str, tuple[float, Saml2Client]] = {}
_pem_dir: Path | None = None


class Unavailable(Exception):
    """Citizen sign-in is not configured, or the identity provider's metadata cannot be
    read right now."""


def _pem_file(value: str, name: str) -> str:
    """A file path for a setting that holds either PEM text or a path (xmlsec1 reads files)."""
    global _pem_dir
    if not value.lstrip().startswith("-----BEGIN"):
        if not Path(value).is_file():
            raise ImproperlyConfigured(f"{name}: no such file: {value}")
        return value
    with _lock:
        if _pem_dir is None:
            _pem_dir = Path(tempfile.mkdtemp(prefix="kreisportal-saml-"))
        digest = hashlib.sha256(value.encode()).hexdigest()[:16]
        path = _pem_dir / f"{name.lower()}-{digest}.pem"
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(value.strip() + "\n")
    return str(path)


def sp_keys_configured() -> bool:
    return bool(settings.SAML_SP_KEY and settings.SAML_SP_CERT)


def enabled() -> bool:
    return bool(settings.SAML_IDP_METADATA) and sp_keys_configured()


def base_url() -> str:
    return settings.PORTAL_BASE_URL.rstrip("/")


def entity_id() -> str:
    return settings.SAML_SP_ENTITY_ID or f"{base_url()}/saml2/metadata/"


def _metadata_source() -> dict[str, Any]:
    source = settings.SAML_IDP_METADATA
    if source.startswith(("https://", "http://")):
        if source.startswith("http://") and not settings.DEBUG:
            raise ImproperlyConfigured("SAML_IDP_METADATA must be an https URL or a file")
        remote: dict[str, Any] = {"url": source}
        if settings.SAML_IDP_METADATA_CERT:
            remote["cert"] = _pem_file(settings.SAML_IDP_METADATA_CERT, "SAML_IDP_METADATA_CERT")
        return {"remote": [remote]}
    if not Path(source).is_file():
        raise Unavailable(f"SAML_IDP_METADATA: no such file: {source}")
    return {"local": [source]}


def _config_dict(with_idp: bool) -> dict[str, Any]:
    key = _pem_file(settings.SAML_SP_KEY, "SAML_SP_KEY")
    cert = _pem_file(settings.SAML_SP_CERT, "SAML_SP_CERT")
    enc_key = _pem_file(settings.SAML_SP_ENCRYPTION_KEY or settings.SAML_SP_KEY, "SAML_SP_KEY")
    enc_cert = _pem_file(settings.SAML_SP_ENCRYPTION_CERT or settings.SAML_SP_CERT, "SAML_SP_CERT")
    base = base_url()
    config: dict[str, Any] = {
        "entityid": entity_id(),
        "xmlsec_binary": settings.SAML_XMLSEC_BINARY,
        "attribute_map_dir": ATTRIBUTE_MAPS,
        "allow_unknown_attributes": False,
        "accepted_time_diff": settings.SAML_ACCEPTED_TIME_DIFF,
        "key_file": key,
        "cert_file": cert,
        "encryption_keypairs": [{"key_file": enc_key, "cert_file": enc_cert}],
        "service": {
            "sp": {
                "name": settings.SAML_ORGANIZATION_DISPLAY_NAME,
                "endpoints": {
                    "assertion_consumer_service": [(f"{base}/saml2/acs/", BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (f"{base}/saml2/ls/", BINDING_HTTP_REDIRECT),
                        (f"{base}/saml2/ls/post/", BINDING_HTTP_POST),
                    ],
                },
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "want_assertions_or_response_signed": True,
                "allow_unsolicited": False,
                "signing_algorithm": SIGN_ALG,
                "digest_algorithm": DIGEST_ALG,
            }
        },
        "organization": {
            "name": [(settings.SAML_ORGANIZATION_DISPLAY_NAME, "de")],
            "display_name": [(settings.SAML_ORGANIZATION_DISPLAY_NAME, "de")],
            "url": [(base + "/", "de")],
        },
    }
    if with_idp:
        config["metadata"] = _metadata_source()
    return config


def _fingerprint() -> str:
    names = (
        "PORTAL_BASE_URL SAML_SP_ENTITY_ID SAML_IDP_METADATA SAML_IDP_METADATA_CERT SAML_SP_KEY "
        "SAML_SP_CERT SAML_SP_ENCRYPTION_KEY SAML_SP_ENCRYPTION_CERT SAML_ACCEPTED_TIME_DIFF "
        "SAML_ORGANIZATION_DISPLAY_NAME SAML_XMLSEC_BINARY"
    ).split()
    return repr([getattr(settings, name) for name in names])


def client() -> Saml2Client:
    """The service provider, with the identity provider's metadata loaded. Reused for
    ``SAML_IDP_METADATA_REFRESH_SECONDS``; a failed load is not remembered."""
    if not enabled():
        raise Unavailable("citizen sign-in is not configured (SAML_IDP_METADATA)")
    key = _fingerprint()
    now = time.monotonic()
    with _lock:
        cached = _clients.get(key)
    if cached and cached[0] > now:
        return cached[1]
    config = SPConfig()
    try:
        config.load(_config_dict(with_idp=True))
    except (Unavailable, ImproperlyConfigured):
        raise
    except Exception as exc:  # an unreachable URL, unreadable or invalid metadata
        raise Unavailable(f"identity provider metadata: {exc}") from exc
    sp = Saml2Client(config)
    if not sp.metadata.identity_providers():
        raise Unavailable("the metadata names no identity provider")
    with _lock:
        _clients.clear()
        _clients[key] = (now + settings.SAML_IDP_METADATA_REFRESH_SECONDS, sp)
    return sp


def idp_entity_id(sp: Saml2Client) -> str:
    providers = sp.metadata.identity_providers()
    if settings.SAML_IDP_ENTITY_ID:
        if settings.SAML_IDP_ENTITY_ID not in providers:
            raise Unavailable(f"{settings.SAML_IDP_ENTITY_ID} is not in the metadata")
        return settings.SAML_IDP_ENTITY_ID
    if len(providers) != 1:
        raise Unavailable("several identity providers in the metadata: set SAML_IDP_ENTITY_ID")
    return providers[0]


def sp_metadata_xml() -> bytes:
    """The service provider's metadata (needs the key pair, not the IdP)."""
    if not sp_keys_configured():
        raise Unavailable("SAML_SP_KEY and SAML_SP_CERT are not set")
    config = SPConfig()
    config.load(_config_dict(with_idp=False))
    xml = create_metadata_string(None, config=config, valid=settings.SAML_METADATA_VALID_HOURS)
    return xml if isinstance(xml, bytes) else xml.encode()
