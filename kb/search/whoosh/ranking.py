"""BM25 ranking over one Whoosh searcher, with set algebra instead of Whoosh's matchers.

Whoosh's own matchers walk every posting in pure Python, twice per search (once to count,
once to score). A Ranker reads each term's postings once into a docnum -> score map;
units, alternatives and phrases then combine as dict operations, giving exact totals and
the scores for the top page in one pass. One Ranker lives as long as its searcher.
Collection statistics are those of the audience that searches (see Ranker).
"""

import math
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import Phrase

from kb.search.backend import Query
from kb.search.whoosh.topk import Postings

K1, B = 1.2, 0.75  # Whoosh's BM25F defaults
FIELD = "text"
# Postings kept per process as packed arrays: docnum and score (8 bytes), and for the
# terms a search ranked, their score order (4 more): 48 MB at most (a dict of Python ints
# and floats would take ~90 bytes per posting). 10k documents have ~1.6M postings in all;
# at 100k the 61 bench queries of an agent touch 2.7M (2.5M made them evict each other).
TERM_CACHE_ENTRIES = 4_000_000


class Ranker:
    """BM25 scores of every match for one searcher (see the module docstring).

    Collection statistics (document count, document frequency, average length) are those of
    the documents the searcher may read, never of the whole index: otherwise internal
    documents and drafts holding a word would change an anonymous caller's scores and order,
    and so reveal how often hidden documents use it. They are computed per audience (a set
    of levels) and kept as long as the searcher, that is one index generation.
    """

    def __init__(
        self,
        searcher: Any,
        lengths: Callable[[str], list[int]],
        allowed: Callable[[frozenset[str]], set[int]],
    ) -> None:
        """``lengths(field)`` gives a field's length for every docnum of ``searcher``;
        ``allowed(levels)`` the live docnums at those levels."""
        self.searcher = searcher
        self._lengths_of = lengths
        self._allowed = allowed
        self._stats: dict[tuple[frozenset[str], str], tuple[set[int], list[int], float]] = {}
        self._terms: dict[tuple[frozenset[str], str, str], Postings] = {}
        self._entries = 0

    def statistics(self, levels: frozenset[str], field: str = FIELD) -> tuple[int, float]:
        """(documents, average field length) over the live documents at ``levels``."""
        allowed, _lengths, avgdl = self._audience(levels, field)
        return len(allowed), avgdl

    def _audience(self, levels: frozenset[str], field: str) -> tuple[set[int], list[int], float]:
        key = (levels, field)
        stats = self._stats.get(key)
        if stats is None:
            allowed = self._allowed(levels)
            lengths = self._lengths_of(field)
            total = sum(map(lengths.__getitem__, allowed))
            stats = (allowed, lengths, (total / len(allowed) if allowed else 0.0) or 1.0)
            self._stats[key] = stats
        return stats

    def term_scores(
        self, term: str, levels: frozenset[str], field: str = FIELD
    ) -> dict[int, float]:
        """BM25 of one term for every document at ``levels`` that has it."""
        found = self.postings(term, levels, field)
        return dict(zip(found.docs, found.scores, strict=True))

    def postings(self, term: str, levels: frozenset[str], field: str = FIELD) -> Postings:
        """One term's documents at ``levels`` with their BM25, kept for the searcher's life."""
        key = (levels, field, term)
        cached = self._terms.pop(key, None)  # put back last: the most recently used
        if cached is None:
            cached = Postings(*self._read_postings(term, levels, field))
            # Bounded by postings held, not terms (common terms are big); the least recently
            # used go first, so the terms most searches share stay (clearing them all made
            # an agent's search at 100k documents read them again: median 13 -> 73 ms).
            self._entries += len(cached.docs)
            while self._entries > TERM_CACHE_ENTRIES and self._terms:
                self._entries -= len(self._terms.pop(next(iter(self._terms))).docs)
        self._terms[key] = cached
        return cached

    def _read_postings(self, term: str, levels: frozenset[str], field: str) -> tuple[array, array]:
        reader = self.searcher.reader()
        docnums, scores = array("i"), array("f")
        if not reader.doc_frequency(field, term):
            return docnums, scores
        allowed, lengths, avgdl = self._audience(levels, field)
        # Whole blocks through comprehensions; only postings this audience may read count,
        # for the document frequency as well as for the scores.
        found = [
            (d, tf)
            for ids, tfs in posting_blocks(reader, term, field)
            for d, tf in zip(ids, tfs, strict=True)
            if d in allowed
        ]
        if found:
            n, df = len(allowed), len(found)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            boost, fixed, per_length = idf * (K1 + 1), K1 * (1 - B), K1 * B / avgdl
            docnums.extend([d for d, _ in found])
            scores.extend([boost * tf / (tf + fixed + per_length * lengths[d]) for d, tf in found])
        return docnums, scores

    def evaluate(self, query: Query) -> dict[int, float] | None:
        """docnum -> score for every match; None when the query has no words (browse)."""
        units: list[dict[int, float]] = []
        memo: dict[str, dict[int, float]] = {}

        def term_scores(term: str) -> dict[int, float]:
            if term not in memo:
                memo[term] = self.term_scores(term, query.levels)
            return memo[term]

        for unit in query.units:
            alternatives = [alt for alt in unit if alt]
            if len(alternatives) == 1:  # read-only from here on: may share a memo entry
                units.append(all_of([term_scores(t) for t in alternatives[0]]))
                continue
            combined: dict[int, float] = {}
            for alternative in alternatives:
                for docnum, score in all_of([term_scores(t) for t in alternative]).items():
                    combined[docnum] = combined.get(docnum, 0.0) + score  # OR sums, as Whoosh
            units.append(combined)
        for phrase in query.phrases:
            in_phrase = all_of([term_scores(t) for t in phrase])
            if len(phrase) > 1 and in_phrase:
                exact = set(self.searcher.docs_for_query(Phrase(FIELD, phrase)))
                in_phrase = {d: s for d, s in in_phrase.items() if d in exact}
            units.append(in_phrase)
        if not units:
            return None
        if query.match_all_units:
            return all_of(units)
        result: dict[int, float] = {}
        for scores in units:
            for docnum, score in scores.items():
                result[docnum] = result.get(docnum, 0.0) + score
        return result


def all_of(maps: list[dict[int, float]]) -> dict[int, float]:
    """Documents in every map, with their scores summed; starts from the smallest map."""
    if not maps:
        return {}
    if len(maps) == 1:
        return maps[0]
    maps = sorted(maps, key=len)
    first, rest = maps[0], maps[1:]
    out: dict[int, float] = {}
    for docnum, score in first.items():
        for other in rest:
            value = other.get(docnum)
            if value is None:
                break
            score += value
        else:
            out[docnum] = score
    return out


def posting_blocks(
    reader: Any, term: str, field: str = FIELD
) -> Iterator[tuple[list[int], list[float]]]:
    """(docnums, term frequencies) of the live documents with ``term``, a block at a time.

    Whoosh's matchers cost several Python calls per posting; large posting lists are read
    here a block at a time from the segment's own matcher (decoding runs mostly in C). Any
    other matcher (short lists stored inline) goes through the public API.
    """
    for segment, base in reader.leaf_readers():
        if not segment.doc_frequency(field, term):
            continue
        matcher = segment.postings(field, term)
        deleted: set[int] | frozenset[int] = frozenset()
        if isinstance(matcher, FilterMatcher):  # the segment's deleted documents
            deleted, matcher = matcher._ids, matcher.child
        blocks: Iterable[tuple[Sequence[int], Sequence[float]]]
        if isinstance(matcher, W3LeafMatcher):
            blocks = _leaf_blocks(matcher)
        else:
            # weight(), not items_as("weight"): that decodes the frequency and loses a
            # token's boost (the learned terms' lower weight, see schema.LEARNED_BOOST).
            pairs = []
            while matcher.is_active():
                pairs.append((matcher.id(), matcher.weight()))
                matcher.next()
            blocks = [([d for d, _ in pairs], [w for _, w in pairs])]
        for ids, tfs in blocks:
            if deleted:
                live = [i for i, d in enumerate(ids) if d not in deleted]
                ids, tfs = [ids[i] for i in live], [tfs[i] for i in live]
            yield ([d + base for d in ids] if base else list(ids)), list(tfs)


def _leaf_blocks(matcher: Any) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        yield matcher._ids, matcher._weights
        matcher._next_block()


def segment_docnums(segment: Any, term: str, field: str) -> list[int]:
    """One segment's docnums with ``term``, its deleted documents included (segment-local:
    for data kept as long as the segment, with deletions applied by the reader of the day)."""
    if not segment.doc_frequency(field, term):
        return []
    matcher = segment.postings(field, term)
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if isinstance(matcher, W3LeafMatcher):
        return [d for ids, _ in _leaf_blocks(matcher) for d in ids]
    return list(matcher.all_ids())
