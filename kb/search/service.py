"""Keeping the search index in step with the database (searching is in searching.py).

The database is the truth. Document changes add a SearchOutbox row in their own
transaction; after the commit, sync() applies the outbox to the index under the backend's
writer lock, reading each document's state while holding it, so concurrent workers can
neither lose nor reorder updates. A crash between commit and sync leaves rows that the
next search (any process, at most once a second) or `kb search reindex` catches up.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, select

from kb import ROOT
from kb.db import after_commit
from kb.documents.models import Document, Revision
from kb.documents.policy import index_level
from kb.extensions import db
from kb.search import highlight
from kb.search.analysis import Vocabulary, index_terms, stem, vocabulary_words, words
from kb.search.backend import IndexDoc, SearchBackend
from kb.search.models import SearchOutbox
from kb.search.whoosh_backend import IndexMissing, WhooshBackend

log = logging.getLogger(__name__)
CATCH_UP_EVERY = 1.0  # seconds between outbox checks per process
_last_catch_up = 0.0


def backend() -> SearchBackend:
    """The app's backend, created on first use (the factory stays free of I/O)."""
    ext = current_app.extensions
    if "kb_search" not in ext:
        name = current_app.config["KB_SEARCH_BACKEND"]
        if name == "postgres":
            from kb.search.postgres_backend import PostgresBackend

            ext["kb_search"] = PostgresBackend()
        else:
            ext["kb_search"] = WhooshBackend(
                current_app.config["KB_DATA_DIR"],
                parallel_from=current_app.config.get("KB_SEARCH_PARALLEL_FROM", 2000),
            )
    return ext["kb_search"]


def synonym_file() -> Path:
    return Path(current_app.config.get("KB_SYNONYMS_FILE") or ROOT / "content" / "synoniemen.txt")


# -- keeping the index in step ------------------------------------------------------------
def enqueue(doc: Document) -> None:
    """Mark a document's index entry stale, inside the caller's unit of work."""
    db.session.add(SearchOutbox(document_id=doc.id))
    after_commit(sync_quietly)


def indexed_revision():
    # Published documents are searched by their published revision, drafts by their current.
    return func.coalesce(Document.published_number, Document.current_number)


def _with_revisions(query):
    return query.join(
        Revision,
        (Revision.document_id == Document.id) & (Revision.number == indexed_revision()),
    ).add_columns(Revision)


def to_index_doc(doc: Document, revision: Revision, vocabulary: Vocabulary) -> IndexDoc | None:
    level = index_level(doc)
    if level is None:
        return None
    text = highlight.plain_text(revision.html)
    tag_text = " ".join([*(doc.tags or []), doc.category.replace("-", " ")])
    title_terms, title_parts = index_terms(revision.title, vocabulary)
    tag_terms, tag_parts = index_terms(tag_text, vocabulary)
    body_terms, body_parts = index_terms(text, vocabulary)
    return IndexDoc(
        id=doc.id,
        slug=doc.slug,
        level=level,
        kind=doc.kind,
        channel=doc.channel or "",
        category=doc.category or "",
        tags=list(doc.tags or []),
        revision=revision.number,
        title=revision.title,
        title_terms=title_terms,
        tag_terms=tag_terms,
        body_terms=body_terms,
        part_terms=title_parts + tag_parts + body_parts,
        words=vocabulary_words(f"{revision.title} {tag_text} {text}"),
        title_words=set(words(revision.title)),
    )


def sync(batch: int = 500) -> int:
    """Apply the outbox to the index; returns the number of documents updated.

    Each batch reads the outbox and the documents while holding the writer lock and
    commits before releasing it, so a later batch always sees later database state.
    """
    engine = backend()
    timeout = current_app.config.get("KB_SEARCH_LOCK_TIMEOUT", 10.0)
    done = 0
    while True:
        with engine.lock(timeout):
            count = _sync_batch(engine, batch)
            db.session.commit()
        if count is None:
            return done
        done += count


def _sync_batch(engine: SearchBackend, batch: int) -> int | None:
    rows = db.session.execute(
        select(SearchOutbox.id, SearchOutbox.document_id).order_by(SearchOutbox.id).limit(batch)
    ).all()
    if not rows:
        return None
    ids = {r.document_id for r in rows}
    pairs = db.session.execute(_with_revisions(select(Document).where(Document.id.in_(ids)))).all()
    extra = set()
    for _doc, revision in pairs:
        extra |= vocabulary_words(f"{revision.title} {highlight.plain_text(revision.html)}")
    try:
        vocabulary = engine.vocabulary(None, extra)
    except IndexMissing:
        _rebuild_locked(engine, None)
        return len(ids)
    upserts = [d for d in (to_index_doc(doc, rev, vocabulary) for doc, rev in pairs) if d]
    engine.apply(upserts, sorted(ids - {d.id for d in upserts}))
    db.session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([r.id for r in rows])))
    return len(ids)


def sync_quietly() -> None:
    """After-commit hook: a failed index update must not fail the user's save."""
    try:
        sync()
    except Exception:  # the outbox keeps the work; the next search or reindex catches up
        db.session.rollback()
        log.exception("search index update failed; it will be retried")


def catch_up() -> None:
    """Apply outbox rows a crashed or busy process left behind (at most once a second)."""
    global _last_catch_up
    now = time.monotonic()
    if now - _last_catch_up < current_app.config.get("KB_SEARCH_CATCH_UP_SECONDS", CATCH_UP_EVERY):
        return
    _last_catch_up = now
    if db.session.scalar(select(SearchOutbox.id).limit(1)) is not None:
        sync_quietly()


def _all_index_docs(progress: Callable[[], None] | None) -> Iterator[IndexDoc]:
    base = _with_revisions(select(Document).where(Document.status != "archived"))
    vocabulary = Vocabulary()
    for _doc, revision in db.session.execute(base.execution_options(yield_per=500)):
        vocabulary.words |= vocabulary_words(
            f"{revision.title} {highlight.plain_text(revision.html)}"
        )
    vocabulary.stems = {stem(w) for w in vocabulary.words}
    for doc, revision in db.session.execute(base.execution_options(yield_per=500)):
        index_doc = to_index_doc(doc, revision, vocabulary)
        if index_doc is not None:
            yield index_doc
        if progress:
            progress()


def _rebuild_locked(engine: SearchBackend, progress) -> int:
    last = db.session.scalar(select(func.max(SearchOutbox.id)))
    count = engine.rebuild(_all_index_docs(progress), None, size_hint=searchable_count())
    if last is not None:
        db.session.execute(delete(SearchOutbox).where(SearchOutbox.id <= last))
    db.session.commit()
    return count


def rebuild(progress: Callable[[], None] | None = None) -> int:
    """Rebuild the whole index from the database, aside, then swap it in."""
    engine = backend()
    with engine.lock():
        return _rebuild_locked(engine, progress)


_background = threading.Lock()  # at most one background rebuild per process


def rebuild_in_background() -> bool:
    """Start rebuilding a missing index in a thread of this process; False if one runs.

    For web requests on big indexes: a rebuild of thousands of documents takes longer than
    a request may. Several processes may start one; the writer lock lines them up and the
    later ones find the index in place and stop.
    """
    if not _background.acquire(blocking=False):
        return False
    app = current_app._get_current_object()

    def run() -> None:
        try:
            with app.app_context():
                try:
                    engine = backend()
                    with engine.lock():
                        try:
                            engine.generation()  # built meanwhile by another process?
                        except IndexMissing:
                            _rebuild_locked(engine, None)
                except Exception:
                    log.exception("background search rebuild failed")
                finally:
                    db.session.remove()
        finally:
            _background.release()

    threading.Thread(target=run, name="kb-search-rebuild", daemon=True).start()
    return True


def searchable_count() -> int:
    return db.session.scalar(select(func.count(Document.id)).where(Document.status != "archived"))


def check() -> list[str]:
    """Differences between the index and the database, one line each; empty when in step."""
    expected = {}
    for doc in db.session.scalars(select(Document)):
        level = index_level(doc)
        if level is not None:
            expected[doc.id] = (doc.slug, level, doc.published_number or doc.current_number)
    try:
        indexed = backend().indexed()
    except IndexMissing as exc:
        return [f"index missing: {exc}"]
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
