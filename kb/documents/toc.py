"""A table of contents for long articles, read from the stored, sanitised HTML.

Markdown's toc extension gives every heading an id at save (kb.documents.markdown keeps the
ids that look like its own); headings without one cannot be linked and are left out.
"""

from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

MIN_HEADINGS = 3  # a shorter article is read at a glance
LEVELS = {"h2": 2, "h3": 3}


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Heading] = []
        self._open: tuple[int, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in LEVELS and self._open is None:
            anchor = dict(attrs).get("id") or ""
            self._open = (LEVELS[tag], anchor)
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in LEVELS and self._open is not None and LEVELS[tag] == self._open[0]:
            level, anchor = self._open
            text = " ".join("".join(self._text).split())
            if anchor and text:
                self.found.append(Heading(level, anchor, text))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)


def headings(html: str) -> list[Heading]:
    """The h2 and h3 headings of ``html`` that have an id, in order."""
    return list(_headings(html))


@lru_cache(maxsize=256)
def _headings(html: str) -> tuple[Heading, ...]:
    """Parsed once per distinct HTML: a page read again (the same revision, the same wiki
    links) skips the parser, which costs more than the rest of the view's Python."""
    parser = _Headings()
    parser.feed(html)
    parser.close()
    return tuple(parser.found)


def table_of_contents(html: str, minimum: int = MIN_HEADINGS) -> list[Heading]:
    """The headings to list above the article, or none when it is short."""
    found = headings(html)
    return found if len(found) >= minimum else []
