"""One app's search engine: the backend KB_SEARCH_BACKEND names, and what this process
remembers about it (result and snippet caches, catch-up clock), never shared between apps.
"""

import math
import threading
from collections.abc import Hashable, Mapping
from typing import Any

from flask import current_app

from kb.search.backend import SearchBackend
from kb.search.synonyms import SynonymCache


def create_backend(config: Mapping[str, Any]) -> SearchBackend:
    """The one place that picks a backend. Typed as the protocol, so the type checker
    holds each backend to SearchBackend; each is imported only when chosen."""
    if config["KB_SEARCH_BACKEND"] == "postgres":
        from kb.search.postgres import PostgresBackend

        return PostgresBackend()
    from kb.search.whoosh import WhooshBackend

    return WhooshBackend(
        config["KB_DATA_DIR"], parallel_from=config.get("KB_SEARCH_PARALLEL_FROM", 2000)
    )


class LRU:
    """A small cache that forgets the least recently used entry first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.data: dict[Hashable, Any] = {}

    def get(self, key: Hashable) -> Any:
        value = self.data.pop(key, None)
        if value is not None:
            self.data[key] = value
        return value

    def put(self, key: Hashable, value: Any) -> None:
        self.data[key] = value
        while len(self.data) > self.size:
            self.data.pop(next(iter(self.data)))


class Engine:
    """The backend plus this process's caches for it. Result caches are keyed by the
    backend's index generation, so a change to the index is never answered from them."""

    def __init__(self, backend: SearchBackend) -> None:
        self.backend = backend
        self.results = LRU(512)  # finished searches and suggestions
        # (revision id, length of its HTML) -> its text prepared for snippets; the same
        # documents come up for many queries (~8 KB each). Revisions never change.
        self.texts = LRU(1024)
        self.synonyms = SynonymCache()
        self.last_catch_up = -math.inf  # time.monotonic() of the last outbox check
        self.rebuilding = threading.Lock()  # at most one background rebuild
        self.last_prune: list[float] = []  # time.monotonic() of this process's last log prune

    def close(self) -> None:
        self.backend.close()


def engine() -> Engine:
    """The current app's engine, created on first use (the app factory stays free of I/O)."""
    ext = current_app.extensions
    if "kb_search" not in ext:
        ext["kb_search"] = Engine(create_backend(current_app.config))
    return ext["kb_search"]
