"""What the PostgreSQL search tables know: words (search_words, per level) and stems (the
tsvectors of search_entries), asked in batches.

Splitting a compound asks about every head and tail of a word (kb.search.analysis), so the
vocabulary asks the tables about all of them at once: when searching, one statement for a
word's heads and tails and one for the stems its split asks; when indexing, one for the
words of the whole batch and one per STEM_CHUNK stems (instead of a statement a question).
Stems are asked with EXISTS, see _stems_sql.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import text

from kb.extensions import db
from kb.search.analysis import (
    MAX_WORD,
    MIN_COMPOUND,
    MIN_PART,
    SEPARABLE,
    STOPWORDS,
    Vocabulary,
    stem,
)
from kb.search.postgres.sql import CONFIG, tables

CHUNK = 2000  # words per look-up statement
STEM_CHUNK = 200  # stems per look-up statement
MEMO = 50_000  # answers a vocabulary remembers at most (a search's vocabulary lives long)

WORDS = text(
    "SELECT c.w FROM unnest(CAST(:words AS text[])) AS c(w) WHERE EXISTS (SELECT 1 "
    "FROM search_words s WHERE s.word = c.w AND s.level = ANY(:levels) AND s.doc_count > 0)"
)


def _stems_sql(n: int) -> str:
    """One row of n booleans: does the stem :t<i> occur at the levels. EXISTS, so a common
    stem stops at its first row (a count read all of them: 36 ms for one at 10k); it
    relies on the GIN indexes' short pending lists (migration c4d2b8e6f1a3), without which
    the planner priced the index too high and scanned every row for a rare stem."""
    return "SELECT " + ", ".join(
        f"EXISTS (SELECT 1 FROM search_entries e WHERE e.level = ANY(:levels) "
        f"AND e.tsv @@ to_tsquery('{CONFIG}', :t{i}))"
        for i in range(n)
    )


def candidates(word: str) -> set[str]:
    """Every part of ``word`` the analysis may ask about: the word itself, the word without
    its last letter (verb_base), what follows a separable prefix (split_separable) and, for
    a compound's length, every head and tail of at least MIN_PART letters (split_compound)."""
    found = {word, word[:-1]}
    if len(word) > MAX_WORD:
        return {word}
    found.update(word[len(p) :] for p in SEPARABLE if word.startswith(p))
    if len(word) >= MIN_COMPOUND and word.isalpha():
        found.update(word[:i] for i in range(MIN_PART, len(word)))
        found.update(word[i:] for i in range(1, len(word) - MIN_PART + 1))
    return found


def _clean(term: str) -> str:
    return "".join(c for c in term if c.isalnum())


class PostgresVocabulary(Vocabulary):
    """Known words and stems at some levels, asked of the tables in batches and remembered
    for the vocabulary's life (one index batch, or searches until the index changes)."""

    def __init__(self, levels: Iterable[str], extra: set[str] | None = None) -> None:
        self.levels = sorted(levels)
        self.extra = extra or set()
        self.extra_stems = {stem(w) for w in self.extra}
        self.splits: dict[str, list[str]] = {}
        self._words: dict[str, bool] = {}
        self._stems: dict[str, bool] = {}
        self._last_miss = ""
        if self.extra:
            self.prefetch(w for word in self.extra for w in candidates(word))

    def prefetch(self, words: Iterable[str], stems: bool = True) -> None:
        """Ask the tables about ``words`` now, in few statements, and (``stems``) about the
        stems of those that are no known word (only those are asked by stem, see
        Vocabulary.knows)."""
        todo = {
            w
            for w in words
            if MIN_PART <= len(w) <= MAX_WORD
            and w not in STOPWORDS
            and w not in self.extra
            and w not in self._words
        }
        if not todo:
            return
        if len(self._words) + len(todo) > MEMO:
            self._words.clear()
            self._stems.clear()
        ordered = sorted(todo)
        known: set[str] = set()
        with tables():
            for start in range(0, len(ordered), CHUNK):
                chunk = ordered[start : start + CHUNK]
                params = {"levels": self.levels, "words": chunk}
                known.update(db.session.scalars(WORDS, params))
        self._words.update((w, w in known) for w in ordered)
        if stems:
            terms = {stem(w) for w in ordered if w not in known}
            self._ask_stems(
                sorted(t for t in terms if t not in self._stems and t not in self.extra_stems)
            )

    def expect(self, words: Iterable[str], parts: bool = True) -> None:
        """The words, their heads and tails (``parts``) and the stems of those that are no
        known word, in one statement each (see prefetch)."""
        if parts:
            words = {c for w in words for c in candidates(w)}
        self.prefetch(words, stems=parts)

    def _ask_stems(self, terms: list[str]) -> None:
        with tables():
            for start in range(0, len(terms), STEM_CHUNK):
                chunk = terms[start : start + STEM_CHUNK]
                clean = [_clean(t) for t in chunk]
                asked = [i for i, c in enumerate(clean) if c]
                answers: list[bool] = []
                if asked:
                    params: dict[str, Any] = {f"t{n}": clean[i] for n, i in enumerate(asked)}
                    params["levels"] = self.levels
                    row = db.session.execute(text(_stems_sql(len(asked))), params).one()
                    answers = [bool(v) for v in row]
                got = dict(zip(asked, answers, strict=True))
                for i, term in enumerate(chunk):
                    self._stems[term] = got.get(i, False)

    def has_word(self, word: str) -> bool:
        if word in self.extra:
            return True
        if word not in self._words:
            # The analysis asks next about this word's heads and tails: ask about all of
            # them now (their stems when the first stem is asked, see has_stem).
            self.prefetch(candidates(word), stems=False)
            self._last_miss = word
            if word not in self._words:  # too short or long to prefetch, or a stop word
                self._words[word] = self._ask_word(word)
        return self._words[word]

    def has_stem(self, term: str) -> bool:
        if term in self.extra_stems:
            return True
        if term not in self._stems:
            batch = {term}
            if self._last_miss:  # the stems a split of the last word asked about may ask
                parts = candidates(self._last_miss)
                batch.update(stem(p) for p in parts if not self._words.get(p, True))
            self._ask_stems(
                sorted(t for t in batch if t not in self._stems and t not in self.extra_stems)
            )
        return self._stems[term]

    def _ask_word(self, word: str) -> bool:
        with tables():
            found = db.session.scalars(WORDS, {"levels": self.levels, "words": [word]})
            return bool(list(found))
