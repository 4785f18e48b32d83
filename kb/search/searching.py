"""Searching and search-as-you-type: what a user may read, ranked, with snippets and facets.

Finished results are cached per process, keyed by the index generation, so a change to the
index never serves stale pages; results from the cache go through the visibility gate
again, because the database may have moved on.
"""

import logging
import math
import time
from dataclasses import dataclass, field

from flask import current_app, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import insert, select

from kb.documents.models import Document, Revision
from kb.documents.policy import search_levels, visible_documents
from kb.errors import Unavailable
from kb.extensions import db
from kb.search import highlight, privacy, synonyms
from kb.search.analysis import words
from kb.search.models import SearchLog
from kb.search.query import plan
from kb.search.service import (
    backend,
    catch_up,
    indexed_revision,
    rebuild,
    rebuild_in_background,
    searchable_count,
    synonym_file,
)
from kb.search.whoosh_backend import IndexMissing

log = logging.getLogger(__name__)
FILTERS = ("kind", "channel", "category", "tag")


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
    """Run fn(); a missing or unreadable index is rebuilt from the database first.

    Small indexes are rebuilt within the request; a big one (more documents than
    KB_SEARCH_REBUILD_INLINE_MAX) is rebuilt in the background while searches get a clear
    503, instead of a request that outlives the server's timeout.
    """
    try:
        return fn()
    except IndexMissing:
        if searchable_count() > current_app.config.get("KB_SEARCH_REBUILD_INLINE_MAX", 2000):
            rebuild_in_background()
            raise Unavailable(
                _("De zoekindex wordt opnieuw opgebouwd. Probeer het over een minuut opnieuw.")
            ) from None
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
    catch_up()
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
        (Revision.document_id == Document.id) & (Revision.number == indexed_revision()),
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
