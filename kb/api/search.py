"""/api/v1/search and /api/v1/search/suggest: what the caller may read, nothing more.

Result URLs are absolute (SPEC §6) and made here, for this request: the search caches hold
slugs only, so no request's Host header can reach another client's answer.
"""

from flask import url_for

from kb.api import api_user, bp
from kb.api import schemas as s
from kb.api.spec import operation
from kb.documents.models import Channel, Kind
from kb.documents.policy import sees_drafts
from kb.search import searching as search


@operation(
    bp,
    "/search",
    "GET",
    summary="Search published documents the caller may read",
    tag="search",
    query=s.SearchQuery,
    response=s.SearchOut,
    errors=(422,),
)
def search_documents(query: s.SearchQuery) -> s.SearchOut:
    """Search; drafts only for editors who ask. 503 while a big index is rebuilt."""
    filters = {
        name: value for name in search.FILTERS if (value := getattr(query, name)) is not None
    }
    user = api_user()
    found = search.search(
        user,
        query.q,
        filters=filters,
        page=query.page,
        limit=query.limit,
        include_drafts=query.drafts and sees_drafts(user),
    )
    return s.SearchOut(
        query=found.query,
        total=found.total,
        suggestion=found.suggestion,
        results=[
            s.SearchResult(
                slug=r.slug,
                kind=Kind(r.kind),
                channel=Channel(r.channel) if r.channel else None,
                title=r.title,
                snippet=str(r.snippet),
                url=_absolute(r.slug),
                score=r.score,
            )
            for r in found.results
        ],
        facets=found.facets,
        page=found.page,
        pages=found.pages,
    )


@operation(
    bp,
    "/search/suggest",
    "GET",
    summary="Titles for search-as-you-type",
    tag="search",
    query=s.SuggestQuery,
    response=s.SuggestOut,
    errors=(422,),
)
def suggest(query: s.SuggestQuery) -> s.SuggestOut:
    """Titles that match what is typed so far."""
    hits = search.suggest(api_user(), query.q, query.limit)
    return s.SuggestOut(
        query=query.q,
        suggestions=[
            s.Suggestion(slug=h.slug, kind=Kind(h.kind), title=h.title, url=_absolute(h.slug))
            for h in hits
        ],
    )


def _absolute(slug: str) -> str:
    return url_for("documents.show", slug=slug, _external=True)
