"""The best page of a search without scoring every match (Fagin's threshold algorithm).

A search's total and facets are counted on bit sets (kb.search.whoosh.bits); only the page
shown needs scores. Each query term's postings are also kept in descending score order, so
documents are visited best first: each visited document gets its exact score (its other
terms looked up by bisection), and the walk stops once the page's worst score beats the
most any unvisited document could still reach. A walk that goes on too long (terms whose
best documents rarely share the others) gives up, and the caller scores every match.
"""

import heapq
from array import array
from bisect import bisect_left
from collections.abc import Callable

from kb.search.backend import Query
from kb.search.whoosh.bits import to_bits


class Postings:
    """One term's documents for one audience: docnums ascending, BM25 scores alongside;
    the score order and the bit set are made when first asked for."""

    __slots__ = ("_bits", "_order", "docs", "scores")

    def __init__(self, docs: array, scores: array) -> None:
        self.docs, self.scores = docs, scores
        self._order: array | None = None
        self._bits: int | None = None

    def order(self) -> array:
        """Positions in ``docs``, best score first."""
        if self._order is None:
            self._order = array(
                "i", sorted(range(len(self.docs)), key=self.scores.__getitem__, reverse=True)
            )
        return self._order

    def bits(self, size: int) -> int:
        if self._bits is None:
            self._bits = to_bits(self.docs, size)
        return self._bits

    def score(self, docnum: int) -> float | None:
        docs = self.docs
        i = bisect_left(docs, docnum)
        if i < len(docs) and docs[i] == docnum:
            return self.scores[i]
        return None


def top(
    query: Query,
    postings: Callable[[str], Postings],
    wanted: int,
    admits: Callable[[int], bool],
    tie: Callable[[int], int],
    phrase_docs: list[set[int]],
    budget: int,
) -> list[tuple[int, float]] | None:
    """The ``wanted`` best (docnum, score) pairs, best first, ties to the lower tie(docnum);
    scores as Ranker.evaluate gives them. ``admits``: whether a document may be shown at all
    (level, filters); ``phrase_docs``: the documents with each of query.phrases in order.
    None when more than ``budget`` documents would have to be visited.
    """
    units = [[alt for alt in unit if alt] for unit in query.units]
    phrases = [(phrase, docs) for phrase, docs in zip(query.phrases, phrase_docs, strict=True)]
    # How often each term counts towards a score: the bound adds its best unseen score so often.
    weight: dict[str, int] = {}
    for unit in units:
        for alt in unit:
            for term in alt:
                weight[term] = weight.get(term, 0) + 1
    for phrase, _ in phrases:
        for term in phrase:
            weight[term] = weight.get(term, 0) + 1
    if not weight:
        return []
    lists = {term: postings(term) for term in weight}
    need_all = query.match_all_units
    groups = [*units, *([phrase] for phrase, _ in phrases)]
    memo: dict[str, float | None] = {}

    def exact(docnum: int) -> float | None:
        memo.clear()

        def look(term: str) -> float | None:
            if term not in memo:
                memo[term] = lists[term].score(docnum)
            return memo[term]

        total, matched = 0.0, False
        for unit in units:
            got, hit = 0.0, False
            for alt in unit:
                part = 0.0
                for term in alt:
                    value = look(term)
                    if value is None:
                        break
                    part += value
                else:
                    got += part
                    hit = True
            if hit:
                total += got
                matched = True
            elif need_all:
                return None
        for phrase, docs in phrases:
            part = 0.0
            for term in phrase:
                value = look(term)
                if value is None or (len(phrase) > 1 and docnum not in docs):
                    break
                part += value
            else:
                total += part
                matched = True
                continue
            if need_all:
                return None
        return total if matched else None

    orders = {term: found.order() for term, found in lists.items()}
    depth = dict.fromkeys(lists, 0)
    frontier = {t: f.scores[orders[t][0]] * weight[t] for t, f in lists.items() if len(f.docs)}
    heap: list[tuple[float, int, int]] = []  # (score, -tie, docnum): the worst on top
    seen: set[int] = set()
    if not _may_match(groups, frontier, need_all):
        frontier.clear()
    while frontier:
        if len(heap) >= wanted and heap[0][0] > sum(frontier.values()) * (1 + 1e-9) + 1e-12:
            break  # no unvisited document can reach the page any more
        term = max(frontier, key=frontier.__getitem__)
        found, at = lists[term], depth[term]
        docnum = found.docs[orders[term][at]]
        at += 1
        depth[term] = at
        if at < len(found.docs):
            frontier[term] = found.scores[orders[term][at]] * weight[term]
        else:
            del frontier[term]
            if not _may_match(groups, frontier, need_all):
                frontier.clear()
        if docnum in seen:
            continue
        seen.add(docnum)
        if len(seen) > budget:
            return None
        if not admits(docnum):
            continue
        score = exact(docnum)
        if score is None:
            continue
        item = (score, -tie(docnum), docnum)
        if len(heap) < wanted:
            heapq.heappush(heap, item)
        elif item > heap[0]:
            heapq.heapreplace(heap, item)
    return [(docnum, score) for score, _, docnum in sorted(heap, reverse=True)]


def _may_match(groups: list[list[list[str]]], left: dict[str, float], need_all: bool) -> bool:
    """Whether an unvisited document may still match: every match has each term of some
    alternative of every group (or of any one group), so a group whose every alternative
    has a term with no unvisited documents (not in ``left``) rules the rest out."""
    still = [any(all(t in left for t in alt) for alt in group) for group in groups]
    return all(still) if need_all else any(still)
