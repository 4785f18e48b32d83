"""The Whoosh index's vocabulary: known words and stems, and typo corrections, asked of the
index itself."""

import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

from kb.search.analysis import Vocabulary, edit_distance, stem
from kb.search.whoosh.ranking import FIELD, posting_blocks


class ReaderVocabulary(Vocabulary):
    """Words and stems known to the index, asked of the reader instead of held in memory.

    Only live documents count, and for a search only those at the searcher's levels
    (``allowed``), so neither a deleted nor a hidden document changes what a searcher is
    told. Answers are remembered (bounded): a vocabulary lives as long as its searcher.
    """

    MEMO = 50_000

    def __init__(
        self,
        reader: Any,
        levels: Iterable[str],
        extra: set[str] | None = None,
        allowed: set[int] | None = None,
        reopen: Callable[[], tuple[Any, set[int]]] | None = None,
        lock: AbstractContextManager | None = None,
    ) -> None:
        # (reader, docnums the searcher may see), replaced as one; allowed None: all levels
        self._state: tuple[Any, set[int] | None] = (reader, allowed)
        self.reopen = reopen  # -> (reader, allowed) of the current searcher
        # The backend's lock: Whoosh readers seek and read shared files, so no two threads
        # may read at once, and nobody may close a reader while it is being read.
        self.lock = lock or threading.RLock()
        self.fields = [f"words_{level}" for level in sorted(levels)]
        self.extra = extra or set()
        self.extra_stems = {stem(w) for w in self.extra}
        self.splits: dict[str, list[str]] = {}
        self._words: dict[str, bool] = {}
        self._stems: dict[str, bool] = {}

    def _live(self, field: str, term: str) -> bool:
        with self.lock:
            reader, allowed = self._state
            # Changed twice meanwhile? (An index without segments reads as an EmptyReader,
            # which has nothing to close and no is_closed.)
            if getattr(reader, "is_closed", False) and self.reopen is not None:
                self._state = reader, allowed = self.reopen()
            # Block by block, stopping at the first visible document.
            for ids, _ in posting_blocks(reader, term, field):
                if (not allowed.isdisjoint(ids)) if allowed is not None else ids:
                    return True
            return False

    def has_word(self, word: str) -> bool:
        known = self._words.get(word)
        if known is None:
            known = word in self.extra or any(self._live(f, word) for f in self.fields)
            if len(self._words) >= self.MEMO:
                self._words.clear()
            self._words[word] = known
        return known

    def has_stem(self, term: str) -> bool:
        known = self._stems.get(term)
        if known is None:
            known = term in self.extra_stems or self._live(FIELD, term)
            if len(self._stems) >= self.MEMO:
                self._stems.clear()
            self._stems[term] = known
        return known


def corrections(
    searcher: Any, word: str, levels: frozenset[str], limit: int, allowed: set[int]
) -> list[str]:
    """Words at ``levels`` within edit distance 1 (short words) or 2 of ``word``, the most
    frequent and closest first.

    Frequencies count only live documents the searcher may read (``allowed``): Whoosh's
    term statistics also count deleted documents (such as a public version replaced by an
    internal one) until a merge, and its corrector keeps only the most frequent few by them.
    """
    maxdist = 1 if len(word) <= 4 else 2
    reader = searcher.reader()
    scored: dict[str, float] = {}
    for level in sorted(levels):
        field = f"words_{level}"
        for candidate in reader.terms_within(field, word, maxdist, prefix=1):
            if candidate == word:
                continue
            freq = sum(
                1
                for ids, _ in posting_blocks(reader, candidate, field)
                for d in ids
                if d in allowed
            )
            if freq:
                distance = edit_distance(word, candidate)
                scored[candidate] = max(scored.get(candidate, 0.0), freq / (1 + 3 * distance))
    ranked = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
    return [w for w, _ in ranked][:limit]
