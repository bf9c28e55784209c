"""Development key pairs (RSA 3072, self-signed, ten years), generated on the developer's
machine at setup time into a git-ignored folder. Never used in production."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def make_pair(key_path: Path, cert_path: Path, common_name: str) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def ensure(directory: Path, name: str, common_name: str) -> tuple[Path, Path]:
    """``<directory>/<name>.key`` and ``.crt``, made once and then kept."""
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    if not (key_path.exists() and cert_path.exists()):
        make_pair(key_path, cert_path, common_name)
    return key_path, cert_path


def ensure_all(directory: Path) -> None:
    """The portal's (sp) and the development IdP's (idp) pairs."""
    ensure(directory, "sp", "Kreisportal development service provider")
    ensure(directory, "idp", "Kreisportal development identity provider")
