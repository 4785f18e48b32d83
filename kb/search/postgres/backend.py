"""The SearchBackend on PostgreSQL's own full-text index (see kb.search.postgres)."""

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kb.extensions import db
from kb.search.analysis import Vocabulary
from kb.search.backend import (
    LEVELS,
    Hit,
    IndexDoc,
    IndexMissing,
    LockTimeout,
    Query,
    Results,
    batched,
)
from kb.search.cursor import Cursor, put_state
from kb.search.models import SearchState
from kb.search.postgres import reads
from kb.search.postgres.sql import (
    GIN_INDEXES,
    LOCK_KEY,
    LOCK_NOT_AVAILABLE,
    REBUILD_KEY,
    STATE,
    tables,
)
from kb.search.postgres.vocabulary import PostgresVocabulary
from kb.search.postgres.writes import insert, remove

REBUILD_BATCH = 200  # documents per rebuild transaction: the longest a writer waits
P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def _rebuild_lock() -> Iterator[None]:
    with db.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": REBUILD_KEY})
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": REBUILD_KEY})
            conn.commit()


def _reads_tables(method: Callable[P, R]) -> Callable[P, R]:
    """For backend methods: missing search tables raise IndexMissing (see tables)."""

    @wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with tables():
            return method(*args, **kwargs)

    return wrapper


def _store(cursor: Cursor | None) -> None:
    """Store ``cursor`` (None: keep the stored one) with the change counter moved on, so
    the state row, the generation every host reads, changes with every change."""
    row = db.session.get(SearchState, STATE)
    if row is None and cursor is None:
        return
    try:
        old: Any = json.loads(row.value) if row is not None else {}
    except ValueError:
        old = {}
    old = old if isinstance(old, dict) else {}
    value = json.loads(cursor.to_json()) if cursor is not None else dict(old)
    value["changes"] = int(old.get("changes") or 0) + 1
    put_state(STATE, value)


class PostgresBackend:
    """The SearchBackend on PostgreSQL's own full-text index, in the caller's session.

    Remembers per process only what is keyed by the generation (the state row, read once
    per search): the vocabularies searches ask, and typo corrections.
    """

    def __init__(self) -> None:
        self._generation: str | None = None
        self._vocabularies: dict[frozenset[str], PostgresVocabulary] = {}
        self._corrections: dict[tuple, list[str]] = {}

    @contextmanager
    def lock(self, timeout: float | None = None) -> Iterator[None]:
        """A transaction-level advisory lock: released by the commit that ends the batch.

        Raises LockTimeout (and ends the transaction) when ``timeout`` seconds pass first.
        """
        if timeout is not None:
            db.session.execute(text(f"SET LOCAL lock_timeout = '{int(timeout * 1000)}ms'"))
        try:
            db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            db.session.rollback()
            raise LockTimeout(f"search writer lock held for over {timeout}s") from exc
        yield

    def rebuild_lock(self) -> AbstractContextManager[None]:
        """One rebuild at a time across hosts (a session lock on a connection of its own)."""
        return _rebuild_lock()

    @_reads_tables
    def cursor(self) -> Cursor:
        """Raises IndexMissing when the tables were not built by this backend (an
        installation that searched with Whoosh until now): they hold nothing trustworthy."""
        row = db.session.get(SearchState, STATE)
        if row is None:
            raise IndexMissing(
                "the PostgreSQL search tables were never built: run `kb search reindex`"
            )
        return Cursor.from_json(row.value)

    def apply(
        self, upserts: list[IndexDoc], deletes: list[int], cursor: Cursor | None = None
    ) -> None:
        """Part of the caller's transaction, with the cursor: committed together."""
        with tables():
            remove(sorted({*deletes, *(d.id for d in upserts)}))
            insert(upserts)
            _store(cursor)

    def rebuild(
        self,
        docs: Iterator[IndexDoc],
        progress: Callable[[], None] | None = None,
        size_hint: int = 0,
        cursor: Cursor | None = None,
    ) -> int:
        """Under rebuild_lock(). Batches of REBUILD_BATCH documents, each in a short
        transaction of its own under the writer lock, so publishes and searches go on
        (searches see each document's old or new entry). Tables another backend left are
        emptied first; the cursor is written last, so until then the index counts as missing.
        """
        with tables():
            fresh = db.session.get(SearchState, STATE) is None
            if fresh:
                with self.lock():
                    db.session.execute(text("DELETE FROM search_entries"))
                    db.session.execute(text("DELETE FROM search_words"))
                    db.session.commit()
            built: set[int] = set()
            count = 0
            for batch in batched(docs, REBUILD_BATCH):
                with self.lock():
                    remove([d.id for d in batch])
                    insert(batch)
                    _store(None)  # searches cached before this batch are stale
                    db.session.commit()
                built.update(d.id for d in batch)
                count += len(batch)
                if progress:
                    for _ in batch:
                        progress()
            with self.lock():
                have = db.session.scalars(text("SELECT document_id FROM search_entries"))
                remove(sorted(set(have) - built))
                _store(cursor)
                db.session.commit()
            # The GIN indexes' pending lists merged (every search reads them whole, and the
            # planner prices the index by them; migration c4d2b8e6f1a3), then fresh
            # statistics, or the planner, guessing, filters every row of a level by its
            # tsvector instead of asking the GIN index (seconds per search at 10k).
            for index in GIN_INDEXES:
                db.session.execute(
                    text("SELECT gin_clean_pending_list(CAST(:index AS regclass))"),
                    {"index": index},
                )
            db.session.execute(text("ANALYZE search_entries"))
            db.session.execute(text("ANALYZE search_words"))
            db.session.commit()
        return count

    @_reads_tables
    def search(self, query: Query) -> Results:
        return reads.search(query)

    @_reads_tables
    def suggest(
        self, prefix: str, words: list[str], levels: frozenset[str], limit: int
    ) -> list[Hit]:
        return reads.suggest(prefix, words, levels, limit)

    def vocabulary(
        self, levels: frozenset[str] | None, extra: set[str] | None = None
    ) -> Vocabulary:
        """For indexing (``extra``) a new one that asks about the batch's words at once;
        for searching the one this process keeps for these levels at this generation."""
        if extra is not None or levels is None or self._generation is None:
            return PostgresVocabulary(levels or LEVELS, extra)
        found = self._vocabularies.get(levels)
        if found is None:
            found = self._vocabularies[levels] = PostgresVocabulary(levels)
        return found

    @_reads_tables
    def corrections(self, word: str, levels: frozenset[str], limit: int = 3) -> list[str]:
        key = (word, levels, limit)
        found = self._corrections.get(key) if self._generation is not None else None
        if found is None:
            found = reads.corrections(word, levels, limit)
            if self._generation is not None and len(self._corrections) < 10_000:
                self._corrections[key] = found
        return list(found)

    @_reads_tables
    def indexed(self) -> dict[int, tuple[str, int]]:
        rows = db.session.execute(text("SELECT document_id, level, revision FROM search_entries"))
        return {r[0]: (r[1], r[2]) for r in rows}

    @_reads_tables
    def generation(self) -> str:
        """The state row (cursor and change counter), which every change to the tables
        moves on, whichever host made it. Read fresh from the database each time (one
        primary-key look-up per search). Raises IndexMissing while the tables were never
        built by this backend."""
        value = db.session.scalar(
            text("SELECT value FROM search_state WHERE name = :name"), {"name": STATE}
        )
        if value is None:
            self._generation = None
            raise IndexMissing(
                "the PostgreSQL search tables were never built: run `kb search reindex`"
            )
        Cursor.from_json(value)  # an unreadable one is a missing index
        if value != self._generation:  # the tables changed: forget what was asked of them
            self._vocabularies.clear()
            self._corrections.clear()
            self._generation = value
        return value

    def close(self) -> None:
        self._vocabularies.clear()
        self._corrections.clear()
