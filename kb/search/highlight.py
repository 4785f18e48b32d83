"""Snippets: the best window of a document's text, escaped, with matches in <mark>.

Built for result pages during a live call: the words of a text are found by one C-level
regex pass, each distinct word is judged once per search (a memo shared by all results),
and character offsets are only computed for the words the snippet shows.
"""

import re
from array import array
from collections.abc import Iterable
from html import escape, unescape
from itertools import compress
from sys import intern
from typing import NamedTuple

from markupsafe import Markup

from kb.search.analysis import (
    MAX_WORD,
    WORD_RE,
    Vocabulary,
    bounded,
    fold,
    fold_keeps_offsets,
    split_compound,
    stem,
    tokens,
)

_TAG = re.compile(r"<[^>]+>")
_UNREAD = (0, 0, "")  # stands for the offsets of words before the snippet, never read
_SPACE = re.compile(r"\s+")


def plain_text(html: str) -> str:
    """Visible text of stored, sanitised HTML."""
    return _SPACE.sub(" ", unescape(_TAG.sub(" ", html))).strip()


def _matches(word: str, terms: set[str], vocabulary: Vocabulary | None) -> bool:
    if len(word) > MAX_WORD:  # never indexed, so never a match
        return False
    if stem(word) in terms:
        return True
    if vocabulary is not None and _may_hold(word, terms):
        return any(stem(part) in terms for part in split_compound(word, vocabulary))
    return False


def _may_hold(word: str, terms: set[str]) -> bool:
    """Could ``word`` be a compound with a part among ``terms``: is it worth splitting?"""
    return len(word) >= 7 and any(t in word for t in terms if len(t) >= 3)


def _will_split(word: str, terms: set[str]) -> bool:
    """Does _matches split ``word`` (given a vocabulary) to decide?"""
    return len(word) <= MAX_WORD and stem(word) not in terms and _may_hold(word, terms)


def ask_ahead(
    texts: Iterable["Prepared"], terms: set[str], vocabulary: Vocabulary | None, memo: dict
) -> None:
    """Before the snippets of ``texts``: tell ``vocabulary`` about every word they may split
    (see _matches), so a vocabulary that asks a database asks about them all in one go
    instead of one statement a compound."""
    if vocabulary is None:
        return
    words = {w for text in texts for w in text.words if w not in memo}
    vocabulary.expect(w for w in words if _will_split(w, terms))


def _window(hits: list[int], count: int, width: int) -> tuple[int, int]:
    """Word range [start, end) of about ``width`` words around the densest run of hits."""
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
    return start, min(count, start + width)


def _chunk_start(text: str, offset: int, most: int = 40) -> int:
    """Where the run of non-space characters holding ``offset`` starts, if it starts at most
    ``most`` characters before: a snippet then shows "www.polderlink.example of" whole
    rather than "example of"."""
    stop = max(0, offset - most)
    at = offset
    while at > stop and not text[at - 1].isspace():
        at -= 1
    return at if at == 0 or text[at - 1].isspace() else offset


class Prepared(NamedTuple):
    """A text with its folded form and folded words, worth keeping for texts that recur."""

    text: str
    folded: str | None  # None when folding changed the length (offsets differ)
    words: list[str]
    starts: array | None = None  # each word's offset in ``folded`` (None with folded)


def prepare(text: str) -> Prepared:
    """The analysed part of ``text`` (kb.search.analysis.bounded), ready for snippets."""
    text = bounded(text)
    if not fold_keeps_offsets(text):  # a rare letter folds to 0 or 2 characters
        return Prepared(text, None, [t.word for t in tokens(text)])
    folded = fold(text)
    found = list(WORD_RE.finditer(folded))
    return Prepared(
        text, folded, [intern(m.group()) for m in found], array("i", [m.start() for m in found])
    )


def snippet(
    text: "str | Prepared",
    terms: set[str],
    vocabulary: Vocabulary | None = None,
    width: int = 30,
    memo: dict[str, bool] | None = None,
) -> Markup:
    """About ``width`` words around the densest cluster of matches.

    ``memo`` remembers which folded words match ``terms``; pass one dict for every
    snippet of the same search.
    """
    text, folded, found, starts = text if isinstance(text, Prepared) else prepare(text)
    if not found:
        return Markup("")
    memo = {} if memo is None else memo
    distinct = set(found)
    for word in distinct.difference(memo):
        memo[word] = _matches(word, terms, vocabulary)
    matching = {word for word in distinct if memo[word]}
    hits = list(compress(range(len(found)), map(matching.__contains__, found)))
    start, end = _window(hits, len(found), width)
    spans: list[tuple[int, int, str]]
    if folded is None or starts is None:
        spans = [(t.start, t.end, t.word) for t in tokens(text)]
    else:  # offsets only for the words shown, plus the one after them
        shown = range(start, min(end + 1, len(found)))
        spans = [_UNREAD] * start
        spans += [(starts[i], starts[i] + len(found[i]), found[i]) for i in shown]
    # Escape the text between marks in one piece: a few calls instead of one per word.
    out: list[str] = ["…" if start > 0 else ""]
    cursor = _chunk_start(text, spans[start][0])
    for i in hits:
        if start <= i < end:
            s, e, _ = spans[i]
            out.append(escape(text[cursor:s]))
            out.append(f"<mark>{escape(text[s:e])}</mark>")
            cursor = e
    tail_end = spans[end][0] if end < len(found) else len(text)
    out.append(escape(text[cursor:tail_end].rstrip()))
    if end < len(found):
        out.append(" …")
    return Markup("".join(out).strip())  # noqa: S704 - built from escaped pieces
