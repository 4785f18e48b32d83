"""The files around a Whoosh index folder: locks, the folder's cursor, old folders.

A folder index-<n> holds one index; index-<n>.cursor beside it says how far that index has
applied the database's change log (kb.search.cursor). The cursor is written after the index
commit it describes: a crash in between only makes the next sync apply some changes again.
"""

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kb.search.backend import IndexMissing, LockTimeout
from kb.search.cursor import Cursor
from kb.search.forking import held_locks


@contextmanager
def flock(path: Path, timeout: float | None = None) -> Iterator[None]:
    """Exclusive across processes and threads; raises LockTimeout after ``timeout`` s."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() > deadline:
                    raise LockTimeout(f"{path} held for over {timeout}s") from None
                time.sleep(0.005)
        held_locks.add(fh.fileno())  # writer sub-processes must not keep it
        try:
            yield
        finally:
            held_locks.discard(fh.fileno())
            fcntl.flock(fh, fcntl.LOCK_UN)


def cursor_path(root: Path, target: str) -> Path:
    return root / f"{target}.cursor"


class CursorFiles:
    """Reads a folder's cursor once per change of the file (searches ask once a second)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._seen: tuple[str, int, int] | None = None
        self._cursor: Cursor | None = None

    def read(self, target: str) -> Cursor:
        """Raises IndexMissing when the folder has no readable cursor (an index built by an
        older kb, or by hand): it cannot know which changes it holds."""
        path = cursor_path(self.root, target)
        try:
            stat = path.stat()
        except OSError:
            raise IndexMissing(f"{target} has no position in the change log") from None
        key = (target, stat.st_mtime_ns, stat.st_size)
        if key != self._seen or self._cursor is None:
            self._cursor = Cursor.from_json(path.read_bytes())
            self._seen = key
        return self._cursor

    def write(self, target: str, cursor: Cursor) -> None:
        path = cursor_path(self.root, target)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(cursor.to_json())
        os.replace(tmp, path)  # atomic: readers see the old or the new cursor


def prune(root: Path, keep: set[str]) -> None:
    """Remove old index folders (and their cursors), keeping the newest previous one for
    searchers that still have it open."""
    folders = sorted(p for p in root.glob("index-*") if p.is_dir() and p.name not in keep)
    for old in folders[:-1]:
        shutil.rmtree(old, ignore_errors=True)
        cursor_path(root, old.name).unlink(missing_ok=True)
