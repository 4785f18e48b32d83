"""The XSS payloads (tests/data/xss_payloads.txt) and a check that HTML holds nothing active.

Shared by tests/test_xss.py (stored HTML and served pages) and the browser tests.
"""

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

PAYLOAD_FILE = Path(__file__).parent / "data" / "xss_payloads.txt"
PAYLOADS = [
    line.replace("\\n", "\n")
    for line in PAYLOAD_FILE.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("# ")
]

# Elements that run code, load foreign content, restyle or redirect a page.
ACTIVE_TAGS = {
    "script",
    "iframe",
    "frame",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "style",
    "base",
    "form",
    "img",
    "video",
    "audio",
    "source",
    "marquee",
    "body",
    "noscript",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "data"}
BAD_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.I)
# Browsers ignore these inside a URL's scheme ("jav\tascript:").
IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]+")


def url_scheme_is_bad(value: str) -> bool:
    return bool(BAD_SCHEME.match(IGNORED_IN_URL.sub("", unescape(value))))


class _Finder(HTMLParser):
    def __init__(self, allowed: set[str], page: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed = allowed
        self.page = page
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script" and self.page:
            # The app's own scripts: files from this origin only, nothing inline.
            if not values.get("src", "").startswith("/static/"):
                self.found.append(f"inline or foreign script {attrs}")
            self._in_script = True
        elif tag == "link" and self.page:
            if not values.get("href", "").startswith("/static/"):
                self.found.append(f"foreign link {attrs}")
        elif tag == "meta" and "http-equiv" in values:
            self.found.append(f"meta http-equiv {attrs}")
        elif tag in ACTIVE_TAGS and tag not in self.allowed:
            self.found.append(f"<{tag}> {attrs}")
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"event handler {name}={value!r} on <{tag}>")
            elif name == "style":
                self.found.append(f"style attribute on <{tag}>")
            elif name in URL_ATTRIBUTES and url_scheme_is_bad(value):
                self.found.append(f"{name}={value!r} on <{tag}>")
            elif name == "id" and value.startswith("_"):
                self.found.append(f"id={value!r} stands for a global (DOM clobbering)")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"inline script text {data[:60]!r}")


def dangers(
    html: str, *, page: bool = False, allowed: set[str] | frozenset[str] = frozenset()
) -> list[str]:
    """Everything in ``html`` that could run, load or redirect; empty when it is inert.

    ``page``: a whole page, whose own scripts and style sheets (files under /static/) are
    expected; ``allowed``: active tags the page itself uses (its forms).
    """
    finder = _Finder(set(allowed), page)
    finder.feed(html)
    finder.close()
    return finder.found
