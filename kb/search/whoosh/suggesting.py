"""Search-as-you-type on the Whoosh index: a prefix look-up in per-segment title tables.

A TitleTable holds one segment's title words, sorted, each with the segment's documents in
suggestion order (shortest title first, then lowest document id). It is built once per
segment and kept as long as the segment (kb.search.whoosh.generation.SegmentData), so a
suggestion walks the few words a prefix covers from their best documents on and stops at
``limit``, instead of reading and ordering every title posting the prefix expands to.
"""

import heapq
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kb.search.backend import Hit
from kb.search.whoosh.ranking import segment_docnums
from kb.search.whoosh.schema import TITLE_FIELD, stored_hit

if TYPE_CHECKING:
    from kb.search.whoosh.generation import Generation

WORD_DOCS_KEPT = 4096  # title words whose document sets a generation keeps


class TitleTable:
    """One segment's title words and, per word, its docnums in suggestion order (deleted
    documents included: a search skips what its audience may not read)."""

    def __init__(self, leaf: Any, lists: dict[str, list]) -> None:
        # The suggestion order as one int per document: title length, then document id.
        self.keys = [
            length << 32 | docid
            for length, docid in zip(lists["title_length"], lists["docid"], strict=True)
        ]
        docs: dict[str, array] = {}
        for raw in leaf.lexicon(TITLE_FIELD):
            word = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            found = segment_docnums(leaf, word, TITLE_FIELD)
            docs[word] = array("i", sorted(found, key=self.keys.__getitem__))
        self.docs = docs
        self.words = sorted(docs)

    def starting(self, prefix: str) -> Iterator[str]:
        """The words that start with ``prefix``."""
        words = self.words
        for i in range(bisect_left(words, prefix), len(words)):
            if not words[i].startswith(prefix):
                return
            yield words[i]


def tables(gen: "Generation") -> list[tuple[TitleTable, int]]:
    """(title table, docnum base) of every segment of a generation."""
    out = []
    for leaf, base, data in gen.leaves:
        if data.titles is None:
            data.titles = TitleTable(leaf, data.lists)
        out.append((data.titles, base))
    return out


def suggest(
    gen: "Generation", prefix: str, words: list[str], levels: frozenset[str], limit: int
) -> list[Hit]:
    """Titles with every word of ``words`` and one starting with ``prefix``, in suggestion
    order, among the documents at ``levels``."""
    if (not words and not prefix) or limit <= 0:
        return []
    allowed = gen.allowed(levels)
    segments = tables(gen)
    if words:
        matched = allowed.intersection(*(_word_docs(gen, segments, w) for w in words))
        if prefix and matched:
            having: set[int] = set()
            for table, base in segments:
                for word in table.starting(prefix):
                    having.update(d + base for d in table.docs[word])
            matched &= having
        keys = [key for table, _ in segments for key in table.keys]
        best = heapq.nsmallest(limit, matched, key=keys.__getitem__)
    else:
        best = []
        seen: set[int] = set()
        runs = [
            _run(table, base, word) for table, base in segments for word in table.starting(prefix)
        ]
        for _key, docnum in heapq.merge(*runs):
            if docnum in allowed and docnum not in seen:
                seen.add(docnum)
                best.append(docnum)
                if len(best) >= limit:
                    break
    return [stored_hit(gen.searcher.stored_fields(d), 1.0) for d in best]


def _word_docs(gen: "Generation", segments: list[tuple[TitleTable, int]], word: str) -> Any:
    def make() -> frozenset[int]:
        return frozenset(d + base for table, base in segments for d in table.docs.get(word, ()))

    return gen.cached(gen.word_docs, word, make, WORD_DOCS_KEPT)


def _run(table: TitleTable, base: int, word: str) -> Iterator[tuple[int, int]]:
    """(suggestion key, docnum) of a word's documents in one segment, best first."""
    keys = table.keys
    for docnum in table.docs[word]:
        yield keys[docnum], docnum + base
