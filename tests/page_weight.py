"""What a first visit to a page costs: the HTML and everything it pulls in, compressed as sent.

    .venv/bin/python -m tests.page_weight http://127.0.0.1:8000/ http://127.0.0.1:8000/boenen/
    .venv/bin/python -m tests.page_weight --browser http://127.0.0.1:8000/   # what Chromium fetches

Loads a page the way a browser with an empty cache does, against a running server, with
`Accept-Encoding: gzip, br`: the HTML (following redirects), then every stylesheet, script,
icon and image the HTML references, then, transitively, every `@import` and `url()` of
those stylesheets, `@font-face` sources included. Each URL is fetched once. A font face
counts whether or not the page's text uses it (a browser fetches only the faces it renders
with), and every `url()` of a rule counts whether or not the rule matches: the figure is an
upper bound of what a browser transfers, never less. `data:` URLs cost nothing extra (they
are inside the file that holds them).

Transferred bytes = the body as it came over the wire (still compressed) + the status line
and headers. `tests/portal/test_page_weight.py` asserts the budget with it; docs/performance.md
records the figures.
"""

from __future__ import annotations

import gzip
import http.client
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import brotli

ACCEPT_ENCODING = "gzip, br"
USER_AGENT = "Kreisportal page-weight/1 (like a browser with an empty cache)"
MAX_REDIRECTS = 5

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
_CSS_IMPORT_STRING = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
_FONT_FACE = re.compile(r"@font-face\s*\{([^}]*)\}", re.I)
_SRC = re.compile(r"(?:^|;)\s*src\s*:([^;]*)", re.I)


@dataclass
class Resource:
    url: str
    kind: str  # html, css, font, image, script, other
    status: int
    encoding: str  # gzip, br or "" (identity)
    transferred: int  # body on the wire + status line and headers
    body: int  # body on the wire (compressed when encoding is set)
    decoded: int  # body after decompression
    headers: dict[str, str] = field(repr=False, default_factory=dict)


@dataclass
class PageWeight:
    url: str
    resources: list[Resource]

    @property
    def total(self) -> int:
        return sum(r.transferred for r in self.resources)

    def by_kind(self) -> Counter[str]:
        kinds: Counter[str] = Counter()
        for resource in self.resources:
            kinds[resource.kind] += resource.transferred
        return kinds

    def report(self) -> str:
        lines = [f"{self.url}: {self.total / 1024:.1f} KiB transferred"]
        for r in self.resources:
            lines.append(
                f"  {r.transferred / 1024:7.1f} KiB  {r.kind:6} {r.status} "
                f"{r.encoding or '-':4} (decoded {r.decoded / 1024:6.1f} KiB)  {r.url}"
            )
        kinds = ", ".join(f"{k} {v / 1024:.1f}" for k, v in sorted(self.by_kind().items()))
        lines.append(f"  by type (KiB): {kinds}")
        return "\n".join(lines)


class _References(HTMLParser):
    """The sub-resources a browser fetches while it parses the HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str]] = []  # (url, expected kind)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "link":
            rel = set(a.get("rel", "").lower().split())
            if "stylesheet" in rel:
                self.urls.append((a.get("href", ""), "css"))
            elif rel & {"icon", "preload", "modulepreload", "apple-touch-icon", "manifest"}:
                self.urls.append((a.get("href", ""), "other"))
        elif tag == "script" and a.get("src"):
            self.urls.append((a["src"], "script"))
        elif tag in ("img", "source", "video", "audio", "embed", "iframe") and a.get("src"):
            self.urls.append((a["src"], "image" if tag in ("img", "source") else "other"))
        elif tag == "input" and a.get("type", "").lower() == "image" and a.get("src"):
            self.urls.append((a["src"], "image"))
        if tag == "video" and a.get("poster"):
            self.urls.append((a["poster"], "image"))


def css_references(css: str) -> list[tuple[str, str]]:
    """(url, kind) of everything a stylesheet makes the browser fetch: @import, then for
    every @font-face the first source of its `src` (the browser takes the first format it
    supports; every face the portal ships is woff2), then every other url()."""
    css = _CSS_COMMENT.sub("", css)
    found: list[tuple[str, str]] = []
    for match in _CSS_IMPORT_STRING.finditer(css):
        found.append((match.group(1) or match.group(2), "css"))
    for face in _FONT_FACE.finditer(css):
        for src in _SRC.finditer(face.group(1)):
            urls = [
                next(g for g in m.groups() if g is not None)
                for m in _CSS_URL.finditer(src.group(1))
            ]
            if urls:
                found.append((urls[0], "font"))
    rest = _FONT_FACE.sub("", css)
    for match in _CSS_URL.finditer(rest):
        url = next(g for g in match.groups() if g is not None)
        before = rest[max(0, match.start() - 12) : match.start()].lower()
        found.append((url, "css" if "@import" in before else "other"))
    return found


def _kind(content_type: str, expected: str) -> str:
    content_type = content_type.split(";")[0].strip().lower()
    if content_type == "text/html":
        return "html"
    if content_type == "text/css":
        return "css"
    if content_type.startswith("font/") or content_type in (
        "application/font-woff",
        "application/font-woff2",
        "application/x-font-woff",
    ):
        return "font"
    if content_type.startswith("image/"):
        return "image"
    if "javascript" in content_type:
        return "script"
    return expected


def _decode(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        return brotli.decompress(body)
    if encoding in ("", "identity"):
        return body
    raise ValueError(f"unexpected Content-Encoding {encoding!r}")


def fetch(
    url: str, *, accept: str = "*/*", timeout: float = 30, cookie: str = ""
) -> tuple[Resource, bytes]:
    """One GET without following redirects (sending `cookie`); returns the resource, whose
    headers name the cookies it set under "x-set-cookies", and the decoded body."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.netloc, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request(
            "GET",
            path,
            headers={
                "Accept": accept,
                "Accept-Encoding": ACCEPT_ENCODING,
                "Accept-Language": "de-DE,de;q=0.9,en;q=0.5",
                "User-Agent": USER_AGENT,
                **({"Cookie": cookie} if cookie else {}),
            },
        )
        response = connection.getresponse()
        body = response.read()  # http.client leaves Content-Encoding alone: wire bytes
        header_items = response.getheaders()
        status, reason = response.status, response.reason
    finally:
        connection.close()
    head = len(f"HTTP/1.1 {status} {reason}\r\n".encode("latin-1")) + 2
    head += sum(len(f"{name}: {value}\r\n".encode("latin-1")) for name, value in header_items)
    headers = {name.lower(): value for name, value in header_items}
    headers["x-set-cookies"] = "; ".join(
        value.split(";", 1)[0] for name, value in header_items if name.lower() == "set-cookie"
    )
    encoding = headers.get("content-encoding", "").strip().lower()
    decoded = _decode(body, encoding)
    resource = Resource(
        url=url,
        kind=_kind(headers.get("content-type", ""), "other"),
        status=status,
        encoding=encoding,
        transferred=head + len(body),
        body=len(body),
        decoded=len(decoded),
        headers=headers,
    )
    return resource, decoded


def measure(url: str) -> PageWeight:
    """Load `url` like a browser with an empty cache and add up what came over the wire."""
    resources: list[Resource] = []
    seen: set[str] = set()

    # The document, following redirects (each one costs a round trip and its bytes).
    cookie = ""
    for _ in range(MAX_REDIRECTS + 1):
        page, html = fetch(
            url, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", cookie=cookie
        )
        resources.append(page)
        seen.add(url)
        if page.status in (301, 302, 303, 307, 308) and "location" in page.headers:
            # A cookie set on the way (the tracking link's token exchange) goes along.
            cookie = "; ".join(c for c in (cookie, page.headers["x-set-cookies"]) if c)
            url = urljoin(url, page.headers["location"])
            continue
        break
    page.kind = "html"
    parser = _References()
    parser.feed(html.decode(_charset(page.headers), errors="replace"))
    queue: list[tuple[str, str, str]] = [(url, ref, kind) for ref, kind in parser.urls]

    while queue:
        base, ref, expected = queue.pop(0)
        if not ref or ref.startswith(("data:", "#", "javascript:", "about:")):
            continue
        absolute = urldefrag(urljoin(base, ref)).url
        if urlsplit(absolute).scheme not in ("http", "https") or absolute in seen:
            continue
        seen.add(absolute)
        resource, body = fetch(absolute)
        if resource.kind == "other":
            resource.kind = expected
        resources.append(resource)
        if resource.kind == "css" and resource.status == 200:
            text = body.decode(_charset(resource.headers), errors="replace")
            queue.extend((absolute, sub, kind) for sub, kind in css_references(text))
    return PageWeight(url=resources[0].url, resources=resources)


def _charset(headers: dict[str, str]) -> str:
    match = re.search(r"charset=([\w-]+)", headers.get("content-type", ""), re.I)
    return match.group(1) if match else "utf-8"


def measure_in_browser(urls: list[str], chromium: str = "/usr/bin/chromium") -> list[PageWeight]:
    """What Chromium itself fetches for each URL with an empty cache (fresh context): only
    the font faces and url()s the page really uses. For comparison with measure(), which
    counts everything a page could fetch; needs Playwright and Chromium."""
    from playwright.sync_api import sync_playwright

    pages = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--headless"])
        for url in urls:
            context = browser.new_context(locale="de-DE")
            page = context.new_page()
            responses = []
            page.on("requestfinished", lambda request, seen=responses: seen.append(request))
            page.goto(url, wait_until="networkidle")
            resources = []
            for request in responses:
                if request.url.startswith("data:"):
                    continue
                response = request.response()
                sizes = request.sizes()
                headers = response.headers if response else {}
                body = sizes["responseBodySize"]
                try:
                    decoded = len(response.body()) if response else 0
                except Exception:  # redirects and aborted requests have no body to read
                    decoded = 0
                resources.append(
                    Resource(
                        url=request.url,
                        kind=_kind(headers.get("content-type", ""), request.resource_type),
                        status=response.status if response else 0,
                        encoding=headers.get("content-encoding", ""),
                        transferred=body + sizes["responseHeadersSize"],
                        body=body,
                        decoded=decoded,
                        headers=headers,
                    )
                )
            pages.append(PageWeight(url=url, resources=resources))
            context.close()
        browser.close()
    return pages


def main(argv: list[str]) -> int:
    browser = "--browser" in argv
    urls = [arg for arg in argv if not arg.startswith("--")]
    if not urls:
        print(__doc__)
        return 2
    pages = measure_in_browser(urls) if browser else [measure(url) for url in urls]
    for page in pages:
        print(page.report())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
