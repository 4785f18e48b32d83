"""Searching and search-as-you-type: what a user may read, ranked, with snippets and facets.

Finished results are cached per app (kb.search.engine), keyed by the index generation, so a
change to the index never serves stale pages; results from the cache go through the
visibility gate again, because the database may have moved on. Cached results hold slugs,
never URLs: a link is made for each response from its own request.
"""

import logging
import math
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import current_app, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from kb.documents import markdown
from kb.documents.models import Document, Revision
from kb.documents.policy import search_levels, sees_drafts, visible_documents
from kb.errors import Unavailable
from kb.extensions import db
from kb.search import highlight
from kb.search.analysis import words
from kb.search.backend import Hit, IndexMissing, SearchBackend
from kb.search.engine import engine
from kb.search.indexdocs import indexed_revision
from kb.search.log import record_search
from kb.search.query import Plan, plan
from kb.search.service import (
    catch_up,
    rebuild,
    rebuild_in_background,
    searchable_count,
    synonym_file,
)
from kb.search.synonyms import Synonyms

log = logging.getLogger(__name__)

FILTERS = ("kind", "channel", "category", "tag")
T = TypeVar("T")


@dataclass
class Result:
    """One result as pages and the API show it; holds no URL (see ``url``)."""

    slug: str
    kind: str
    channel: str | None
    title: str
    snippet: Markup
    score: float

    @property
    def url(self) -> str:
        """The document's path, made for the current request (absolute URLs: the API)."""
        return url_for("documents.show", slug=self.slug)


@dataclass
class Response:
    """One page of results for a search, with its total, facets and suggestion."""

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


def _with_index(fn: Callable[[], T]) -> T:
    """Run fn(); a missing or unreadable index is rebuilt from the database first.

    Small indexes are rebuilt within the request; a big one (more documents than
    KB_SEARCH_REBUILD_INLINE_MAX) is rebuilt in the background while searches get a clear
    503, instead of a request that outlives the server's timeout.
    """
    try:
        return fn()
    except IndexMissing as exc:
        db.session.rollback()
        log.warning("search index missing, rebuilding: %s", exc)
        if searchable_count() > current_app.config.get("KB_SEARCH_REBUILD_INLINE_MAX", 2000):
            rebuild_in_background()
            raise Unavailable(
                _("De zoekindex wordt opnieuw opgebouwd. Probeer het over een minuut opnieuw.")
            ) from None
        rebuild(if_missing=True)
        return fn()


def _ready_generation(backend: SearchBackend) -> Hashable | None:
    """Apply other hosts' changes (kb.search.service.catch_up), then the index generation."""
    catch_up()
    return backend.generation()


def _audience(user: Any) -> str:
    return user.role if getattr(user, "is_authenticated", False) else "anonymous"


def search(
    user: Any,
    text: str,
    *,
    filters: dict[str, str] | None = None,
    page: int = 1,
    limit: int = 20,
    include_drafts: bool = False,
    record: bool = True,
) -> Response:
    """Search what this user may read. Logs the (masked) query unless ``record`` is off.

    Raises Unavailable (503) while a missing big index is rebuilt in the background.
    """
    started = time.perf_counter()
    levels = search_levels(user, include_drafts)
    state = engine()
    key = None
    generation = _with_index(lambda: _ready_generation(state.backend))
    # The synonyms are part of the key: a line an editor adds is searched at once.
    syns = state.synonyms.load(synonym_file())
    if generation is not None:
        key = (generation, syns, text, levels, tuple(sorted((filters or {}).items())), page, limit)
    cached = state.results.get(key) if key else None
    if cached is None:
        cached = _search_uncached(user, state.backend, syns, text, levels, filters, page, limit)
        if key:
            state.results.put(key, cached)
        total, suggestion, results, facets = cached
    else:
        total, suggestion, results, facets = cached
        # Cached while the database moved on: drop what the user may no longer read.
        results = _still_visible(user, results)
    took = int((time.perf_counter() - started) * 1000)
    if record and text.strip():
        record_search(_audience(user), text, total, took)
    return Response(
        query=text,
        total=total,
        suggestion=suggestion,
        results=results,
        facets=facets,
        page=page,
        limit=limit,
    )


def _search_uncached(
    user: Any,
    backend: SearchBackend,
    syns: Synonyms,
    text: str,
    levels: frozenset[str],
    filters: dict[str, str] | None,
    page: int,
    limit: int,
) -> tuple[int, str | None, list[Result], dict[str, dict[str, int]]]:
    the_plan = _with_index(
        lambda: plan(text, levels, backend, syns, filters=filters, page=page, limit=limit)
    )
    found = backend.search(the_plan.query)
    if found.total == 0 and len(the_plan.query.units) > 1 and not the_plan.query.phrases:
        the_plan.query.match_all_units = False  # nothing has every word: rank by any word
        found = backend.search(the_plan.query)
    return found.total, the_plan.suggestion, _results(user, found.hits, the_plan), found.facets


def _still_visible(user: Any, results: list[Result]) -> list[Result]:
    if not results:
        return results
    slugs = {r.slug for r in results}
    visible = set(
        db.session.scalars(
            visible_documents(user).where(Document.slug.in_(slugs)).with_only_columns(Document.slug)
        )
    )
    return [r for r in results if r.slug in visible]


def _results(user: Any, hits: list[Hit], the_plan: Plan) -> list[Result]:
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
    linked = {doc_id: _linked(html) for doc_id, _, html in rows}
    titles = _link_titles(user, set().union(*linked.values()))
    text_by_id = {
        doc_id: _plain_text(revision_id, html, {s: titles.get(s, "") for s in linked[doc_id]})
        for doc_id, revision_id, html in rows
    }
    memo: dict[str, bool] = {}  # which words match, decided once for all snippets
    highlight.ask_ahead(text_by_id.values(), the_plan.terms, the_plan.vocabulary, memo)
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
                score=hit.score,
            )
        )
    return out


def _linked(html: str) -> set[str]:
    return markdown.wikilink_slugs(html) if 'data-slug="' in html else set()


def _link_titles(user: Any, slugs: set[str]) -> dict[str, str]:
    """Titles of the linked documents this user may read, for the words of a snippet."""
    if not slugs:
        return {}
    drafts = sees_drafts(user)
    state = engine()
    generation = state.backend.generation()  # titles change only with a publish, as the index
    levels = search_levels(user, include_drafts=drafts)
    key = ("link-titles", generation, levels, frozenset(slugs)) if generation else None
    cached = state.results.get(key) if key else None
    if cached is not None:
        return dict(cached)
    rows = db.session.execute(
        visible_documents(user)
        .where(Document.slug.in_(slugs))
        .with_only_columns(Document.slug, Document.title, Document.published_title)
    )
    titles = {slug: title if drafts else (published or title) for slug, title, published in rows}
    if key:
        state.results.put(key, tuple(titles.items()))
    return titles


def _plain_text(revision_id: int, html: str, titles: dict[str, str]) -> highlight.Prepared:
    """A revision's text prepared for snippets, kept per app (revisions never change); a
    wiki link reads as its label or the target's title for this reader, never as a slug."""
    texts = engine().texts
    key = (revision_id, len(html), tuple(sorted(titles.items())))
    prepared = texts.get(key)
    if prepared is None:
        shown = markdown.link_texts(html, titles) if titles else html
        prepared = highlight.prepare(highlight.plain_text(shown))
        texts.put(key, prepared)
    return prepared


def suggest(user: Any, text: str, limit: int = 8) -> list[Result]:
    """Titles for search-as-you-type, only from documents the user may read.

    Raises Unavailable (503) while a missing big index is rebuilt in the background.
    """
    parts = words(text)
    if not parts:
        return []
    complete = text[-1:].isspace()
    prefix = "" if complete else parts[-1]
    full = parts if complete else parts[:-1]
    levels = search_levels(user)
    state = engine()
    backend = state.backend
    generation = _with_index(lambda: _ready_generation(backend))
    key = ("suggest", generation, prefix, tuple(full), levels, limit) if generation else None
    hits = state.results.get(key) if key else None
    if hits is None:
        hits = _with_index(lambda: backend.suggest(prefix, full, levels, limit))
        if key:
            state.results.put(key, hits)
    return [
        Result(
            slug=h.slug,
            kind=h.kind,
            channel=h.channel or None,
            title=h.title,
            snippet=Markup(""),
            score=h.score,
        )
        for h in hits
    ]
