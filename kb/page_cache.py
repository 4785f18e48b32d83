"""Whole pages for anonymous readers, kept in each worker's memory and keyed on the database's
generation, so that a change made on any worker or host is seen by the very next request.

Cached: a GET of the help centre's public pages (ENDPOINTS: home, category, article, search
results) by a visitor who is not signed in (no user in the session, no Authorization header)
and whose session holds nothing but its CSRF token (no flashes, no votes: those change the
page), answered 200 with HTML, without a cookie of the view's own and not marked no_store.
A signed-in user never gets, and never fills, a cached page.

Key: the generation, the interface language (kb.extensions.chosen_language: the kb_lang
cookie or Accept-Language), the host (the print URL is absolute) and the path with its query
string. The generation is one small query: the newest row of the search change log (every
document change writes one, in the change's own transaction: kb.search.service.enqueue), the
newest category setting (descriptions) and search state (synonyms) change. A worker asks it
at most every POLL_SECONDS (0.2 s), and again at once after a write of its own to one of those
tables commits (Generation.watch): a change is seen by the next request on the worker that
made it, and within POLL_SECONDS on every other worker and host. An entry also expires after
KB_PAGE_CACHE_SECONDS (default 30; 0 turns the cache off): what changes without a generation
(the "Veelgelezen" read counts, contact hours) is at most that old.

The CSRF token (every page has one, the vote form uses it) is stored as a placeholder and
filled in per request with the visitor's own token, so a cached form posts like a fresh one.
A hit still counts the read of an article (kb.documents.views_count) and logs the search
(kb.search.log), as the view would.

Wiring, in kb.web.register_guards: ``page_cache.init_app(app)``; the views name what a hit
must still do through ``hit_counts_read`` and ``hit_logs_search``. Hits are answered by
kb.page_hits, a WSGI layer in front of Flask; ``serve_cached`` notes the key for ``store`` and
answers a hit only when that layer could not.
"""

import secrets
import threading
import time
import weakref
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, request, session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import Engine, event, text

from kb.extensions import chosen_language, db

ENDPOINTS = frozenset(
    {"documents.home", "documents.category", "documents.show", "documents.search_page"}
)
DEFAULT_SECONDS = 30.0
DEFAULT_MEGABYTES = 8  # per worker (KB_PAGE_CACHE_MB); the least recently used pages go first
# What an anonymous visitor's session may hold for a cached page to be right for him (Flask-
# Login's session protection marks every session without a user "_fresh": False).
PLAIN_SESSION = frozenset({"csrf_token", "_fresh", "_permanent"})
GENERATION_TABLES = ("search_outbox", "category_settings", "search_state")
GENERATION_SQL = text(
    "SELECT (SELECT max(id) FROM search_outbox),"
    " (SELECT max(updated_at) FROM category_settings),"
    " (SELECT max(updated_at) FROM search_state)"
)
T = TypeVar("T")
POLL_SECONDS = 0.2  # how stale another worker's or host's change may be seen, at most
WRITES = ("INSERT", "UPDATE", "DELETE")


class Generation:
    """The database's generation as this process last read it, read again when older than
    POLL_SECONDS or when a write of this process to a generation table has committed.

    Another thread's commit may land between a read and its caching: that request's worker
    then sees the change up to POLL_SECONDS late, as another worker would."""

    def __init__(self) -> None:
        self.value: tuple | None = None
        self.until = 0.0

    def current(self) -> tuple:
        now = time.monotonic()
        if self.value is None or now >= self.until:
            self.value = tuple(db.session.connection().execute(GENERATION_SQL).one())
            self.until = now + POLL_SECONDS
        return self.value

    def fresh(self) -> tuple | None:
        """The value while it needs no new read, else None (then ``current`` reads it)."""
        return self.value if time.monotonic() < self.until else None

    def expire(self) -> None:
        self.until = 0.0

    @staticmethod
    def watch() -> None:
        """Expire every process-wide generation when a connection of any engine commits a
        write to a generation table (once per process)."""
        if event.contains(Engine, "before_cursor_execute", _note_write):
            return
        event.listen(Engine, "before_cursor_execute", _note_write)
        event.listen(Engine, "commit", _expire_on_commit)
        event.listen(Engine, "rollback", _forget_writes)


_generations: "weakref.WeakSet[Generation]" = weakref.WeakSet()


def _note_write(conn, cursor, statement: str, parameters, context, executemany) -> None:
    if statement.lstrip()[:6].upper() in WRITES and any(t in statement for t in GENERATION_TABLES):
        conn.info["kb_generation_write"] = True


def _expire_on_commit(conn) -> None:
    if conn.info.pop("kb_generation_write", False):
        for generation in list(_generations):
            generation.expire()


def _forget_writes(conn) -> None:
    conn.info.pop("kb_generation_write", None)


@dataclass(frozen=True)
class Entry:
    body: bytes  # the CSRF token replaced by the cache's placeholder
    content_type: str
    expires: float  # time.monotonic()
    document_id: int | None = None  # an article read to count on a hit
    search: tuple[str, int] | None = None  # (query, results) to log on a hit
    # The response's headers but the request's own (kb.page_hits repeats them)
    headers: tuple[tuple[str, str], ...] | None = None


# Headers of a stored response that belong to that one request, not to the page.
NOT_STORED = frozenset({"set-cookie", "content-length", "x-request-id", "retry-after"})


def stored_headers(headers) -> tuple[tuple[str, str], ...]:
    """The headers a hit repeats: all but the request's own and the rate limiter's."""
    return tuple(
        (name, value)
        for name, value in headers.items()
        if name.lower() not in NOT_STORED and not name.lower().startswith("x-ratelimit")
    )


class PageCache:
    """Pages by key, least recently used first out, within a byte budget; thread-safe."""

    def __init__(self, seconds: float, max_bytes: int) -> None:
        self.seconds = seconds
        self.max_bytes = max_bytes
        # Never in a page: 32 random hex digits between NUL bytes (refused in any request).
        self.placeholder = f"\x00{secrets.token_hex(16)}\x00".encode()
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._paths: Counter[str] = Counter()  # key[-1], the full path, of every entry
        self.values: OrderedDict[tuple, tuple[float, Any]] = OrderedDict()  # remembered()
        self._bytes = 0
        self._lock = threading.Lock()
        self.generation = Generation()

    def get(self, key: tuple) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires <= time.monotonic():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry) -> None:
        if len(entry.body) > self.max_bytes // 4:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = entry
            self._paths[key[-1]] += 1
            self._bytes += len(entry.body)
            while self._bytes > self.max_bytes and self._entries:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._paths.clear()
            self.values.clear()
            self._bytes = 0

    def holds(self, path: str) -> bool:
        """Might a page for this full path be here (under any generation, language, host)?"""
        return path in self._paths

    def _drop(self, key: tuple) -> None:
        self._bytes -= len(self._entries.pop(key).body)
        self._paths[key[-1]] -= 1
        if not self._paths[key[-1]]:
            del self._paths[key[-1]]

    def __len__(self) -> int:
        return len(self._entries)


def init_app(app: Flask) -> PageCache | None:
    """Serve and fill the cache around the public pages. Call after the hooks that refuse bad
    input, so a refused request never reaches the cache."""
    seconds = float(app.config.get("KB_PAGE_CACHE_SECONDS", DEFAULT_SECONDS))
    if seconds <= 0:
        return None
    megabytes = float(app.config.get("KB_PAGE_CACHE_MB", DEFAULT_MEGABYTES))
    cache = PageCache(seconds, int(megabytes * 1024 * 1024))
    app.extensions["kb_page_cache"] = cache
    _generations.add(cache.generation)
    Generation.watch()
    app.before_request(serve_cached)
    app.after_request(store)
    from kb.page_hits import Hits

    app.wsgi_app = Hits(app, cache, app.wsgi_app)  # type: ignore[method-assign]
    return cache


def _cache() -> PageCache:
    return current_app.extensions["kb_page_cache"]


VALUES = 2048  # remembered values per worker: small tuples (ids, counts), a few KB at most


def remembered(name: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, kept in this worker for the database's generation and at most
    KB_PAGE_CACHE_SECONDS, for every request with the same ``name`` and ``key``: what the
    pages of signed-in readers share (category counts, the most read list). Keep plain
    values, never ORM objects (they belong to one request's session). Computed every time
    when the page cache is off."""
    cache = current_app.extensions.get("kb_page_cache")
    if cache is None:
        return compute()
    full = (name, cache.generation.current(), key)
    now = time.monotonic()
    with cache._lock:
        kept = cache.values.get(full)
    if kept is not None and kept[0] > now:
        return kept[1]
    value = compute()
    with cache._lock:
        cache.values[full] = (now + cache.seconds, value)
        cache.values.move_to_end(full)
        while len(cache.values) > VALUES:
            cache.values.popitem(last=False)
    return value


def _anonymous_plain_request() -> bool:
    return (
        request.method == "GET"
        and request.endpoint in ENDPOINTS
        and "Authorization" not in request.headers
        and session.keys() <= PLAIN_SESSION
    )


def page_key(generation: tuple, language: str, req) -> tuple:
    """A page's key, the same before Flask (kb.page_hits) and in it (serve_cached, store);
    the full path last (PageCache.holds)."""
    return (generation, language, req.host, req.full_path)


def serve_cached() -> Response | None:
    """Before the view: answer from the cache, or note the key for ``store``."""
    if not _anonymous_plain_request():
        return None
    cache = _cache()
    key = page_key(cache.generation.current(), chosen_language(), request)
    entry = cache.get(key)
    if entry is None:
        g.page_cache_key = key
        return None
    body = entry.body
    if cache.placeholder in body:
        body = body.replace(cache.placeholder, generate_csrf().encode())
    after_hit(request, entry)
    return current_app.response_class(body, content_type=entry.content_type)


def after_hit(request, entry: Entry, app: Flask | None = None) -> None:
    """What the view would have done besides the page: count the read, log the search.
    Outside an app context, ``app`` is the app whose context the writes need."""
    from kb.documents import views_count
    from kb.search.log import record_search

    read = entry.document_id if views_count.counts(request) else None
    if read is None and entry.search is None:
        return
    with app.app_context() if app is not None else nullcontext():
        if read is not None:
            views_count.record_id(read)
        if entry.search is not None:
            record_search("anonymous", entry.search[0], entry.search[1], 0)


def hit_counts_read(document_id: int) -> None:
    """For the article view: a cached copy of this page counts a read of this document."""
    g.page_cache_document = document_id


def hit_logs_search(query: str, total: int) -> None:
    """For the search view: a cached copy of this page logs this search."""
    g.page_cache_search = (query, total)


def store(response: Response) -> Response:
    """After the view: keep the page when it is the same for every anonymous visitor."""
    key = g.pop("page_cache_key", None)
    if (
        key is None
        or response.status_code != 200
        or response.mimetype != "text/html"
        or response.direct_passthrough
        or response.is_streamed
        or "Set-Cookie" in response.headers
        or g.get("no_store")
        or not session.keys() <= PLAIN_SESSION  # the view flashed or remembered something
    ):
        return response
    cache = _cache()
    body = response.get_data()
    token = g.get("csrf_token")
    if token:
        body = body.replace(token.encode(), cache.placeholder)
    cache.put(
        key,
        Entry(
            body=body,
            content_type=response.content_type or "text/html; charset=utf-8",
            expires=time.monotonic() + cache.seconds,
            document_id=g.get("page_cache_document"),
            search=g.get("page_cache_search"),
            headers=stored_headers(response.headers),
        ),
    )
    return response
