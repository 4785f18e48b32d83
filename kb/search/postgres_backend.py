"""PostgreSQL full-text backend (KB_SEARCH_BACKEND=postgres), for teams on several hosts.

Every host searches the same tables, so there is no per-host index to keep in step.
Terms arrive analysed by kb.search.analysis (the same stems, compounds and folding as
Whoosh) and are indexed with the kb_dutch configuration (unaccent + PostgreSQL's Dutch
Snowball stemmer, see the migration), weighted title A, tags B, body C, compound parts and
learned customer phrases D.
Queries go through the same configuration, so documents and queries always agree; the
second stemming pass may join a few more word forms than Whoosh does. Titles for
search-as-you-type use 'simple': prefixes of surface words must not be stemmed. Typos use
pg_trgm over search_words, a per-level vocabulary.
"""

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kb.extensions import db
from kb.search.analysis import Vocabulary, edit_distance, stem
from kb.search.backend import (
    FACETS,
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

STATE = "index:postgres"  # the search_state row holding the tables' cursor
REBUILD_BATCH = 200  # documents per rebuild transaction: the longest a writer waits
CONFIG = "kb_dutch"  # created by migration 3c5e8a1d9b27
LOCK_KEY = 0x6B62_5345  # "kbSE": one advisory lock for every writer of the search tables
# ts_rank weights in the order {D, C, B, A}: parts 0.8, body 1, tags 2, title 3 (as Whoosh).
WEIGHTS = "{0.27, 0.33, 0.67, 1.0}"


def _tsquery(query: Query) -> str:
    """A to_tsquery(CONFIG, ...) string; terms are [a-z0-9] only, so nothing to escape."""

    def term(t: str) -> str:
        return "".join(c for c in t if c.isalnum()) or "x"

    parts = []
    for unit in query.units:
        alternatives = ["(" + " & ".join(term(t) for t in alt) + ")" for alt in unit if alt]
        if alternatives:
            parts.append("(" + " | ".join(alternatives) + ")")
    for phrase in query.phrases:
        parts.append("(" + " <-> ".join(term(t) for t in phrase) + ")")
    return (" & " if query.match_all_units else " | ").join(parts)


UNDEFINED_TABLE, LOCK_NOT_AVAILABLE = "42P01", "55P03"  # PostgreSQL error codes
P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def _tables() -> Iterator[None]:
    """Missing search tables (migrations not run) are a missing index, not a crash."""
    try:
        yield
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != UNDEFINED_TABLE:
            raise
        db.session.rollback()
        raise IndexMissing("the search tables are missing: run `kb db upgrade`") from exc


REBUILD_KEY = LOCK_KEY + 1


@contextmanager
def _rebuild_lock() -> Iterator[None]:
    with db.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": REBUILD_KEY})
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": REBUILD_KEY})
            conn.commit()


class PostgresVocabulary(Vocabulary):
    """Known words (search_words) and stems (search_entries) at some levels, asked of the
    tables and remembered for the vocabulary's life (one search or one index batch)."""

    def __init__(self, levels: Iterable[str], extra: set[str] | None = None) -> None:
        self.levels = list(levels)
        self.extra = extra or set()
        self.extra_stems = {stem(w) for w in self.extra}
        self.splits: dict[str, list[str]] = {}
        self._words: dict[str, bool] = {}
        self._stems: dict[str, bool] = {}

    def has_word(self, word: str) -> bool:
        if word in self.extra:
            return True
        if word not in self._words:
            self._words[word] = _exists(
                "SELECT 1 FROM search_words WHERE word = :w AND level = ANY(:levels) "
                "AND doc_count > 0 LIMIT 1",
                {"w": word, "levels": self.levels},
            )
        return self._words[word]

    def has_stem(self, term: str) -> bool:
        if term in self.extra_stems:
            return True
        if term not in self._stems:
            clean = "".join(c for c in term if c.isalnum())
            self._stems[term] = bool(clean) and _exists(
                "SELECT 1 FROM search_entries WHERE level = ANY(:levels) "
                f"AND tsv @@ to_tsquery('{CONFIG}', :t) LIMIT 1",
                {"t": clean, "levels": self.levels},
            )
        return self._stems[term]


def _reads_tables(method: Callable[P, R]) -> Callable[P, R]:
    """For backend methods: missing search tables raise IndexMissing (see _tables)."""

    @wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with _tables():
            return method(*args, **kwargs)

    return wrapper


def _exists(sql: str, params: dict[str, Any]) -> bool:
    with _tables():
        return db.session.execute(text(sql), params).first() is not None


class PostgresBackend:
    """The SearchBackend on PostgreSQL's own full-text index, in the caller's session."""

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

    def _remove(self, ids: list[int]) -> None:
        if not ids:
            return
        old = db.session.execute(
            text("DELETE FROM search_entries WHERE document_id = ANY(:ids) RETURNING level, words"),
            {"ids": ids},
        ).all()
        counts = Counter((level, w) for level, words in old for w in words.split())
        if counts:
            keys, ns = list(counts), list(counts.values())
            db.session.execute(
                text(
                    "UPDATE search_words s SET doc_count = s.doc_count - v.n "
                    "FROM unnest(CAST(:levels AS text[]), CAST(:words AS text[]), "
                    "CAST(:ns AS integer[])) AS v(level, word, n) "
                    "WHERE s.level = v.level AND s.word = v.word"
                ),
                {"levels": [k[0] for k in keys], "words": [k[1] for k in keys], "ns": ns},
            )
        db.session.execute(text("DELETE FROM search_words WHERE doc_count <= 0"))

    def _insert(self, docs: list[IndexDoc]) -> None:
        if not docs:
            return
        db.session.execute(
            text(
                "INSERT INTO search_entries (document_id, slug, level, kind, channel, category, "
                "tags, revision, title, title_terms, tag_terms, body_terms, part_terms, "
                "title_words, words) VALUES (:id, :slug, :level, :kind, :channel, :category, "
                ":tags, :revision, :title, :title_terms, :tag_terms, :body_terms, :part_terms, "
                ":title_words, :words)"
            ),
            [
                {
                    "id": d.id,
                    "slug": d.slug,
                    "level": d.level,
                    "kind": d.kind,
                    "channel": d.channel or "",
                    "category": d.category or "",
                    "tags": ",".join(d.tags),
                    "revision": d.revision,
                    "title": d.title,
                    "title_terms": " ".join(d.title_terms),
                    "tag_terms": " ".join(d.tag_terms),
                    "body_terms": " ".join(d.body_terms),
                    # Learned customer phrases go with the parts: D, the lowest weight.
                    "part_terms": " ".join(d.part_terms + d.learned_terms),
                    "title_words": " ".join(sorted(d.title_words)),
                    "words": " ".join(sorted(w for w in d.words if len(w) <= 80)),
                }
                for d in docs
            ],
        )
        counts = Counter((d.level, w) for d in docs for w in d.words if len(w) <= 80)
        if not counts:
            return
        keys = sorted(counts)  # one order for every writer: no deadlocks between upserts
        db.session.execute(  # one statement, not one per word: the writer lock is short
            text(
                "INSERT INTO search_words (level, word, doc_count) "
                "SELECT * FROM unnest(CAST(:levels AS text[]), CAST(:words AS text[]), "
                "CAST(:ns AS integer[])) "
                "ON CONFLICT (level, word) DO UPDATE "
                "SET doc_count = search_words.doc_count + EXCLUDED.doc_count"
            ),
            {
                "levels": [k[0] for k in keys],
                "words": [k[1] for k in keys],
                "ns": [counts[k] for k in keys],
            },
        )

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
        self._remove(sorted({*deletes, *(d.id for d in upserts)}))
        self._insert(upserts)
        if cursor is not None:
            put_state(STATE, json.loads(cursor.to_json()))

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
        with _tables():
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
                    self._remove([d.id for d in batch])
                    self._insert(batch)
                    db.session.commit()
                built.update(d.id for d in batch)
                count += len(batch)
                if progress:
                    for _ in batch:
                        progress()
            with self.lock():
                have = db.session.scalars(text("SELECT document_id FROM search_entries"))
                self._remove(sorted(set(have) - built))
                if cursor is not None:
                    put_state(STATE, json.loads(cursor.to_json()))
                db.session.commit()
        return count

    @staticmethod
    def _where(query_levels: frozenset[str], filters: dict[str, str]) -> tuple[str, dict]:
        clauses = ["e.level = ANY(:levels)"]
        params: dict[str, Any] = {"levels": sorted(query_levels)}
        for name, value in filters.items():
            if name == "tag":
                clauses.append(":tag = ANY(string_to_array(e.tags, ','))")
                params["tag"] = value
            else:
                clauses.append(f"e.{name} = :f_{name}")
                params[f"f_{name}"] = value
        return " AND ".join(clauses), params

    @_reads_tables
    def search(self, query: Query) -> Results:
        where, params = self._where(query.levels, query.filters)
        tsquery = _tsquery(query)
        if tsquery:
            where += f" AND e.tsv @@ to_tsquery('{CONFIG}', :q)"
            params["q"] = tsquery
            rank = f"ts_rank('{WEIGHTS}', e.tsv, to_tsquery('{CONFIG}', :q))"
        else:
            rank = "0"
        params.update(limit=query.limit, offset=(query.page - 1) * query.limit)
        rows = db.session.execute(
            text(
                f"SELECT e.document_id, e.slug, e.kind, e.channel, e.title, {rank} AS score "
                f"FROM search_entries e WHERE {where} "
                "ORDER BY score DESC, e.document_id LIMIT :limit OFFSET :offset"
            ),
            params,
        ).all()
        total = db.session.scalar(
            text(f"SELECT count(*) FROM search_entries e WHERE {where}"), params
        )
        facets: dict[str, dict[str, int]] = {}
        for name in FACETS:
            column = "unnest(string_to_array(e.tags, ','))" if name == "tag" else f"e.{name}"
            facet_rows = db.session.execute(
                text(
                    f"SELECT v, count(*) FROM (SELECT {column} AS v FROM search_entries e "
                    f"WHERE {where}) f WHERE v <> '' GROUP BY v"
                ),
                params,
            ).all()
            facets[name] = {v: n for v, n in facet_rows}
        hits = [Hit(r[0], r[1], r[2], r[3], r[4], round(float(r[5]), 4)) for r in rows]
        return Results(total=total or 0, hits=hits, facets=facets)

    @_reads_tables
    def suggest(
        self, prefix: str, words: list[str], levels: frozenset[str], limit: int
    ) -> list[Hit]:
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

    def vocabulary(
        self, levels: frozenset[str] | None, extra: set[str] | None = None
    ) -> Vocabulary:
        return PostgresVocabulary(levels or LEVELS, extra)

    @_reads_tables
    def corrections(self, word: str, levels: frozenset[str], limit: int = 3) -> list[str]:
        maxdist = 1 if len(word) <= 4 else 2
        db.session.execute(text("SET LOCAL pg_trgm.similarity_threshold = 0.2"))
        rows = db.session.execute(
            text(
                "SELECT word, sum(doc_count) AS n FROM search_words "
                "WHERE level = ANY(:levels) AND word % :w AND left(word, 1) = left(:w, 1) "
                "GROUP BY word ORDER BY similarity(word, :w) DESC LIMIT 20"
            ),
            {"levels": sorted(levels), "w": word},
        ).all()
        scored = [
            (n / (1 + 3 * d), w)
            for w, n in rows
            if (d := edit_distance(word, w)) <= maxdist and w != word
        ]
        return [w for _, w in sorted(scored, reverse=True)][:limit]

    @_reads_tables
    def indexed(self) -> dict[int, tuple[str, int]]:
        rows = db.session.execute(text("SELECT document_id, level, revision FROM search_entries"))
        return {r[0]: (r[1], r[2]) for r in rows}

    def generation(self) -> None:
        """No process-local result cache: other hosts change the tables without telling us.
        Raises IndexMissing while the tables were never built by this backend."""
        self.cursor()
        return None

    def close(self) -> None:
        pass
