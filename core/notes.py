"""Texts the portal writes once and people read later in either language: timeline notes
of payments and process steps ("Paid online (GiroCheckout), 9,00 €.").

`note(msgid, **params)` is a `str` — the text in the active language, so callers that only
pass strings along keep working — that also carries `data`: the English msgid and its
parameters. A parameter is plain text (kept as it is), `money(cents)` (written in the
reader's language), `term(label)` (a translatable word, e.g. a provider's label) or
`in_languages({"de": …, "en": …})` (text given per language, e.g. a form's labels). Whoever
stores the note keeps `data` beside the text and shows it with `render(data)` in the reader's
language; the msgid is marked with gettext_noop so the catalogue holds it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from core import formats

Param = str | int | dict[str, Any]


class Note(str):
    """A text in the active language that knows how to say itself in another."""

    data: dict[str, Any]

    def __new__(cls, msgid: str, params: Mapping[str, Param]) -> Note:
        data = {"msgid": msgid, "params": dict(params)}
        text = super().__new__(cls, render(data))
        text.data = data
        return text


def note(msgid: str, **params: Param) -> Note:
    """`msgid` (marked with gettext_noop) with `%(name)s` placeholders filled from params."""
    return Note(msgid, params)


def money(cents: int) -> dict[str, int]:
    return {"money": int(cents)}


def term(label: object) -> dict[str, str]:
    """A translatable word or label (a gettext_lazy string): stored by its msgid."""
    with translation.override(None):
        return {"term": str(label)}


def in_languages(texts: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Text that exists per language ({"de": "Nachweis", "en": "Proof"}), e.g. a form's label."""
    return {"i18n": {k: str(v) for k, v in texts.items()}}


def data_of(text: str) -> dict[str, Any]:
    """The note's data, or {} for a plain text (typed by a person)."""
    return dict(getattr(text, "data", None) or {})


def _param(value: Param, language: str | None) -> str:
    if isinstance(value, dict) and "money" in value:
        return formats.money(value["money"], language)
    if isinstance(value, dict) and "term" in value:
        return gettext(value["term"])
    if isinstance(value, dict) and "i18n" in value:
        texts = value["i18n"]
        return texts.get(formats.language_of(language)) or next(iter(texts.values()), "")
    return str(value)


def render(data: Mapping[str, Any], language: str | None = None) -> str:
    """The note in `language` (default: the active one)."""
    with translation.override(language or translation.get_language()):
        params = {k: _param(v, language) for k, v in (data.get("params") or {}).items()}
        text = gettext(data["msgid"])
        return text % params if params else text
