"""Test personas of the development IdP: residents of Kreis Unna at each trust level."""

from __future__ import annotations

import base64
import dataclasses
import hashlib

STORK = {1: "STORK-QAA-Level-1", 3: "STORK-QAA-Level-3", 4: "STORK-QAA-Level-4"}
METHOD = {1: "Benutzername und Passwort", 3: "ELSTER-Zertifikat", 4: "Online-Ausweis"}
LEVEL_WORD = {1: "niedrig", 3: "substanziell", 4: "hoch"}


@dataclasses.dataclass(frozen=True)
class Persona:
    key: str
    qaa: int  # STORK QAA level: 1, 3 or 4
    given_name: str
    surname: str
    birthdate: str
    street: str
    postal_code: str
    locality: str
    email: str
    proved_by: str  # BundID's AssertionProvedBy

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.surname}"

    @property
    def class_ref(self) -> str:
        return STORK[self.qaa]

    def pseudonym(self, sp_entity_id: str) -> str:
        """A stable pseudonym per person and service provider, like BundID's bPK2."""
        digest = hashlib.sha256(f"devidp|{self.key}|{sp_entity_id}".encode()).digest()
        return base64.b64encode(digest).decode()

    def attributes(self, sp_entity_id: str) -> dict[str, list[str]]:
        return {
            "bPK2": [self.pseudonym(sp_entity_id)],
            "givenName": [self.given_name],
            "surname": [self.surname],
            "birthdate": [self.birthdate],
            "postalAddress": [self.street],
            "postalCode": [self.postal_code],
            "localityName": [self.locality],
            "country": ["DE"],
            "mail": [self.email],
            "trustLevel": [self.class_ref],
            "assertionProvedBy": [self.proved_by],
        }


PERSONAS: tuple[Persona, ...] = (
    Persona(
        key="lukasz",
        qaa=4,
        given_name="Łukasz",
        surname="Yılmaz–Şahin",
        birthdate="1987-03-14",
        street="Bahnhofstraße 12",
        postal_code="59199",
        locality="Bönen",
        email="lukasz.yilmaz-sahin@example.org",
        proved_by="eID",
    ),
    Persona(
        key="minh-khai",
        qaa=3,
        given_name="Thị Minh Khai",
        surname="Nguyễn",
        birthdate="1992-11-02",
        street="Weststraße 7",
        postal_code="59174",
        locality="Kamen",
        email="minh-khai.nguyen@example.org",
        proved_by="Elster",
    ),
    Persona(
        key="zoe",
        qaa=1,
        given_name="Zoë",
        surname="Brückner-Øvergaard",
        birthdate="1975-06-30",
        street="Massener Straße 33",
        postal_code="59423",
        locality="Unna",
        email="zoe.brueckner@example.org",
        proved_by="Benutzername",
    ),
)

BY_KEY = {persona.key: persona for persona in PERSONAS}
