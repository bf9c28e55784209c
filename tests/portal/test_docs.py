"""The HTTP contract and the payments handbook name only files that exist: a reader who
follows `docs/api.md` or `docs/payments.md` to a file finds it."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOP_LEVEL = {path.name for path in ROOT.iterdir() if not path.name.startswith(".")}
#: Path-like words: segments joined by "/", not part of a URL or an absolute path.
PATH = re.compile(r"(?<![\w/<.:@-])((?:[\w.-]+/)+[\w.-]*)")
FILE_NAME = re.compile(r"\.(py|md|json|ya?ml|xml|html|txt|toml|sh|po|css|js|xsd)$")


def named_paths(text: str) -> set[str]:
    """Everything that reads as a file or folder of the repository: it starts with one of
    the repository's top-level names (`portal/…`, `docs/…`) or has a file name."""
    paths = set()
    for match in PATH.finditer(text):
        name = match.group(1).rstrip(".,;:")
        if name.split("/")[0] in TOP_LEVEL or FILE_NAME.search(name):
            paths.add(name)
    return paths


def test_the_check_finds_paths_and_skips_everything_else():
    text = (
        "see `portal/demo_data/services.json`, docs/payments.md and the `tests/` folder; "
        "not /api/v1/queue/, https://example.org/a.json, transaction/start or multipart/form-data"
    )
    assert named_paths(text) == {"portal/demo_data/services.json", "docs/payments.md", "tests/"}


@pytest.mark.parametrize("document", ["docs/api.md", "docs/payments.md"])
def test_every_file_a_document_names_exists(document):
    names = named_paths((ROOT / document).read_text(encoding="utf-8"))
    assert names, "the check found no path at all"
    missing = sorted(name for name in names if not (ROOT / name).exists())
    assert not missing, f"{document} names files that do not exist: {missing}"
