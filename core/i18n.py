"""Texts that the data carries in several languages ({"de": …, "en": …}: service names,
form labels, help texts), read in the language of the page."""

from django.utils.translation import get_language


def translated(value: dict | str | None) -> str:
    """Pick the active language from a {"de": …, "en": …} mapping, falling back to German."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    lang = (get_language() or "de")[:2]
    return value.get(lang) or value.get("de") or next(iter(value.values()), "")
