"""Searching the PostgreSQL tables: one statement per search computes the matching set once
and returns the page of hits, the exact total and every facet's counts together."""

from typing import Any

from sqlalchemy import text

from kb.extensions import db
from kb.search.analysis import edit_distance
from kb.search.backend import Hit, Query, Results
from kb.search.postgres.sql import CONFIG, WEIGHTS, tsquery

# (facet name, the SQL of its values over the matching rows m). Empty values are no facet.
_FACETS = {
    "kind": "SELECT kind AS v FROM m",
    "channel": "SELECT channel AS v FROM m",
    "category": "SELECT category AS v FROM m",
    "tag": "SELECT unnest(string_to_array(tags, ',')) AS v FROM m",
}
_PARTS = " UNION ALL ".join(
    f"SELECT '{name}', count(*), NULL, v, NULL, NULL, NULL, NULL::float8 "
    f"FROM ({values}) f WHERE v <> '' GROUP BY v"
    for name, values in _FACETS.items()
)


def _where(query: Query) -> tuple[str, dict[str, Any]]:
    clauses = ["e.level = ANY(:levels)"]
    params: dict[str, Any] = {"levels": sorted(query.levels)}
    for name, value in sorted(query.filters.items()):
        if name == "tag":
            clauses.append(":tag = ANY(string_to_array(e.tags, ','))")
            params["tag"] = value
        elif name in ("kind", "channel", "category"):
            clauses.append(f"e.{name} = :f_{name}")
            params[f"f_{name}"] = value
    return " AND ".join(clauses), params


def search(query: Query) -> Results:
    """Exact total, one page of hits and facet counts over every match: one statement."""
    where, params = _where(query)
    source = "search_entries e"
    rank = "0::float8"
    terms = tsquery(query)
    if terms:
        source += f", to_tsquery('{CONFIG}', :q) q"
        where += " AND e.tsv @@ q"
        rank = f"ts_rank('{WEIGHTS}', e.tsv, q)::float8"
        params["q"] = terms
    params.update(limit=query.limit, offset=(query.page - 1) * query.limit)
    sql = (
        "WITH m AS MATERIALIZED (SELECT e.document_id, e.slug, e.kind, e.channel, e.category, "
        f"e.tags, e.title, {rank} AS score FROM {source} WHERE {where}), "
        "page AS (SELECT * FROM m ORDER BY score DESC, document_id LIMIT :limit OFFSET :offset) "
        "SELECT 'hit', row_number() OVER (ORDER BY score DESC, document_id), document_id, slug, "
        "kind, channel, title, score FROM page "
        "UNION ALL SELECT 'total', count(*), NULL, NULL, NULL, NULL, NULL, NULL FROM m "
        f"UNION ALL {_PARTS}"
    )
    hits: list[tuple[int, Hit]] = []
    total = 0
    facets: dict[str, dict[str, int]] = {name: {} for name in _FACETS}
    for part, n, doc_id, slug, kind, channel, title, score in db.session.execute(text(sql), params):
        if part == "hit":
            hits.append((n, Hit(doc_id, slug, kind, channel, title, round(float(score), 4))))
        elif part == "total":
            total = n
        else:
            facets[part][slug] = n
    return Results(total=total, hits=[hit for _, hit in sorted(hits)], facets=facets)


def suggest(prefix: str, words: list[str], levels: frozenset[str], limit: int) -> list[Hit]:
    terms = ["".join(c for c in w if c.isalnum()) for w in words]
    terms = [t for t in terms if t]
    clean = "".join(c for c in prefix if c.isalnum())
    parts = terms + ([f"{clean}:*"] if clean else [])
    if not parts:
        return []
    rows = db.session.execute(
        text(
            "SELECT document_id, slug, kind, channel, title FROM search_entries "
            "WHERE level = ANY(:levels) AND title_tsv @@ to_tsquery('simple', :q) "
            "ORDER BY length(title), document_id LIMIT :limit"
        ),
        {"levels": sorted(levels), "q": " & ".join(parts), "limit": limit},
    ).all()
    return [Hit(r[0], r[1], r[2], r[3], r[4], 1.0) for r in rows]


def corrections(word: str, levels: frozenset[str], limit: int = 3) -> list[str]:
    maxdist = 1 if len(word) <= 4 else 2
    db.session.execute(text("SET LOCAL pg_trgm.similarity_threshold = 0.2"))
    # lower(word) is what the trigram index holds (the words are folded already): equality
    # look-ups of a word go to the primary key, see migration a7c3e91f0b52.
    rows = db.session.execute(
        text(
            "SELECT word, sum(doc_count) AS n FROM search_words "
            "WHERE level = ANY(:levels) AND lower(word) % :w AND left(word, 1) = left(:w, 1) "
            "GROUP BY word ORDER BY similarity(lower(word), :w) DESC LIMIT 20"
        ),
        {"levels": sorted(levels), "w": word},
    ).all()
    scored = [
        (n / (1 + 3 * d), w)
        for w, n in rows
        if (d := edit_distance(word, w)) <= maxdist and w != word
    ]
    return [w for _, w in sorted(scored, reverse=True)][:limit]
