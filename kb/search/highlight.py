"""Snippets: the best window of a document's text, escaped, with matches in <mark>."""

import re
from html import escape, unescape

from markupsafe import Markup

from kb.search.analysis import Vocabulary, split_compound, stem, tokens

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain_text(html: str) -> str:
    """Visible text of stored, sanitised HTML."""
    return _SPACE.sub(" ", unescape(_TAG.sub(" ", html))).strip()


def _matches(word: str, terms: set[str], vocabulary: Vocabulary | None) -> bool:
    if stem(word) in terms:
        return True
    if vocabulary is not None and len(word) >= 7 and any(t in word for t in terms if len(t) >= 3):
        return any(stem(part) in terms for part in split_compound(word, vocabulary))
    return False


def snippet(
    text: str, terms: set[str], vocabulary: Vocabulary | None = None, width: int = 30
) -> Markup:
    """About ``width`` words around the densest cluster of matches."""
    toks = list(tokens(text))
    if not toks:
        return Markup("")
    hits = [i for i, t in enumerate(toks) if _matches(t.word, terms, vocabulary)]
    start = 0
    if hits:
        best, best_count = hits[0], 0
        for i in hits:
            count = sum(1 for j in hits if i <= j < i + width)
            if count > best_count:
                best, best_count = i, count
        start = max(0, best - width // 4)
    end = min(len(toks), start + width)
    hit_set = set(hits)
    out: list[str] = ["…" if start > 0 else ""]
    cursor = toks[start].start
    for i in range(start, end):
        tok = toks[i]
        out.append(escape(text[cursor : tok.start]))
        word = escape(text[tok.start : tok.end])
        out.append(f"<mark>{word}</mark>" if i in hit_set else word)
        cursor = tok.end
    tail_end = toks[end].start if end < len(toks) else len(text)
    out.append(escape(text[cursor:tail_end].rstrip()))
    if end < len(toks):
        out.append(" …")
    return Markup("".join(out).strip())  # noqa: S704 - built from escaped pieces
