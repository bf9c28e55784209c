"""The print stylesheet and its fonts are parsed once per thread and reused (core/pdf.py,
docs/documents.md): what that must not change. A document rendered after other people's
documents is the document rendered first; documents rendered at the same time in several
threads each say what they should; a changed stylesheet is used from the next document on;
a font the stylesheet names but the static folder lacks stops the document (PdfError).
"""

import io
import os
import shutil
import threading

import pypdf
import pytest

from core.pdf import PdfError, receipt_pdf
from tests.core.test_pdf import fonts_of, receipt, text_of

SOMEONE_ELSE = "Trần Văn Đức"
QUOTED = "„Ærøskøbing – Ğüzelyurt“"


def embedded_fonts(pdf: bytes) -> dict[str, bytes]:
    """Each embedded font program by its name without the subset prefix."""
    programs = {}
    for font, descriptor in fonts_of(pdf):
        program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
        programs[str(font["/BaseFont"]).split("+", 1)[1]] = program.get_object().get_data()
    return programs


@pytest.fixture
def static_copy(settings, tmp_path):
    """A copy of the static folder the documents are rendered from, to change files in."""
    static = tmp_path / "static"
    shutil.copytree(settings.BASE_DIR / "static", static)
    settings.STATICFILES_DIRS = [static]
    return static


def test_a_document_after_other_peoples_documents_embeds_only_its_own_glyphs():
    first = receipt_pdf(receipt(), language="de")
    others = receipt(applicant={"name": SOMEONE_ELSE, "email": "khai@example.org"})
    others["steps"][0]["answers"][0]["value"] = QUOTED
    for language in ("de", "en", "de"):
        assert SOMEONE_ELSE in text_of(receipt_pdf(others, language=language))
    again = receipt_pdf(receipt(), language="de")
    assert embedded_fonts(again) == embedded_fonts(first)
    assert text_of(again) == text_of(first)
    assert SOMEONE_ELSE not in text_of(again)


def test_documents_rendered_at_once_in_several_threads_each_read_right():
    names = ["Łukasz Yılmaz–Şahin", SOMEONE_ELSE, "Jörg Weiß-Öztürk", "Zoë Ağaoğlu"]
    results: dict[str, str] = {}
    errors: list[BaseException] = []

    def render(name: str, language: str) -> None:
        try:
            for _ in range(2):
                pdf = receipt_pdf(
                    receipt(applicant={"name": name, "email": "x@example.org"}), language=language
                )
            results[name] = text_of(pdf)
        except BaseException as exc:  # reported below, with the thread's name
            errors.append(exc)

    threads = [
        threading.Thread(target=render, args=(name, ("de", "en")[n % 2]))
        for n, name in enumerate(names)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    for n, name in enumerate(names):
        text = results[name]
        assert name in text
        assert [other for other in names if other != name and other in text] == []
        assert ("Seite 1 von 1" if n % 2 == 0 else "Page 1 of 1") in text


def test_a_changed_print_stylesheet_is_used_from_the_next_document_on(static_copy):
    stylesheet = static_copy / "documents" / "print.css"

    def page_width_mm() -> float:
        page = pypdf.PdfReader(io.BytesIO(receipt_pdf(receipt(), language="de"))).pages[0]
        return round(float(page.mediabox.width) * 25.4 / 72)

    assert page_width_mm() == 210  # A4, as the stylesheet says
    original = stylesheet.read_text()
    stylesheet.write_text(original + "\n@page { size: A5 }\n")
    stat = stylesheet.stat()
    # A new modification time even on file systems with coarse timestamps.
    os.utime(stylesheet, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    assert page_width_mm() == 148


def test_a_font_missing_from_the_static_folder_is_a_pdf_error_not_a_fallback(static_copy):
    (static_copy / "vendor" / "fonts" / "print" / "NotoSans-Bold.woff2").unlink()
    with pytest.raises(PdfError, match="NotoSans-Bold"):
        receipt_pdf(receipt(), language="de")
