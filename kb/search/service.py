"""Search use cases: keep the index in step with the database, search, suggest, log.

The database is the truth. Document changes add a SearchOutbox row in their own
transaction; after the commit, sync() applies the outbox to the index under the backend's
writer lock, reading each document's state while holding it, so concurrent workers can
neither lose nor reorder updates. A crash between commit and sync leaves rows that the
next search (any process, at most once a second) or `kb search reindex` catches up.
"""

import logging
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app, url_for
from markupsafe import Markup
from sqlalchemy import delete, func, insert, select

from kb import ROOT
from kb.auth.permissions import index_level, search_levels, visible_documents
from kb.db import after_commit
from kb.documents.models import Document, Revision
from kb.extensions import db
from kb.search import highlight, privacy, synonyms
from kb.search.analysis import Vocabulary, index_terms, stem, vocabulary_words, words
from kb.search.backend import IndexDoc, SearchBackend
from kb.search.models import SearchLog, SearchOutbox
from kb.search.query import plan
from kb.search.whoosh_backend import IndexMissing, WhooshBackend

log = logging.getLogger(__name__)
FILTERS = ("kind", "channel", "category", "tag")
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


def _indexed_revision():
    # Published documents are searched by their published revision, drafts by their current.
    return func.coalesce(Document.published_number, Document.current_number)


def _with_revisions(query):
    return query.join(
        Revision,
        (Revision.document_id == Document.id) & (Revision.number == _indexed_revision()),
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


def _catch_up() -> None:
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


# -- searching ----------------------------------------------------------------------------
@dataclass
class Result:
    slug: str
    kind: str
    channel: str | None
    title: str
    snippet: Markup
    url: str
    score: float


@dataclass
class Response:
    query: str
    total: int
    suggestion: str | None
    results: list[Result]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    page: int = 1
    limit: int = 20

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.limit))


def _with_index(fn):
    """Run fn(); a missing or unreadable index is rebuilt from the database first."""
    try:
        return fn()
    except IndexMissing:
        rebuild()
        return fn()


def search(
    user,
    text: str,
    *,
    filters: dict[str, str] | None = None,
    page: int = 1,
    limit: int = 20,
    include_drafts: bool = False,
    record: bool = True,
) -> Response:
    """Search what this user may read. Logs the (masked) query unless ``record`` is off."""
    started = time.perf_counter()
    _catch_up()
    levels = search_levels(user, include_drafts)
    engine = backend()
    key = None
    generation = _with_index(engine.generation)
    if generation is not None:
        key = (generation, text, levels, tuple(sorted((filters or {}).items())), page, limit)
    cached = _cache.get(key) if key else None
    if cached is None:
        cached = _search_uncached(user, engine, text, levels, filters, page, limit)
        if key:
            _cache.put(key, cached)
        total, suggestion, results, facets = cached
    else:
        total, suggestion, results, facets = cached
        # Cached while the database moved on: drop what the user may no longer read.
        results = _still_visible(user, results)
    took = int((time.perf_counter() - started) * 1000)
    if record and text.strip():
        _record(user, text, total, took)
    return Response(
        query=text,
        total=total,
        suggestion=suggestion,
        results=results,
        facets=facets,
        page=page,
        limit=limit,
    )


def _search_uncached(user, engine, text, levels, filters, page, limit):
    syns = synonyms.load(synonym_file())
    the_plan = _with_index(
        lambda: plan(text, levels, engine, syns, filters=filters, page=page, limit=limit)
    )
    found = engine.search(the_plan.query)
    if found.total == 0 and len(the_plan.query.units) > 1 and not the_plan.query.phrases:
        the_plan.query.match_all_units = False  # nothing has every word: rank by any word
        found = engine.search(the_plan.query)
    return found.total, the_plan.suggestion, _results(user, found.hits, the_plan), found.facets


def _still_visible(user, results: list["Result"]) -> list["Result"]:
    if not results:
        return results
    slugs = {r.slug for r in results}
    visible = set(
        db.session.scalars(
            visible_documents(user).where(Document.slug.in_(slugs)).with_only_columns(Document.slug)
        )
    )
    return [r for r in results if r.slug in visible]


class _LRU:
    """A small per-process cache of finished results, keyed by index generation."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.data: dict = {}

    def get(self, key):
        value = self.data.pop(key, None)
        if value is not None:
            self.data[key] = value
        return value

    def put(self, key, value) -> None:
        self.data[key] = value
        while len(self.data) > self.size:
            self.data.pop(next(iter(self.data)))


_cache = _LRU(512)


def _results(user, hits, the_plan) -> list[Result]:
    if not hits:
        return []
    # Through the visibility gate once more: the index may lag the database by a moment.
    gate = visible_documents(user).whereclause
    query = select(Document.id, Revision.id, Revision.html).join(
        Revision,
        (Revision.document_id == Document.id) & (Revision.number == _indexed_revision()),
    )
    if gate is not None:
        query = query.where(gate)
    rows = db.session.execute(query.where(Document.id.in_([h.id for h in hits]))).all()
    text_by_id = {doc_id: _plain_text(revision_id, html) for doc_id, revision_id, html in rows}
    memo: dict[str, bool] = {}  # which words match, decided once for all snippets
    out = []
    for hit in hits:
        text = text_by_id.get(hit.id)
        if text is None:
            continue
        out.append(
            Result(
                slug=hit.slug,
                kind=hit.kind,
                channel=hit.channel or None,
                title=hit.title,
                snippet=highlight.snippet(text, the_plan.terms, the_plan.vocabulary, memo=memo),
                url=url_for("documents.show", slug=hit.slug, _external=True),
                score=hit.score,
            )
        )
    return out


# (revision id, hash of its HTML) -> its text prepared for snippets. The same documents
# come up for many queries; ~8 KB each.
_texts = _LRU(1024)


def _plain_text(revision_id: int, html: str) -> highlight.Prepared:
    key = (revision_id, hash(html))  # the hash keeps apps sharing this process apart
    prepared = _texts.get(key)
    if prepared is None:
        prepared = highlight.prepare(highlight.plain_text(html))
        _texts.put(key, prepared)
    return prepared


def _record(user, text: str, total: int, took_ms: int) -> None:
    audience = user.role if getattr(user, "is_authenticated", False) else "anonymous"
    try:
        db.session.execute(
            insert(SearchLog).values(
                query=privacy.mask(text.strip())[:200],
                audience=audience,
                result_count=total,
                took_ms=took_ms,
            )
        )
        db.session.commit()
    except Exception:  # a full log must never break a search
        db.session.rollback()
        log.exception("could not write the search log")


def suggest(user, text: str, limit: int = 8) -> list[Result]:
    """Titles for search-as-you-type, only from documents the user may read."""
    parts = words(text)
    if not parts:
        return []
    complete = text[-1:].isspace()
    prefix = "" if complete else parts[-1]
    full = parts if complete else parts[:-1]
    levels = search_levels(user)
    engine = backend()
    generation = _with_index(engine.generation)
    key = ("suggest", generation, prefix, tuple(full), levels, limit) if generation else None
    hits = _cache.get(key) if key else None
    if hits is None:
        hits = _with_index(lambda: engine.suggest(prefix, full, levels, limit))
        if key:
            _cache.put(key, hits)
    return [
        Result(
            slug=h.slug,
            kind=h.kind,
            channel=h.channel or None,
            title=h.title,
            snippet=Markup(""),
            url=url_for("documents.show", slug=h.slug, _external=True),
            score=h.score,
        )
        for h in hits
    ]
