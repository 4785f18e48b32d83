"""The PostgreSQL search backend; it lives in kb.search.postgres (this name stays for
imports and settings that use it)."""

from kb.search.postgres import (
    CONFIG,
    LOCK_KEY,
    REBUILD_BATCH,
    STATE,
    WEIGHTS,
    PostgresBackend,
    PostgresVocabulary,
)

__all__ = [
    "CONFIG",
    "LOCK_KEY",
    "REBUILD_BATCH",
    "STATE",
    "WEIGHTS",
    "PostgresBackend",
    "PostgresVocabulary",
]
