"""One index generation as searches read it: its searcher, and what is worth working out once
for it rather than per search (columns, each audience's documents as a set and a bit set,
facet bit sets, term postings in the Ranker, vocabularies, corrections, title tables).

A new searcher (any change to the index) makes a new Generation, so nothing outlives a
publish. What belongs to one segment (its columns, facet bit sets and title table) never
changes once the segment is written and is kept across generations (SegmentData): after a
publish only the new, small segment is read.
"""

import heapq
from collections.abc import Callable
from itertools import chain
from typing import Any

from kb.search.backend import FACETS, Query, Results
from kb.search.whoosh.bits import from_bits, shifted, to_bits
from kb.search.whoosh.ranking import FIELD, Ranker
from kb.search.whoosh.schema import (
    COLUMN_OF,
    LENGTH_OF,
    SEGMENT_LISTS,
    has_value,
    segment_lists,
    stored_hit,
)
from kb.search.whoosh.suggesting import TitleTable
from kb.search.whoosh.topk import top

# Documents the threshold walk (kb.search.whoosh.topk) may visit before every match is
# scored instead: a share of the postings involved, and never fewer than this.
TOPK_MIN_BUDGET = 400
TOPK_SHARE = 4  # visit at most 1/TOPK_SHARE of the postings of the query's terms
FACET_COLUMNS = {"kind": "kind", "channel": "channel", "category": "category", "tag": "tagset"}


class SegmentData:
    """One segment's columns, value bit sets and title table (deleted documents included:
    deletions are applied per generation)."""

    def __init__(self, leaf: Any) -> None:
        self.lists = segment_lists(leaf)
        self._values: dict[str, dict[str, int]] | None = None
        self.titles: TitleTable | None = None

    def values(self) -> dict[str, dict[str, int]]:
        """Column -> value -> the segment's docnums with that value, as bits."""
        if self._values is None:
            values: dict[str, dict[str, int]] = {}
            for column in ("level", *FACET_COLUMNS.values()):
                groups: dict[str, list[int]] = {}
                for docnum, value in enumerate(self.lists[column]):
                    for one in value if column == "tagset" else (value,):
                        groups.setdefault(one, []).append(docnum)
                size = len(self.lists[column])
                values[column] = {v: to_bits(ds, size) for v, ds in groups.items() if v}
            self._values = values
        return self._values


class Generation:
    """A searcher and its per-generation caches; see the module docstring."""

    def __init__(self, searcher: Any, kept: dict[str, SegmentData]) -> None:
        """``kept``: the backend's SegmentData by segment id, updated to this searcher's."""
        self.searcher = searcher
        self.reader = searcher.reader()
        self.size = self.reader.doc_count_all()
        self.leaves: list[tuple[Any, int, SegmentData]] = []
        current = {}
        for leaf, base in self.reader.leaf_readers():  # in docnum order
            segment = leaf.segment()
            if segment is None:
                # An index without segments (nothing indexed yet, or every document gone
                # and merged away) reads as one EmptyReader: no documents, no columns.
                continue
            key = segment.segment_id()
            data = kept.get(key) or SegmentData(leaf)
            current[key] = data
            self.leaves.append((leaf, base, data))
        kept.clear()
        kept.update(current)  # forget segments merged away
        self._columns: dict[str, list] | None = None
        self._allowed: dict[tuple, set[int]] = {}
        self._bits: dict[tuple, int] = {}
        self._value_bits: dict[tuple[str, str], int] = {}
        self._facet_values: list[tuple[str, str, int]] | None = None
        self.ranker = Ranker(
            searcher, lambda field: self.columns[LENGTH_OF[field]], lambda lv: self.allowed(lv)
        )
        self.vocabularies: dict[Any, Any] = {}
        self.corrections: dict[tuple, list[str]] = {}
        self.word_docs: dict[str, frozenset[int]] = {}  # suggestions: title word -> docnums

    @property
    def columns(self) -> dict[str, list]:
        """Column values (and text lengths) by docnum for the whole index."""
        if self._columns is None:
            columns: dict[str, list] = {name: [] for name in SEGMENT_LISTS}
            for _leaf, _base, data in self.leaves:
                for name, values in data.lists.items():
                    columns[name].extend(values)
            self._columns = columns
        return self._columns

    def allowed(self, levels: frozenset[str], filters: dict[str, str] | None = None) -> set[int]:
        """Live docnums at ``levels`` (and with the filters' values)."""
        key = (levels, tuple(sorted((filters or {}).items())))
        if key not in self._allowed:
            columns = self.columns
            level_col = columns["level"]
            checks = [(COLUMN_OF[name], value) for name, value in (filters or {}).items()]
            allowed = set()
            for docnum in self.reader.all_doc_ids():
                if level_col[docnum] not in levels:
                    continue
                if all(has_value(columns[col][docnum], col, value) for col, value in checks):
                    allowed.add(docnum)
            if len(self._allowed) >= 16:  # each set holds up to one int per document
                self._allowed.clear()
            self._allowed[key] = allowed
        return self._allowed[key]

    def value_bits(self, column: str, value: str) -> int:
        key = (column, value)
        if key not in self._value_bits:
            self._value_bits[key] = shifted(
                (data.values()[column].get(value, 0), base) for _leaf, base, data in self.leaves
            )
        return self._value_bits[key]

    def allowed_bits(self, levels: frozenset[str], filters: dict[str, str]) -> int:
        key = (levels, tuple(sorted(filters.items())))
        if key not in self._bits:
            if filters:
                bits = self.allowed_bits(levels, {})
                for name, value in filters.items():
                    bits &= self.value_bits(COLUMN_OF[name], value)
            else:
                bits = to_bits(self.allowed(levels), self.size)
            self._bits[key] = bits
        return self._bits[key]

    # -- searching -------------------------------------------------------------------------
    def search(self, query: Query) -> Results:
        """Exact totals and facets on bit sets; the page from the threshold walk (topk), or
        from every match's score when the walk would take longer than scoring them all."""
        allowed = self.allowed_bits(query.levels, query.filters)
        start = (query.page - 1) * query.limit
        wanted = start + query.limit
        ids = self.columns["docid"]
        scores: dict[int, float] = {}
        if not query.units and not query.phrases:  # no words: browse what it may see
            matched = allowed
            page = heapq.nsmallest(wanted, from_bits(matched), key=ids.__getitem__)
        else:
            phrase_docs = [self._phrase_docs(phrase) for phrase in query.phrases]
            matched = self._matches(query, phrase_docs) & allowed
            found = None
            if matched:
                found = self._top(query, wanted, phrase_docs, ids)
            if found is None and matched:
                every = self.ranker.evaluate(query) or {}
                candidates = from_bits(matched)
                scores = {d: every.get(d, 0.0) for d in candidates}
                page = heapq.nsmallest(wanted, scores, key=lambda d: (-scores[d], ids[d]))
            else:
                scores = dict(found or [])
                page = list(scores)
        hits = [
            stored_hit(self.searcher.stored_fields(d), scores.get(d, 0.0)) for d in page[start:]
        ]
        return Results(total=matched.bit_count(), hits=hits, facets=self.facets(matched))

    def _top(
        self, query: Query, wanted: int, phrase_docs: list[set[int]], ids: list[int]
    ) -> list[tuple[int, float]] | None:
        levels = query.levels
        allowed = self.allowed(levels)
        filters = [(COLUMN_OF[n], v) for n, v in query.filters.items()]
        columns = self.columns

        def admits(docnum: int) -> bool:
            return docnum in allowed and all(
                has_value(columns[col][docnum], col, value) for col, value in filters
            )

        terms = {t for unit in query.units for alt in unit for t in alt}
        terms.update(t for phrase in query.phrases for t in phrase)
        postings = sum(len(self.ranker.postings(t, levels).docs) for t in terms)
        budget = max(TOPK_MIN_BUDGET, postings // TOPK_SHARE)
        return top(
            query,
            lambda term: self.ranker.postings(term, levels),
            wanted,
            admits,
            ids.__getitem__,
            phrase_docs,
            budget,
        )

    def _matches(self, query: Query, phrase_docs: list[set[int]]) -> int:
        """Bits of the documents at the query's levels matching it (filters not applied)."""

        def bits(term: str) -> int:
            return self.ranker.postings(term, query.levels).bits(self.size)

        def all_of(terms: list[str]) -> int:
            out = -1
            for term in terms:
                out &= bits(term)
                if not out:
                    break
            return out if terms else 0

        groups = []
        for unit in query.units:
            got = 0
            for alt in unit:
                if alt:
                    got |= all_of(alt)
            groups.append(got)
        for phrase, docs in zip(query.phrases, phrase_docs, strict=True):
            got = all_of(phrase)
            if len(phrase) > 1 and got:
                got &= to_bits(docs, self.size)
            groups.append(got)
        if not groups:
            return 0
        out = groups[0]
        for got in groups[1:]:
            out = (out & got) if query.match_all_units else (out | got)
        return out

    def _phrase_docs(self, phrase: list[str]) -> set[int]:
        if len(phrase) < 2:
            return set()
        from whoosh.query import Phrase

        return set(self.searcher.docs_for_query(Phrase(FIELD, phrase)))

    def facets(self, matched: int) -> dict[str, dict[str, int]]:
        """Counts per facet value over ``matched``: one AND and count per value."""
        counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        for name, value, bits in self.facet_values():
            n = (matched & bits).bit_count()
            if n:
                counts[name][value] = n
        # Most frequent first, then by name: never in the order of the index's own document
        # numbers, which documents the caller may not read would shift.
        return {
            name: dict(sorted(values.items(), key=lambda item: (-item[1], item[0])))
            for name, values in counts.items()
        }

    def facet_values(self) -> list[tuple[str, str, int]]:
        """(facet, value, docnums with it as bits) of every value in the index."""
        if self._facet_values is None:
            found = []
            for name in FACETS:
                column = FACET_COLUMNS[name]
                values = set(chain.from_iterable(d.values()[column] for _l, _b, d in self.leaves))
                found += [(name, value, self.value_bits(column, value)) for value in values]
            self._facet_values = found
        return self._facet_values

    def cached(self, store: dict, key: Any, make: Callable[[], Any], limit: int) -> Any:
        """store[key], made when missing; the store is emptied when it holds ``limit``."""
        if key not in store:
            if len(store) >= limit:
                store.clear()
            store[key] = make()
        return store[key]
