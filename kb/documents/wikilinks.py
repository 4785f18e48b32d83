"""Wiki links in stored HTML: the placeholders kb.documents.markdown writes for ``[[slug]]``,
filled in per reader (titles they may see, "missing" for the rest) when a page is shown."""

import re
from html import escape

from flask_babel import gettext as _

_PLACEHOLDER = re.compile(r'<a [^>]*data-slug="([a-z0-9-]+)"[^>]*>(.*?)</a>', re.S)


def wikilink_slugs(html: str) -> set[str]:
    return {m.group(1) for m in _PLACEHOLDER.finditer(html)}


def link_texts(html: str, titles: dict[str, str]) -> str:
    """Wiki links as words for search snippets: a link's own label, or the title of its
    target when ``titles`` (what this reader may see) has it; never a bare slug."""

    def replace(m: re.Match[str]) -> str:
        slug, text = m.group(1), m.group(2)
        return text if text != slug else escape(titles.get(slug, ""))

    return _PLACEHOLDER.sub(replace, html)


def resolve_wikilinks(html: str, titles: dict[str, str], can_create: bool) -> str:
    """Fill in placeholder links for one viewer.

    ``titles`` maps the slugs this viewer may read to their titles. Any other slug is shown
    as missing, without revealing whether a document the viewer may not read exists.
    """

    def replace(m: re.Match) -> str:
        slug, text = m.group(1), m.group(2)
        if slug in titles:
            label = escape(titles[slug]) if text == slug else text
            return f'<a class="wikilink" href="/artikel/{slug}">{label}</a>'
        if can_create:
            return (
                f'<a class="wikilink missing" href="/documenten/nieuw?slug={slug}" '
                f'title="{escape(_("Bestaat nog niet: aanmaken"))}">{text}</a>'
            )
        return f'<span class="wikilink missing">{text}</span>'

    return _PLACEHOLDER.sub(replace, html)
