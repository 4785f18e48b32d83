"""Snippets: the best window of a document's text, escaped, with matches in <mark>."""

import re
from html import escape, unescape

from markupsafe import Markup

from kb.search.analysis import WORD_RE, Vocabulary, fold, split_compound, stem, tokens

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


def _spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded word) for each word, in one pass over the folded text."""
    folded = fold(text)
    if len(folded) == len(text):  # folding kept every offset (the usual case)
        return [(m.start(), m.end(), m.group()) for m in WORD_RE.finditer(folded)]
    return [(t.start, t.end, t.word) for t in tokens(text)]


def snippet(
    text: str, terms: set[str], vocabulary: Vocabulary | None = None, width: int = 30
) -> Markup:
    """About ``width`` words around the densest cluster of matches."""
    spans = _spans(text)
    if not spans:
        return Markup("")
    memo: dict[str, bool] = {}  # a text repeats its words: decide each word once
    hits = []
    for i, (_, _, word) in enumerate(spans):
        found = memo.get(word)
        if found is None:
            found = memo[word] = _matches(word, terms, vocabulary)
        if found:
            hits.append(i)
    start = 0
    if hits:
        # Sliding window over the hit positions: the start with most hits within width.
        best, best_count, j = hits[0], 0, 0
        for i, h in enumerate(hits):
            while hits[j] < h - width + 1:
                j += 1
            if i - j + 1 > best_count:
                best, best_count = hits[j], i - j + 1
        start = max(0, best - width // 4)
    end = min(len(spans), start + width)
    hit_set = set(hits)
    out: list[str] = ["…" if start > 0 else ""]
    cursor = spans[start][0]
    for i in range(start, end):
        s, e, _ = spans[i]
        out.append(escape(text[cursor:s]))
        word = escape(text[s:e])
        out.append(f"<mark>{word}</mark>" if i in hit_set else word)
        cursor = e
    tail_end = spans[end][0] if end < len(spans) else len(text)
    out.append(escape(text[cursor:tail_end].rstrip()))
    if end < len(spans):
        out.append(" …")
    return Markup("".join(out).strip())  # noqa: S704 - built from escaped pieces
