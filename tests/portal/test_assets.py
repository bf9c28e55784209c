"""The built front-end files (make assets, docs/frontend.md): the subset fonts still write
every resident's name, and the purged design-system CSS still styles every KERN class the
templates and the Python code can put on a page."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from tests.conftest import require_service
from tests.test_architecture import APPS

ROOT = Path(__file__).resolve().parents[2]
KERN_SOURCE = ROOT / "node_modules" / "@kern-ux" / "native" / "dist" / "kern.min.css"
KERN_PURGED = ROOT / "static" / "vendor" / "kern" / "kern.min.css"
FONTS = ROOT / "static" / "vendor" / "fonts"

NAMES = [
    "Łukasz Yılmaz–Şahin",
    "Nguyễn Thị Minh Khai",
    "Trần Đức Hoàng",
    "Ștefan Țărănescu",
    "Zoë Ørsted-Åberg",
    "Dženana Hadžić",
    "Oʻlmas Xoʻjayev",
    "Jürgen Groß, GROẞ",
]
TEXT = "„Zitat“ ‚halb‘ – — … 1.234,56 € · « » ← → −"
# Decomposed (NFD) as some keyboards and macOS file names deliver them: base + marks.
DECOMPOSED = unicodedata.normalize("NFD", "Nguyễn Thị Hương Ştefan Łódź")
NOT_SHIPPED = "Ωβ Жд"  # Greek, Cyrillic: the full KERN font has them, the subset must not


def _built(path: Path) -> Path:
    require_service("the built front-end files", path.exists(), f"{path} missing: make assets")
    return path


def _font_faces() -> list[dict[str, str]]:
    css = _built(FONTS / "fira-sans.css").read_text(encoding="utf-8")
    faces = []
    for block in re.findall(r"@font-face\s*\{([^}]*)\}", css):
        faces.append(
            {k.strip(): v.strip() for k, v in re.findall(r"([\w-]+)\s*:\s*([^;]+);", block)}
        )
    return faces


def test_font_faces_are_the_three_weights_kern_uses_and_swap_in() -> None:
    faces = _font_faces()
    assert sorted(face["font-weight"] for face in faces) == ["400", "500", "600"]
    for face in faces:
        assert face["font-family"] == '"Fira Sans"'
        assert face["font-style"] == "normal"
        assert face["font-display"] == "swap"
        file = re.fullmatch(r'url\("([^"]+)"\) format\("woff2"\)', face["src"]).group(1)
        assert (FONTS / file).is_file(), file


@pytest.mark.parametrize("weight", ["Regular", "Medium", "SemiBold"])
def test_each_subset_writes_residents_names_and_nothing_it_need_not(weight: str) -> None:
    font = TTFont(_built(FONTS / f"FiraSans-{weight}.woff2"))
    cmap = font.getBestCmap()
    wanted = set("".join(NAMES) + TEXT + DECOMPOSED) - {" "}
    missing = sorted(f"{ch} U+{ord(ch):04X}" for ch in wanted if ord(ch) not in cmap)
    assert not missing, f"FiraSans-{weight} cannot write: {missing}"
    assert not [ch for ch in NOT_SHIPPED if ch != " " and ord(ch) in cmap]
    assert len(cmap) < 1000  # the whole face maps 1,693 characters
    # Mark positioning stacks the decomposed Vietnamese diacritics.
    features = {r.FeatureTag for r in font["GPOS"].table.FeatureList.FeatureRecord}
    assert {"kern", "mark", "mkmk"} <= features
    # The SIL Open Font License asks for copyright and licence to travel with the font.
    names = {record.nameID: record.toUnicode() for record in font["name"].names}
    assert "Mozilla Foundation" in names[0]
    assert "Open Font License" in names[13]


# --- the purged design system ------------------------------------------------------------

TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
CLASS_ATTRIBUTE = re.compile(r'\bclass="([^"]*)"')
WORD = re.compile(r"[A-Za-z0-9_-]+")


def _templates() -> list[Path]:
    """The project's templates and every app's own (identity/templates/…)."""
    folders = [ROOT / "templates", *(ROOT / app / "templates" for app in APPS)]
    return [path for folder in folders for path in folder.rglob("*.html")]


def _classes(css: str) -> set[str]:
    return set(re.findall(r"\.(kern-[A-Za-z0-9_-]+)", css))


def _template_classes() -> tuple[set[str], dict[str, set[str]]]:
    """Class names the templates write literally, and names they assemble:
    prefix → the words that may complete it (kern-btn--{% if … %}primary{% else %}…)."""
    literal: set[str] = set()
    assembled: dict[str, set[str]] = {}
    for template in sorted(_templates()):
        for value in CLASS_ATTRIBUTE.findall(template.read_text(encoding="utf-8")):
            for prefix in re.findall(r"([A-Za-z0-9_-]+-)(?=\{[%{])", value):
                completions = set(WORD.findall(value)) if "{{" not in value else {"*"}
                assembled.setdefault(prefix, set()).update(completions)
            literal.update(WORD.findall(TEMPLATE_TAG.sub(" ", value)))
    return literal, assembled


def test_purged_css_keeps_every_kern_class_a_template_writes() -> None:
    source = _classes(_built(KERN_SOURCE).read_text(encoding="utf-8"))
    kept = _classes(_built(KERN_PURGED).read_text(encoding="utf-8"))
    literal, assembled = _template_classes()
    assert len(kept) < len(source) / 2  # purged at all

    lost = sorted((literal & source) - kept)
    assert not lost, f"classes used in templates but purged: {lost}"
    assert assembled, "no assembled class name found: the check below would be empty"
    for prefix, words in assembled.items():
        family = {name for name in source if name.startswith(prefix)}
        needed = family if "*" in words else {prefix + word for word in words} & family
        lost = sorted(needed - kept)
        assert not lost, (
            f"templates assemble {prefix}…, but {lost} was purged: add it to the safelist in "
            "frontend/purgecss.config.js"
        )


def test_purged_css_keeps_every_kern_class_python_code_names() -> None:
    source = _classes(_built(KERN_SOURCE).read_text(encoding="utf-8"))
    kept = _classes(_built(KERN_PURGED).read_text(encoding="utf-8"))
    named = set()
    for app in APPS:
        for module in (ROOT / app).rglob("*.py"):
            if "migrations" not in module.parts:
                named.update(re.findall(r"kern-[A-Za-z0-9_-]+", module.read_text("utf-8")))
    assert not sorted((named & source) - kept)


# --- the purge reads every app --------------------------------------------------------------


def test_the_purge_reads_the_templates_and_python_of_every_app() -> None:
    """PurgeCSS keeps a rule only when a content file names its class; an app missing from its
    globs (or from the Makefile's list that re-runs it) would lose its classes silently. The
    Dockerfile's node stage copies the whole context, so it has no list of its own."""
    config = (ROOT / "frontend" / "purgecss.config.js").read_text(encoding="utf-8")
    globbed = re.search(r'"\{([a-z,]+)\}/\*\*/\*\.py"', config)
    assert globbed, "no {app,…}/**/*.py glob in frontend/purgecss.config.js"
    assert sorted(globbed.group(1).split(",")) == sorted(APPS)
    assert '"*/templates/**/*.html"' in config and '"templates/**/*.html"' in config

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    listed = re.search(r"^APPS := (.+)$", makefile, re.M)
    assert listed and sorted(listed.group(1).split()) == sorted(APPS)
    assert "$(shell find templates $(APPS) static/js" in makefile

    node_stage = (ROOT / "Dockerfile").read_text(encoding="utf-8").split("\nFROM ")[1]
    assert "\nCOPY . .\n" in node_stage
