"""The verified identity of a signed-in citizen, kept in the session (no user row).

A citizen is not a Django user: ``request.user`` stays anonymous, so nothing meant for staff
(permissions, the admin, axes) ever sees a citizen. The identity lives in the session under
one key and is read through ``identity.selectors.current_identity``.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from typing import Any

from identity.levels import Level, parse

SESSION_KEY = "identity"
# What single logout needs to name the sign-in at the identity provider; not public API.
SESSION_SAML_KEY = "identity_saml"

# "Bahnhofstraße 12", "Am Markt 3 a", "Unnaer Str. 12-14": the number is the last part that
# starts with a digit.
_HOUSE_NUMBER = re.compile(
    r"^(?P<street>.*\S)\s+(?P<number>\d+\s*[A-Za-z]?(?:\s*[-/]\s*\d+\s*[A-Za-z]?)?)$"
)


@dataclasses.dataclass(frozen=True)
class Identity:
    """What the identity provider confirmed about the citizen at one sign-in.

    ``pseudonym`` is BundID's persistent pseudonymous identifier (bPK2, else the persistent
    NameID): stable for the same person across sign-ins, the key to link their cases.
    Every other field may be empty: a sign-in with user name and password (level ``low``)
    carries little verified data.
    """

    pseudonym: str
    level: Level
    authenticated_at: datetime.datetime
    given_name: str = ""
    family_name: str = ""
    birth_date: datetime.date | None = None
    street: str = ""
    postal_code: str = ""
    locality: str = ""
    country: str = ""
    email: str = ""

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    @property
    def address(self) -> str:
        """One line: "Bahnhofstraße 12, 59199 Bönen" (empty parts left out)."""
        town = " ".join(part for part in (self.postal_code, self.locality) if part)
        return ", ".join(part for part in (self.street, town) if part)

    def _street_parts(self) -> tuple[str, str]:
        match = _HOUSE_NUMBER.match(self.street.strip())
        if match is None:
            return self.street.strip(), ""
        return match["street"], match["number"].replace(" ", "")

    @property
    def street_name(self) -> str:
        """ "Bahnhofstraße" of "Bahnhofstraße 12" (BundID sends street and number in one)."""
        return self._street_parts()[0]

    @property
    def house_number(self) -> str:
        """ "12" of "Bahnhofstraße 12"; empty when the street has no number."""
        return self._street_parts()[1]

    def verified_values(self) -> dict[str, str]:
        """What a form field may take (its ``verified`` key, catalog.vocabulary
        .VERIFIED_ATTRIBUTES) → the value as a form stores it (dates ISO); empty ones left out."""
        values = {
            "family_name": self.family_name,
            "given_name": self.given_name,
            "birth_date": self.birth_date.isoformat() if self.birth_date else "",
            "street_name": self.street_name,
            "house_number": self.house_number,
            "postal_code": self.postal_code,
            "locality": self.locality,
        }
        return {key: value for key, value in values.items() if value}

    def to_session(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["level"] = str(self.level.value)
        data["authenticated_at"] = self.authenticated_at.isoformat()
        data["birth_date"] = self.birth_date.isoformat() if self.birth_date else None
        return data

    @classmethod
    def from_session(cls, data: dict[str, Any]) -> Identity:
        birth_date = data.get("birth_date")
        return cls(
            **{
                **data,
                "level": parse(data["level"]),
                "authenticated_at": datetime.datetime.fromisoformat(data["authenticated_at"]),
                "birth_date": datetime.date.fromisoformat(birth_date) if birth_date else None,
            }
        )
