"""Reference search endpoint for the PostgreSQL backend: a plain tsvector + GIN index, as a
tiny WSGI app over the same corpus in the same database (bench/pg_bench.py builds it).

    BENCH_PG_DSN=postgresql://root@127.0.0.1:5432/kb_pgbench_10000 \\
        gunicorn -w 2 --chdir bench pg_reference_app:app

GET /search?q=...&levels=public[,internal]  ->  {"query", "results": [{slug, title,
snippet, score}]}: websearch_to_tsquery('dutch', q) (ANDed words; when that finds nothing
for several words they are ORed, as kb does), ts_rank ordering, LIMIT 20, ts_headline
snippets of the 20 rows found. GET /suggest?q=... -> titles with every word and a word
starting with the last one ('simple' title tsvector, shortest first, LIMIT 8). Only
documents of the requested levels. No stemming beyond PostgreSQL's Dutch Snowball, no
synonyms, typos, compounds, facets or totals: a floor, not an equal.
"""

import json
import os
import re
import time
from urllib.parse import parse_qs

import psycopg

WORD = re.compile(r"[^\W_]+", re.UNICODE)
TABLE = "bench_ref_docs"

SEARCH = (
    "SELECT slug, title, ts_headline('dutch', body, q, "
    "'MaxFragments=1, MaxWords=30, MinWords=15, StartSel=<mark>, StopSel=</mark>'), score "
    f"FROM (SELECT slug, title, body, q, ts_rank(tsv, q) AS score FROM {TABLE}, "
    "{query} AS q WHERE tsv @@ q AND level = ANY(%(levels)s) "
    "ORDER BY score DESC, id LIMIT 20) top ORDER BY score DESC"
)
SUGGEST = (
    f"SELECT slug, title FROM {TABLE} WHERE level = ANY(%(levels)s) "
    "AND title_tsv @@ to_tsquery('simple', %(q)s) ORDER BY length(title), id LIMIT 8"
)

_conn: psycopg.Connection | None = None


def _db() -> psycopg.Connection:
    global _conn
    if _conn is None or _conn.closed:  # one connection per worker process
        _conn = psycopg.connect(os.environ["BENCH_PG_DSN"], autocommit=True)
    return _conn


def search(text: str, levels: list[str]) -> list[dict]:
    found = WORD.findall(text)[:12]
    if not found:
        return []
    params = {"q": text, "levels": levels}
    rows = _db().execute(SEARCH.format(query="websearch_to_tsquery('dutch', %(q)s)"), params)
    got = rows.fetchall()
    if not got and len(found) > 1:
        params["q"] = " | ".join(found)
        got = _db().execute(SEARCH.format(query="to_tsquery('dutch', %(q)s)"), params).fetchall()
    return [
        {"slug": s, "title": t, "snippet": snip, "score": round(score, 4)}
        for s, t, snip, score in got
    ]


def suggest(text: str, levels: list[str]) -> list[dict]:
    found = [w.lower() for w in WORD.findall(text)[:8]]
    if not found:
        return []
    if not text[-1:].isspace():
        found[-1] += ":*"
    rows = _db().execute(SUGGEST, {"q": " & ".join(found), "levels": levels}).fetchall()
    return [{"slug": s, "title": t} for s, t in rows]


def app(environ, start_response):
    path = environ.get("PATH_INFO")
    params = parse_qs(environ.get("QUERY_STRING", ""))
    text = params.get("q", [""])[0][:200]
    levels = [x for x in params.get("levels", ["public"])[0].split(",") if x] or ["public"]
    if path == "/search":
        payload = {"query": text, "results": search(text, levels)}
    elif path == "/suggest":
        payload = {"query": text, "suggestions": suggest(text, levels)}
    else:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    body = json.dumps(payload).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def build(dsn: str, select: str) -> float:
    """(Re)create the reference table from ``select``, an SQL query in the same database
    giving (id, slug, title, level, body text), and index it; returns the seconds the
    table, its tsvectors and GIN indexes took."""
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
        conn.execute(
            f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, slug text, title text, "
            "level text, body text, "
            "tsv tsvector GENERATED ALWAYS AS (to_tsvector('dutch', title || ' ' || body)) "
            "STORED, title_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', title)) "
            "STORED)"
        )
        conn.execute(f"INSERT INTO {TABLE} (id, slug, title, level, body) {select}")
        conn.execute(f"CREATE INDEX {TABLE}_tsv ON {TABLE} USING gin (tsv)")
        conn.execute(f"CREATE INDEX {TABLE}_title ON {TABLE} USING gin (title_tsv)")
        conn.execute(f"ANALYZE {TABLE}")
    return time.perf_counter() - started
