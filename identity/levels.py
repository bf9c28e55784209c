"""Trust levels of an identification (eIDAS assurance levels as BundID offers them).

``none < low < substantial < high``. A service requires a level; a sign-in achieves one;
``satisfies(achieved, required)`` is the only comparison anybody should make.

BundID names the levels with the STORK QAA classes in ``AuthnContextClassRef``
(docs/identity.md, "Trust levels"): ``STORK-QAA-Level-1`` user name and password (low),
``STORK-QAA-Level-3`` ELSTER certificate (substantial), ``STORK-QAA-Level-4`` online ID card
(high). Level 2 is not offered by BundID; should an identity provider send it, it counts as
low, never as more.
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """A trust level; usable as ``choices`` of a model field (e.g. a service's
    ``trust_level``)."""

    NONE = "none", _("none (anonymous)")
    LOW = "low", _("low")
    SUBSTANTIAL = "substantial", _("substantial")
    HIGH = "high", _("high")


ORDER: tuple[Level, ...] = (Level.NONE, Level.LOW, Level.SUBSTANTIAL, Level.HIGH)

STORK_LOW = "STORK-QAA-Level-1"
STORK_SUBSTANTIAL = "STORK-QAA-Level-3"
STORK_HIGH = "STORK-QAA-Level-4"

_FROM_STORK: dict[str, Level] = {
    STORK_LOW: Level.LOW,
    "STORK-QAA-Level-2": Level.LOW,
    STORK_SUBSTANTIAL: Level.SUBSTANTIAL,
    STORK_HIGH: Level.HIGH,
}
_TO_STORK: dict[Level, str] = {
    Level.LOW: STORK_LOW,
    Level.SUBSTANTIAL: STORK_SUBSTANTIAL,
    Level.HIGH: STORK_HIGH,
}

# What a service page says before the citizen signs in ("Sie melden sich … an").
_SIGN_IN_PROMPT: dict[Level, Promise] = {
    Level.NONE: _("You do not need to sign in"),
    Level.LOW: _("You sign in with your BundID user name and password"),
    Level.SUBSTANTIAL: _("You sign in with your ELSTER certificate or the online ID card"),
    Level.HIGH: _("You sign in with the online ID card"),
}
# What a clerk sees on a case ("identifiziert mit …").
_VERIFIED_BY: dict[Level, Promise] = {
    Level.NONE: _("not identified"),
    Level.LOW: _("signed in with user name and password"),
    Level.SUBSTANTIAL: _("identified with an ELSTER certificate"),
    Level.HIGH: _("identified with the online ID card"),
}


def parse(value: str | Level | None) -> Level:
    """The level named by ``value``; ``ValueError`` for anything else."""
    if value is None or value == "":
        return Level.NONE
    return Level(value)


def rank(level: str | Level) -> int:
    return ORDER.index(parse(level))


def satisfies(achieved: str | Level | None, required: str | Level | None) -> bool:
    """True when an identification at ``achieved`` is enough for ``required``."""
    return rank(parse(achieved)) >= rank(parse(required))


def from_stork(class_ref: str | None) -> Level | None:
    """The level of a STORK QAA class reference; None for anything unknown."""
    return _FROM_STORK.get((class_ref or "").strip())


def to_stork(level: str | Level) -> str:
    """The class reference to request for a level (``none`` cannot be requested)."""
    level = parse(level)
    if level == Level.NONE:
        raise ValueError("level 'none' needs no sign-in")
    return _TO_STORK[level]


def sign_in_prompt(level: str | Level) -> Promise:
    """E.g. "Sie melden sich mit dem Online-Ausweis an" for ``high``."""
    return _SIGN_IN_PROMPT[parse(level)]


def verified_by(level: str | Level) -> Promise:
    """E.g. "identifiziert mit Online-Ausweis" for ``high``."""
    return _VERIFIED_BY[parse(level)]
