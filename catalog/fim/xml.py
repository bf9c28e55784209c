"""Reading an uploaded XDatenfelder file safely and finding out which standard it follows.

Uploaded XML is untrusted: it is parsed by lxml without entity resolution, network access
or DTD loading, and any document type declaration is refused (schema messages never need
one; it is how entity bombs and external entities get in).
"""

from __future__ import annotations

import re

from lxml import etree

from catalog.fim.model import FimImportError

#: The largest file the converter reads; real Stammdatenschemata are a few hundred kB.
MAX_BYTES = 10 * 1024 * 1024

NS_PREFIX = "urn:xoev-de:fim:standard:xdatenfelder_"
NAMESPACES = {
    "urn:xoev-de:fim:standard:xdatenfelder_2": "2.0",
    "urn:xoev-de:fim:standard:xdatenfelder_3.0.0": "3.0.0",
}
SCHEMA_MESSAGE = "xdatenfelder.stammdatenschema.0102"


def parse(data: bytes) -> tuple[etree._Element, str]:
    """The document's root and its standard ("2.0" or "3.0.0"); FimImportError otherwise."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"Expected the file's bytes, got {type(data).__name__}.")
    data = bytes(data)
    if len(data) > MAX_BYTES:
        raise FimImportError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    if not data.strip():
        raise FimImportError("the file is empty.")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise FimImportError(
            "the file contains a document type or entity declaration; "
            "XDatenfelder messages never need one."
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        line = error.lineno if error.lineno else None
        raise FimImportError(f"the file is not well-formed XML: {error.msg}", line=line) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        # UTF-16 files slip past the byte check above; the tree tells.
        raise FimImportError(
            "the file contains a document type declaration; XDatenfelder messages never need one."
        )
    return root, _standard(root)


def _standard(root: etree._Element) -> str:
    qname = etree.QName(root)
    namespace = qname.namespace or ""
    where = f"<{qname.localname}>"
    if namespace not in NAMESPACES:
        if namespace.startswith(NS_PREFIX):
            found = namespace[len(NS_PREFIX) :]
            raise FimImportError(
                f"XDatenfelder version {found!r} is not supported; "
                "this portal reads XDatenfelder 2.0 and 3.0.0.",
                line=root.sourceline,
                element=where,
            )
        raise FimImportError(
            f"the namespace {namespace or '(none)'!r} is not an XDatenfelder namespace; "
            f"expected {' or '.join(repr(ns) for ns in NAMESPACES)}.",
            line=root.sourceline,
            element=where,
        )
    if qname.localname != SCHEMA_MESSAGE:
        raise FimImportError(
            f"this is a {qname.localname!r} message; only Stammdatenschema messages "
            f"({SCHEMA_MESSAGE!r}) can be imported as a service.",
            line=root.sourceline,
            element=where,
        )
    return NAMESPACES[namespace]


# --- element helpers (all take the version's namespace) -------------------------------


class Reader:
    """Small accessors over one message's elements in its namespace."""

    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def tag(self, local: str) -> str:
        return f"{{{self.ns}}}{local}"

    def child(self, element: etree._Element, local: str) -> etree._Element | None:
        return element.find(self.tag(local))

    def children(self, element: etree._Element, local: str) -> list[etree._Element]:
        return element.findall(self.tag(local))

    def text(self, element: etree._Element, local: str) -> str:
        """The trimmed text of a child, "" when absent; inner whitespace runs become one space
        (XML editors wrap long labels over several lines)."""
        found = self.child(element, local)
        if found is None:
            return ""
        return " ".join("".join(found.itertext()).split())

    def long_text(self, element: etree._Element, local: str) -> str:
        """Like `text`, but blank lines (paragraphs) survive: help and hint texts."""
        found = self.child(element, local)
        if found is None:
            return ""
        raw = "".join(found.itertext())
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", raw)]
        return "\n\n".join(p for p in paragraphs if p)

    def code(self, element: etree._Element, local: str) -> str:
        """A code-typed child: `<x><code>v</code></x>` (the standard), or `<x>v</x>`."""
        found = self.child(element, local)
        if found is None:
            return ""
        for sub in found:
            if isinstance(sub.tag, str) and etree.QName(sub).localname == "code":
                return (sub.text or "").strip()
        return (found.text or "").strip()
