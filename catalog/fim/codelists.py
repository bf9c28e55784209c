"""The code lists shipped with the converter (`codelists/*.json`), looked up by URN and version.

A schema's `codelisteReferenz` names a list by its canonical URN and version; the portal
does not fetch lists from XRepository at import time, so only the lists shipped here
become choices. Each file holds `urn`, `version`, `name` {de, en}, `source` and `values`
[{code, de, en}].
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_FOLDER = Path(__file__).with_name("codelists")

YES_NO_URN = "urn:de:kreisportal:codeliste:ja-nein"


@dataclass(frozen=True)
class CodeList:
    urn: str
    version: str
    name: dict[str, str]
    source: str
    choices: tuple[dict, ...]  # form engine choices: {"value", "label": {"de", "en"}}


@cache
def shipped() -> dict[str, CodeList]:
    """Every shipped list by URN (one version each)."""
    lists = {}
    for path in sorted(_FOLDER.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        lists[data["urn"]] = CodeList(
            urn=data["urn"],
            version=str(data["version"]),
            name=data["name"],
            source=data["source"],
            choices=tuple(
                {"value": v["code"], "label": {"de": v["de"], "en": v["en"]}}
                for v in data["values"]
            ),
        )
    return lists


def lookup(urn: str) -> CodeList | None:
    return shipped().get(urn)
