"""Rows a reader may see a second late, gathered and written together: the read counts
behind "Veelgelezen" (kb.documents.views_count) and the search log (kb.search.log).

A cached page (kb.page_cache) costs about a millisecond of a worker's time; writing a row
and committing for every read or search cost as much again, and on SQLite every worker
queues for the one write lock. Instead each process keeps them in memory and writes them
in one transaction, KB_WRITE_BEHIND_SECONDS (default 1; 0 writes each at once) after the
first of them, from a timer thread; at once when this process reads them back (flush())
and when it exits. A worker killed outright loses at most that last second of them; no
other data depends on them, and a failed write is logged, never raised.

Wiring: ``write_behind.init_app(app)`` in the factory; a module names what it writes with
``@write_behind.writer("name")`` and queues rows with ``write_behind.add("name", row)``.
"""

import atexit
import logging
import os
import threading
import weakref
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Connection

from kb.extensions import db

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 1.0
Writer = Callable[[Connection, list[Any]], None]
_writers: dict[str, Writer] = {}
_buffers: "weakref.WeakSet[Buffer]" = weakref.WeakSet()


def writer(name: str) -> Callable[[Writer], Writer]:
    """Register ``fn(connection, rows)`` as the writer of the rows queued under ``name``."""

    def register(fn: Writer) -> Writer:
        _writers[name] = fn
        return fn

    return register


class Buffer:
    """One app's queued rows in this process; thread-safe."""

    def __init__(self, app: Flask, seconds: float) -> None:
        self._app = weakref.ref(app)
        self.seconds = seconds
        self._rows: dict[str, list[Any]] = {}
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def add(self, name: str, row: Any) -> None:
        if self.seconds <= 0:
            self._write({name: [row]})
            return
        with self._lock:
            self._rows.setdefault(name, []).append(row)
            if self._timer is None:
                self._timer = threading.Timer(self.seconds, self.flush)
                self._timer.daemon = True
                self._timer.name = "kb-write-behind"
                self._timer.start()

    def flush(self) -> None:
        """Write what is queued now, in one transaction."""
        with self._lock:
            rows, self._rows = self._rows, {}
            timer, self._timer = self._timer, None
        if timer is not None and timer is not threading.current_thread():
            timer.cancel()
        if rows:
            self._write(rows)

    def forget(self) -> None:
        """In a forked child: the parent's rows are the parent's to write."""
        self._rows, self._timer, self._lock = {}, None, threading.Lock()

    def _write(self, rows: dict[str, list[Any]]) -> None:
        app = self._app()
        if app is None:
            return
        try:
            with app.app_context(), db.engine.begin() as connection:
                for name, queued in rows.items():
                    _writers[name](connection, queued)
        except Exception:  # noqa: BLE001 - a lost count or log line must never cost a page
            log.exception("could not write %s", ", ".join(f"{len(v)} {k}" for k, v in rows.items()))


def init_app(app: Flask) -> Buffer:
    seconds = float(app.config.get("KB_WRITE_BEHIND_SECONDS", DEFAULT_SECONDS))
    buffer = Buffer(app, seconds)
    app.extensions["kb_write_behind"] = buffer
    _buffers.add(buffer)
    return buffer


def add(name: str, row: Any) -> None:
    """Queue ``row`` for the writer ``name`` of the current app."""
    current_app.extensions["kb_write_behind"].add(name, row)


def flush() -> None:
    """Write the current app's queued rows now (before reading them back). Raises nothing."""
    buffer = current_app.extensions.get("kb_write_behind")
    if buffer is not None:
        buffer.flush()


def _flush_all() -> None:
    for buffer in list(_buffers):
        buffer.flush()


def _forget_all() -> None:
    for buffer in list(_buffers):
        buffer.forget()


atexit.register(_flush_all)
os.register_at_fork(after_in_child=_forget_all)
