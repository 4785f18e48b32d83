"""Keeping the search index in step with the database (searching is in searching.py).

The database is the truth. Document changes add a row to the change log (SearchOutbox) in
their own transaction; after the commit, sync() applies the rows this host's index has not
seen (its cursor, kb.search.cursor) under the backend's writer lock, reading each
document's state while holding it, so concurrent workers can neither lose nor reorder
updates. Every index keeps its own cursor, so each host's Whoosh folder follows the
database on its own: another host's changes, and rows a crashed process left, are applied
by the next search (at most once a second per process) or `kb search reindex`.
Analysis is bounded (kb.search.analysis), each sync has a time budget, and a document the
index refuses is set aside with an error in the log, so one document never holds up the rest.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import func, insert, select

from kb import ROOT
from kb.db import after_commit
from kb.documents.models import Document, Revision
from kb.documents.policy import index_level
from kb.extensions import db
from kb.search import cursor as cursors
from kb.search import highlight
from kb.search.analysis import Vocabulary, vocabulary_words
from kb.search.backend import LEVELS, IndexDoc, IndexMissing, LockTimeout, SearchBackend
from kb.search.engine import engine as engine_state
from kb.search.indexdocs import (
    EMPTY,
    READ_WITH,
    all_index_docs,
    learned_phrases,
    to_index_doc,
    with_revisions,
)
from kb.search.indexdocs import indexed_revision as indexed_revision  # re-exported
from kb.search.models import SearchOutbox

log = logging.getLogger(__name__)
CATCH_UP_EVERY = 1.0  # seconds between outbox checks per process
SYNC_BATCH = 200  # outbox rows per writer lock; a batch is also the unit of the time budget
SYNC_BUDGET = 5.0  # seconds of index updates after one save, or in one search's catch-up
CATCH_UP_LOCK_WAIT = 0.5  # a search does not wait longer for a writer busy elsewhere
CATCH_UP_BUDGET = 0.5  # seconds of other hosts' changes one search applies at most
CATCH_UP_BATCH = 20  # documents per batch when a search catches up


def backend() -> SearchBackend:
    """The app's backend, created on first use (the factory stays free of I/O)."""
    return engine_state().backend


def synonym_file() -> Path:
    """The synonym file editors keep (KB_SYNONYMS_FILE, default content/synoniemen.txt)."""
    return Path(current_app.config.get("KB_SYNONYMS_FILE") or ROOT / "content" / "synoniemen.txt")


# -- keeping the index in step ------------------------------------------------------------
def enqueue(doc: Document) -> None:
    """Mark a document's index entry stale, inside the caller's unit of work; the index is
    updated after the commit (sync_quietly). Raises nothing of its own."""
    db.session.add(SearchOutbox(document_id=doc.id))
    after_commit(sync_quietly)


def enqueue_many(document_ids: Iterable[int]) -> None:
    """enqueue() for many documents at once, in one statement (a bulk import)."""
    rows = [{"document_id": doc_id} for doc_id in document_ids]
    if rows:
        db.session.execute(insert(SearchOutbox), rows)
        after_commit(sync_quietly)


def sync(
    batch: int = SYNC_BATCH, budget: float | None = None, lock_timeout: float | None = None
) -> int:
    """Apply the change log to this host's index; returns the number of documents updated.

    Each batch reads the index's cursor, the changes after it and the documents, and
    applies them with the advanced cursor under the writer lock if the cursor is still the
    same there (else reads them again under the lock), so an index never goes back to older
    database state. With a ``budget`` (seconds), no new batch
    starts once it is spent: the rest is left to the next catch-up. A missing or unusable
    index is rebuilt (in the background when big). Raises LockTimeout when another process
    holds the writer lock longer than ``lock_timeout`` (default KB_SEARCH_LOCK_TIMEOUT),
    and whatever the database raises.
    """
    engine = backend()
    if lock_timeout is None:
        lock_timeout = current_app.config.get("KB_SEARCH_LOCK_TIMEOUT", 10.0)
    deadline = None if budget is None else time.monotonic() + budget
    done = 0
    try:
        while deadline is None or time.monotonic() < deadline or not done:
            # Analysis reads the database (PostgreSQL's vocabulary) and takes the time, so it
            # runs before the writer lock; under the lock the batch is applied only if the
            # index's cursor did not move meanwhile (any later change to these documents
            # comes with a log row after it), else it is read again under the lock.
            prepared = _prepare(engine, index_cursor(engine), batch)
            db.session.commit()  # end the reading transaction: the lock sees fresh state
            if prepared is None:
                break
            with engine.lock(lock_timeout):
                cursors.prune(engine_state().last_prune)
                current = index_cursor(engine)
                if current != prepared.cursor:
                    prepared = _prepare(engine, current, batch)
                count = _apply_prepared(engine, prepared) if prepared else None
                db.session.commit()
            if count is None:
                break
            done += count
    except IndexMissing as exc:
        db.session.rollback()
        log.warning("search index needs a rebuild: %s", exc)
        return done + rebuild_missing()
    return done


def index_cursor(engine: SearchBackend | None = None) -> cursors.Cursor:
    """This host's index position, if it can follow this database; raises IndexMissing."""
    return cursors.usable((engine or backend()).cursor())


@dataclass
class _Batch:
    """Up to a batch of change-log rows after ``cursor``, analysed and ready to apply."""

    cursor: cursors.Cursor
    rows: list[tuple[int, int]]  # (log row id, document id)
    upserts: list[IndexDoc]
    deletes: list[int]


def _prepare(engine: SearchBackend, cursor: cursors.Cursor, batch: int) -> _Batch | None:
    rows = cursors.changes(cursor, batch)
    if not rows:
        return None
    ids = {document_id for _, document_id in rows}
    pairs = db.session.execute(with_revisions(select(Document).where(Document.id.in_(ids)))).all()
    words: dict[str, set[str]] = {level: set() for level in LEVELS}
    for doc, revision in pairs:
        level = index_level(doc)
        if level is not None:
            words[level] |= vocabulary_words(
                f"{revision.title} {highlight.plain_text(revision.html)}"
            )
    vocabularies = {
        level: engine.vocabulary(frozenset(below), set().union(*(words[b] for b in below)))
        for level, below in READ_WITH.items()
        if words[level]
    }
    learned = learned_phrases(ids)
    analysed = (
        _analysed(doc, rev, vocabularies.get(index_level(doc) or "", EMPTY), learned.get(doc.id))
        for doc, rev in pairs
    )
    upserts = [d for d in analysed if d]
    deletes = sorted(ids - {d.id for d in upserts})
    return _Batch(cursor, rows, upserts, deletes)


def _apply_prepared(engine: SearchBackend, prepared: _Batch) -> int:
    """Under the writer lock: the batch's documents and the advanced cursor, together."""
    advanced = cursors.advance(prepared.cursor, [row_id for row_id, _ in prepared.rows])
    upserts, deletes = prepared.upserts, prepared.deletes
    try:
        with _savepoint():
            engine.apply(upserts, deletes, advanced)
    except (IndexMissing, LockTimeout, OSError):
        raise  # the index, not a document: keep the position and retry later
    except Exception:
        log.exception("search index refused a batch; applying its documents one at a time")
        _apply_one_by_one(engine, upserts, deletes, advanced)
    return len({document_id for _, document_id in prepared.rows})


def _analysed(
    doc: Document, revision: Revision, vocabulary: Vocabulary, learned: list[str] | None
) -> IndexDoc | None:
    """to_index_doc(), except that a document the analysis fails on is left out of the
    index (logged, and listed by `kb search check`) instead of failing the whole batch."""
    try:
        return to_index_doc(doc, revision, vocabulary, learned)
    except Exception:
        log.exception("search analysis failed for %s (id %s); left out", doc.slug, doc.id)
        return None


def _apply_one_by_one(
    engine: SearchBackend, upserts: list[IndexDoc], deletes: list[int], cursor: cursors.Cursor
) -> None:
    """After a refused batch: every document the index takes goes in; one it refuses is
    left out of the index (`kb search check` lists it) instead of blocking every later one.
    The cursor is stored with each step: the batch counts as applied."""
    engine.apply([], deletes, cursor)
    for doc in upserts:
        try:
            with _savepoint():
                engine.apply([doc], [], cursor)
        except (IndexMissing, LockTimeout, OSError):
            raise
        except Exception:
            log.exception("search index refused %s (id %s); left out", doc.slug, doc.id)
            engine.apply([], [doc.id], cursor)


def _savepoint() -> AbstractContextManager:
    """On PostgreSQL a refused statement aborts the transaction (and with it the writer
    lock and the outbox batch) unless it ran in a savepoint; SQLite needs none."""
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.begin_nested()
    return nullcontext()


def sync_quietly(
    budget: float | None = None, lock_timeout: float | None = None, batch: int = SYNC_BATCH
) -> None:
    """After-commit hook: a failed or slow index update must not fail the user's save.

    Spends at most ``budget`` seconds (default KB_SEARCH_SYNC_BUDGET); what is left stays
    in the outbox for the next catch-up. Raises nothing: failures are logged.
    """
    if budget is None:
        budget = current_app.config.get("KB_SEARCH_SYNC_BUDGET", SYNC_BUDGET)
    if lock_timeout is None:  # nor does it wait longer than that for another writer
        lock_timeout = min(current_app.config.get("KB_SEARCH_LOCK_TIMEOUT", 10.0), budget)
    try:
        sync(batch=batch, budget=budget, lock_timeout=lock_timeout)
    except LockTimeout as exc:  # another process is writing; it or the next search catches up
        db.session.rollback()
        log.warning("search index busy, update left for later: %s", exc)
    except Exception:  # the outbox keeps the work; the next search or reindex catches up
        db.session.rollback()
        log.exception("search index update failed; it will be retried")


def catch_up() -> None:
    """Apply changes this host's index has not seen: made on another host, or left by a
    crashed or busy process. At most once a second (KB_SEARCH_CATCH_UP_SECONDS) per process.

    Waits at most CATCH_UP_LOCK_WAIT for a writer busy elsewhere. Raises IndexMissing when
    the index cannot follow this database (the caller rebuilds), and what reading the change
    log raises; index failures are logged (see sync_quietly).
    """
    state = engine_state()
    now = time.monotonic()
    if now - state.last_catch_up < current_app.config.get(
        "KB_SEARCH_CATCH_UP_SECONDS", CATCH_UP_EVERY
    ):
        return
    cursor = index_cursor()
    state.last_catch_up = now
    if cursors.has_changes(cursor):
        timeout = current_app.config.get("KB_SEARCH_LOCK_TIMEOUT", 10.0)
        # A search does a small share of the work, in small batches; the next ones go on.
        sync_quietly(
            budget=CATCH_UP_BUDGET,
            lock_timeout=min(timeout, CATCH_UP_LOCK_WAIT),
            batch=CATCH_UP_BATCH,
        )


def rebuild(progress: Callable[[], None] | None = None, *, if_missing: bool = False) -> int:
    """Rebuild this host's index from the database, aside, then swap it in; searches and
    changes go on meanwhile, and the changes made during the build are applied after it.
    ``if_missing``: only when no usable index is there (several processes may ask at once).

    Raises whatever the backend or the database raises; the old index stays in place.
    """
    engine = backend()
    with engine.rebuild_lock():
        if if_missing:
            try:
                index_cursor(engine)
                engine.generation()  # and readable
                db.session.commit()
                return 0
            except IndexMissing:
                db.session.rollback()
        start = cursors.start()
        db.session.commit()  # the installation id, if this was its first use
        size = searchable_count()
        count = engine.rebuild(
            all_index_docs(progress, size), progress=None, size_hint=size, cursor=start
        )
        db.session.commit()
    sync_quietly()  # what changed while the index was built
    return count


def rebuild_missing() -> int:
    """Rebuild a missing index: within this call when small (up to
    KB_SEARCH_REBUILD_INLINE_MAX documents), else in a background thread (returns 0)."""
    if searchable_count() > current_app.config.get("KB_SEARCH_REBUILD_INLINE_MAX", 2000):
        rebuild_in_background()
        return 0
    return rebuild(if_missing=True)


def rebuild_in_background() -> bool:
    """Start rebuilding a missing index in a thread of this process; False if one runs.

    For web requests on big indexes: a rebuild of thousands of documents takes longer than
    a request may. Several processes may start one; the rebuild lock lines them up and the
    later ones find the index in place and stop. Raises nothing: the thread logs failures.
    """
    state = engine_state()
    if not state.rebuilding.acquire(blocking=False):
        return False
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        try:
            with app.app_context():
                try:
                    rebuild(if_missing=True)
                except Exception:
                    log.exception("background search rebuild failed")
                finally:
                    db.session.remove()
        finally:
            state.rebuilding.release()

    threading.Thread(target=run, name="kb-search-rebuild", daemon=True).start()
    return True


def searchable_count() -> int:
    """How many documents the index should hold (archived ones are never searched).

    Raises what the database raises.
    """
    count = db.session.scalar(select(func.count(Document.id)).where(Document.status != "archived"))
    return count or 0


def unapplied() -> int:
    """How many change-log rows this host's index has not applied (0 when it is missing)."""
    try:
        cursor = index_cursor()
    except IndexMissing:
        return 0
    return len(cursors.changes(cursor, 100_000))


def check() -> list[str]:
    """Differences between the index and the database, one line each; empty when in step.

    A missing index is one line ("index missing: …"), not an exception; raises what the
    database raises.
    """
    expected: dict[int, tuple[str, str, int]] = {}
    for doc in db.session.scalars(select(Document)):
        level = index_level(doc)
        if level is not None:
            expected[doc.id] = (doc.slug, level, doc.published_number or doc.current_number)
    try:
        index_cursor()
        indexed = backend().indexed()
    except IndexMissing as exc:
        return [f"index missing: {exc} (run `kb search reindex`)"]
    drift = []
    for doc_id, (slug, level, revision) in sorted(expected.items()):
        got = indexed.get(doc_id)
        if got is None:
            drift.append(f"missing from index: {slug} (id {doc_id})")
        elif got != (level, revision):
            drift.append(
                f"stale in index: {slug} has {got[0]} r{got[1]}, database {level} r{revision}"
            )
    for doc_id in sorted(set(indexed) - set(expected)):
        drift.append(f"in index but not searchable: id {doc_id} ({indexed[doc_id][0]})")
    return drift
