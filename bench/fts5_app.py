"""Reference search endpoint: plain SQLite FTS5 over the same corpus, as a tiny WSGI app.

    BENCH_FTS5_DB=/tmp/…/fts.sqlite gunicorn -w 2 --chdir bench fts5_app:app

GET /search?q=...&levels=public[,internal]  ->  {"query", "results": [{slug, title,
snippet, score}]}. Each word of q is quoted ("word"), so FTS5 syntax in a query is never
interpreted; words are ANDed, and when that finds nothing for a multi-word query the words
are ORed (kb does the same fallback). Ordered by bm25() with title weighted 3, LIMIT 20,
snippet() around the matches. Only documents of the requested levels are returned.
"""

import json
import os
import re
import sqlite3
from urllib.parse import parse_qs

WORD = re.compile(r"[^\W_]+", re.UNICODE)
SCHEMA = (
    "CREATE VIRTUAL TABLE docs USING fts5(title, body, slug UNINDEXED, level UNINDEXED, "
    "tokenize = 'unicode61 remove_diacritics 2')"
)
SQL = (
    "SELECT slug, title, snippet(docs, 1, '<mark>', '</mark>', '…', 30), "
    "bm25(docs, 3.0, 1.0) AS score FROM docs "
    "WHERE docs MATCH ? AND level IN ({levels}) ORDER BY score LIMIT 20"
)

_conn = None


def _db() -> sqlite3.Connection:
    global _conn
    if _conn is None:  # one connection per worker process, opened on first use
        _conn = sqlite3.connect(os.environ["BENCH_FTS5_DB"], check_same_thread=False)
        _conn.execute("PRAGMA query_only = 1")
    return _conn


def fts_query(text: str, op: str = " ") -> str:
    return op.join(f'"{w}"' for w in WORD.findall(text)[:12])


def search(text: str, levels: list[str]) -> list[dict]:
    match = fts_query(text)
    if not match:
        return []
    sql = SQL.format(levels=",".join("?" * len(levels)))
    rows = _db().execute(sql, [match, *levels]).fetchall()
    if not rows and " " in match:
        rows = _db().execute(sql, [fts_query(text, " OR "), *levels]).fetchall()
    return [
        {"slug": s, "title": t, "snippet": snip, "score": round(-score, 4)}
        for s, t, snip, score in rows
    ]


def app(environ, start_response):
    if environ.get("PATH_INFO") != "/search":
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    params = parse_qs(environ.get("QUERY_STRING", ""))
    text = params.get("q", [""])[0][:200]
    levels = [x for x in params.get("levels", ["public"])[0].split(",") if x] or ["public"]
    body = json.dumps({"query": text, "results": search(text, levels)}).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def create(path: str) -> sqlite3.Connection:
    """A new FTS5 database at path; the caller inserts (title, body, slug, level) rows."""
    conn = sqlite3.connect(path)
    conn.execute(SCHEMA)
    return conn
