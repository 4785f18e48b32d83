"""Constants and small helpers shared by the PostgreSQL search modules."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError

from kb.extensions import db
from kb.search.backend import IndexMissing, Query

# The search tables' GIN indexes (migrations 770601989d2b and c4d2b8e6f1a3).
GIN_INDEXES = ("ix_search_entries_tsv", "ix_search_entries_title_tsv", "ix_search_words_trgm")

STATE = "index:postgres"  # the search_state row holding the tables' cursor
CONFIG = "kb_dutch"  # created by migration 3c5e8a1d9b27
LOCK_KEY = 0x6B62_5345  # "kbSE": one advisory lock for every writer of the search tables
REBUILD_KEY = LOCK_KEY + 1
# ts_rank weights in the order {D, C, B, A}: parts 0.8, body 1, tags 2, title 3 (as Whoosh).
WEIGHTS = "{0.27, 0.33, 0.67, 1.0}"
UNDEFINED_TABLE, LOCK_NOT_AVAILABLE = "42P01", "55P03"  # PostgreSQL error codes


@contextmanager
def tables() -> Iterator[None]:
    """Missing search tables (migrations not run) are a missing index, not a crash."""
    try:
        yield
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != UNDEFINED_TABLE:
            raise
        db.session.rollback()
        raise IndexMissing("the search tables are missing: run `kb db upgrade`") from exc


def tsquery(query: Query) -> str:
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
