"""Reading FIM rules written in the editors' usual German form, as far as `visible_if` goes.

XDatenfelder rules are free text (2.0 `definition`, 3.0.0 `freitextRegel`) plus an optional
script in no fixed language; the standard gives the text no grammar. This module accepts one
narrow, common form and nothing else:

    WENN <cond> [UND|ODER <cond> …][,] DANN <show> <target>[, <target> …] [UND mache es zur Pflichtangabe].

    <cond>   F… ['Bezeichnung'] = <Wert> ['Wertbezeichnung']     (also "ist", "ist gleich")
    <show>   aktiviere … | zeige … an | blende … ein | … wird angezeigt/eingeblendet/ist sichtbar
    <target> F… or G… ['Bezeichnung']

Anything else (inequalities, "nicht", emptiness, validations, calculations, mixed UND/ODER,
text after the sentence) raises `NotConvertible` with the reason; the converter reports the
rule with its text instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTES = {'"': '"', "'": "'", "„": "“", "“": "”", "‚": "‘", "»": "«", "«": "»", "‘": "’"}
_REF = r"[FG]\d{3,}"
_Q = "\x00\\d+\x00"


class NotConvertible(ValueError):
    """The rule is not of the supported form; the message says why."""


@dataclass(frozen=True)
class Condition:
    ref: str  # FIM id of the data field asked about
    value: str  # the value as written (a code, a number, ja/nein …)
    value_label: str  # the quoted name after the value, if any


@dataclass(frozen=True)
class ParsedRule:
    conditions: tuple[Condition, ...]
    join: str  # "all", "any" or "" for one condition
    targets: tuple[str, ...]  # FIM ids (F… fields, G… groups) shown when the condition holds
    required: bool  # "… und mache es zur Pflichtangabe"


def parse_rule(text: str) -> ParsedRule:
    if not text.strip():
        raise NotConvertible("the rule has no text.")
    quoted: list[str] = []
    plain = _hide_quotes(" ".join(text.split()), quoted)
    match = re.fullmatch(
        r"(?:wenn|falls|sofern)\s+(?P<cond>.+?)\s*,?\s+dann\s+(?P<action>.+?)\s*\.?\s*",
        plain,
        flags=re.IGNORECASE,
    )
    if not match:
        raise NotConvertible(
            'the text is not of the form "WENN <Feld> = <Wert>, DANN aktiviere <Feld/Gruppe>".'
        )
    conditions, join = _conditions(match.group("cond"), quoted)
    targets, required = _action(match.group("action"))
    return ParsedRule(tuple(conditions), join, tuple(targets), required)


def _hide_quotes(text: str, quoted: list[str]) -> str:
    """Replace quoted names by placeholders so that words inside them ("und", "=") are inert."""
    out = []
    i = 0
    while i < len(text):
        closing = _QUOTES.get(text[i])
        end = text.find(closing, i + 1) if closing else -1
        # An apostrophe inside a word (Haus'nummer) is no quote.
        if closing and end > i and not (text[i] == "'" and i and text[i - 1].isalnum()):
            quoted.append(text[i + 1 : end].strip())
            out.append(f"\x00{len(quoted) - 1}\x00")
            i = end + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _unquote(token: str, quoted: list[str]) -> str:
    if token.startswith("\x00"):
        return quoted[int(token.strip("\x00"))]
    return token


def _conditions(text: str, quoted: list[str]) -> tuple[list[Condition], str]:
    if re.search(r"\bnicht\b|≠|!=|<|>|\bungleich\b|\bleer\b|\bgrößer\b|\bkleiner\b", text, re.I):
        raise NotConvertible(
            "the condition is not an equality (visible_if only knows “equals” and “in”)."
        )
    parts = re.split(r"\s+(und|oder)\s+", text, flags=re.IGNORECASE)
    joins = {p.lower() for p in parts[1::2]}
    if len(joins) > 1:
        raise NotConvertible("the condition mixes UND and ODER without brackets.")
    conditions = []
    for part in parts[0::2]:
        match = re.fullmatch(
            rf"(?:(?:das\s+)?(?:daten)?feld\s+)?(?P<ref>{_REF})(?:\s+{_Q})?\s*"
            rf"(?:==?|ist\s+gleich|gleich|ist)\s*(?P<value>{_Q}|[+-]?\d+(?:[.,]\d+)?|[^\s,]+)"
            rf"(?:\s+(?P<label>{_Q}))?(?:\s+ist)?",
            part.strip(),
            flags=re.IGNORECASE,
        )
        if not match:
            raise NotConvertible(f"cannot read the condition {_unquote_all(part, quoted)!r}.")
        conditions.append(
            Condition(
                ref=match.group("ref").upper(),
                value=_unquote(match.group("value"), quoted),
                value_label=_unquote(match.group("label") or "", quoted),
            )
        )
    return conditions, ({"und": "all", "oder": "any"}[joins.pop()] if joins else "")


_SHOW_VERB = r"(?:aktiviere|zeige|blende)"
_SHOWN = r"(?:sichtbar|anzuzeigen|einzublenden|angezeigt|eingeblendet|aktiviert|zu\s+aktivieren)"
_REQUIRED = (
    r"\s+und\s+(?:(?:mache|setze)\s+(?:es|sie|dieses?|diese\s+\w+)\s+(?:zu\s+einer|zur|als)"
    r"|(?:ist|sind|wird|werden)(?:\s+dann)?(?:\s+eine)?)\s+pflicht(?:angabe|feld|eingabe)"
    r"(?:\s+gemacht)?"
)


def _action(text: str) -> tuple[list[str], bool]:
    required = False
    tail = re.search(_REQUIRED + r"$", text, flags=re.IGNORECASE)
    if tail:
        required = True
        text = text[: tail.start()]
    if re.search(
        r"\b(?:aus|ausblenden|ausgeblendet|deaktiviere|deaktiviert|verberge)\b", text, re.I
    ):
        raise NotConvertible("the consequence hides something; visible_if can only show.")
    patterns = (
        rf"{_SHOW_VERB}\s+(?P<t>.+?)(?:\s+(?:an|ein))?",
        rf"(?:ist|sind|wird|werden)\s+(?P<t>.+?)\s+{_SHOWN}",
        rf"(?P<t>.+?)\s+(?:ist|sind|wird|werden)\s+{_SHOWN}",
    )
    for pattern in patterns:
        match = re.fullmatch(pattern, text.strip(), flags=re.IGNORECASE)
        if match:
            break
    else:
        raise NotConvertible(
            "the consequence does not show a field or group (only “aktiviere …”, “zeige … an”, "
            "“blende … ein” and “… wird angezeigt” can become visible_if)."
        )
    targets = []
    for piece in re.split(r"\s*,\s*|\s+und\s+", match.group("t").strip(), flags=re.I):
        found = re.fullmatch(
            rf"(?:(?:das|die)\s+)?(?:(?:daten)?feld(?:gruppe)?|gruppe)?\s*(?P<ref>{_REF})"
            rf"(?:\s+{_Q})?",
            piece.strip(),
            flags=re.IGNORECASE,
        )
        if not found:
            raise NotConvertible("the consequence names something other than fields or groups.")
        targets.append(found.group("ref").upper())
    return targets, required


def _unquote_all(text: str, quoted: list[str]) -> str:
    return re.sub(r"\x00(\d+)\x00", lambda m: f"„{quoted[int(m.group(1))]}“", text)
