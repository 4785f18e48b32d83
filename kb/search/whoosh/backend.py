"""Whoosh backend: an embedded index in KB_DATA_DIR/search, one writer at a time.

Writers take an exclusive file lock (fcntl), so every gunicorn worker and the CLI can apply
changes without losing or reordering them. ``current`` is a symlink to the live index
folder; a rebuild fills a new folder and swaps the link, so searching never stops. Each
search checks the link and the index generation, so a change is seen by every process
on its next search.
"""

import os
import shutil
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from kb.search.analysis import Vocabulary
from kb.search.backend import (
    LEVELS,
    Hit,
    IndexDoc,
    IndexMissing,
    Query,
    Results,
)
from kb.search.cursor import Cursor
from kb.search.whoosh import suggesting
from kb.search.whoosh.files import CursorFiles, flock, prune
from kb.search.whoosh.generation import Generation, SegmentData
from kb.search.whoosh.parallel import ParallelWriter
from kb.search.whoosh.rebuild_writer import RebuildWriter
from kb.search.whoosh.schema import (
    fields_of,
    make_schema,
    text_analyzer,
)
from kb.search.whoosh.segment_names import install as _segment_names_from_the_os
from kb.search.whoosh.vocabulary import ReaderVocabulary, corrections

_segment_names_from_the_os()

# A rebuild of at least this many documents writes two segments in two processes
# (parallel.ParallelWriter): writing postings is most of a rebuild's time.
PARALLEL_FROM = 2000
WRITER_PROCESSES = 2


class WhooshBackend:
    """The SearchBackend on an embedded Whoosh index in ``data_dir``/search."""

    def __init__(self, data_dir: str, parallel_from: int = PARALLEL_FROM) -> None:
        self.root = Path(data_dir) / "search"
        self.parallel_from = parallel_from
        self.link = self.root / "current"
        self.lock_path = self.root / "write.lock"
        self._index: Any = None
        self._target: str | None = None
        self._gen: Generation | None = None  # the current searcher and its caches
        self._retired: Any = None  # the previous searcher, closed at the next change
        self._mutex = threading.RLock()
        self._segments: dict[str, SegmentData] = {}  # kept across generations
        self._generation = 0
        self._cursors = CursorFiles(self.root)

    # -- writing ---------------------------------------------------------------------------
    def lock(self, timeout: float | None = None) -> AbstractContextManager[None]:
        """Exclusive across processes and threads; raises LockTimeout after ``timeout`` s."""
        return flock(self.lock_path, timeout)

    def rebuild_lock(self) -> AbstractContextManager[None]:
        """One rebuild of this host's index at a time; changes go on meanwhile."""
        return flock(self.root / "rebuild.lock")

    def cursor(self) -> Cursor:
        """Raises IndexMissing when there is no index or it has no cursor."""
        try:
            target = os.readlink(self.link)
        except OSError:
            raise IndexMissing(f"no index at {self.link}") from None
        return self._cursors.read(target)

    def apply(
        self, upserts: list[IndexDoc], deletes: list[int], cursor: Cursor | None = None
    ) -> None:
        with self._mutex:
            ix = self._open()
            target = self._target
        assert target is not None  # set by _open()
        writer = ix.writer(timeout=30.0, compound=False)
        try:
            for doc_id in deletes:
                writer.delete_by_term("id", str(doc_id))
            for doc in upserts:
                writer.update_document(**fields_of(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        if cursor is not None:
            self._cursors.write(target, cursor)
        with self._mutex:
            self._drop()  # this process reads the new generation from its next search on

    def rebuild(
        self,
        docs: Iterator[IndexDoc],
        progress: Callable[[], None] | None = None,
        size_hint: int = 0,
        cursor: Cursor | None = None,
    ) -> int:
        """Under rebuild_lock(), without the writer lock: changes applied to the old index
        meanwhile come after ``cursor`` and are applied to the new one by the next sync.
        Without a cursor the index is built but counts as missing to kb.search.service."""
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.root / f"index-{time.time_ns()}"
        target.mkdir()
        ix = whoosh_index.create_in(str(target), make_schema())
        if size_hint >= self.parallel_from:
            # Sub-processes write the postings while this one analyses the next documents;
            # each leaves its own segment (no merge pass).
            writer = ParallelWriter(
                ix,
                procs=WRITER_PROCESSES,
                batchsize=max(1, min(250, size_hint // (4 * WRITER_PROCESSES))),
                compound=False,
            )
        else:
            writer = RebuildWriter(ix, compound=False)
        count = 0
        try:
            for doc in docs:
                writer.add_document(**fields_of(doc))
                count += 1
                if progress:
                    progress()
            writer.commit(optimize=size_hint < self.parallel_from)
            indexed = whoosh_index.open_dir(str(target)).doc_count()
            if indexed != count:  # a lost sub-process segment must not go live
                raise RuntimeError(f"search rebuild wrote {indexed} of {count} documents")
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            shutil.rmtree(target, ignore_errors=True)
            raise
        if cursor is not None:
            self._cursors.write(target.name, cursor)
        tmp = self.root / f"current.{os.getpid()}.tmp"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(target.name)
        with self.lock():  # not while a batch is being applied to the old folder
            os.replace(tmp, self.link)  # atomic: searchers see the old or the new index
        prune(self.root, keep={target.name})
        return count

    # -- reading ---------------------------------------------------------------------------
    def _open(self) -> Any:
        try:
            target = os.readlink(self.link)
        except OSError:
            raise IndexMissing(f"no index at {self.link}") from None
        if self._index is None or target != self._target:
            try:
                self._index = whoosh_index.open_dir(str(self.root / target))
                self._index.doc_count()
                schema = self._index.schema
                if (
                    set(schema.names()) != set(make_schema().names())
                    or schema["text"].analyzer != text_analyzer()
                    or not schema["id"].column_type  # ids as a column: ties, suggestions
                ):
                    raise IndexMissing("the index was built with an older schema")
            except Exception as exc:  # any unreadable index is rebuilt, not a 500
                self._index = None
                raise IndexMissing(f"unreadable index {target}: {exc}") from exc
            self._target = target
            self._retire()
        return self._index

    def _current_searcher(self) -> Any:
        return self._current().searcher

    def _current(self) -> Generation:
        """The generation of the index as it is now (a new one after any change)."""
        ix = self._open()
        if self._gen is None:
            self._gen = Generation(ix.searcher(), self._segments)
            self._generation += 1
        elif not self._gen.searcher.up_to_date():
            # A fresh searcher rather than refresh(): refresh() can leave reused segment
            # readers' column files open.
            self._retire()
            self._gen = Generation(ix.searcher(), self._segments)
            self._generation += 1
        return self._gen

    def generation(self) -> Hashable:
        """Changes whenever this backend sees a different index: a key for result caches."""
        with self._mutex:
            self._current()
            return (self._target, self._generation)

    def _columns(self, searcher: Any) -> dict[str, list]:
        """Column values (and text lengths) by docnum of the current generation."""
        return self._current().columns

    def _read(self, fn: Callable[[Generation], Any]) -> Any:
        """Run fn(generation). A writer in another process may have merged away segment
        files this searcher had not opened yet; then reopen the index once and try again."""
        with self._mutex:
            try:
                return fn(self._current())
            except (OSError, EOFError, KeyError):
                self._drop()
                return fn(self._current())

    def _retire(self) -> None:
        """Set the current searcher aside. It is closed one change later, not now: a search
        in progress (or the vocabulary it holds) may still be reading from it."""
        if self._gen is not None:
            if self._retired is not None:
                self._retired.close()
            self._retired = self._gen.searcher
        self._gen = None

    def _drop(self) -> None:
        self._retire()
        self._index = None
        self._target = None

    def close(self) -> None:
        with self._mutex:
            current = self._gen.searcher if self._gen is not None else None
            for searcher in (current, self._retired):
                if searcher is not None:
                    searcher.close()
            self._gen = self._retired = None
            if self._index is not None:
                self._index.close()
                self._index = None

    def search(self, query: Query) -> Results:
        """Ranked by kb.search.whoosh.ranking; exact totals and facets over the allowed matches."""
        return self._read(lambda gen: gen.search(query))

    def suggest(
        self, prefix: str, words: list[str], levels: frozenset[str], limit: int
    ) -> list[Hit]:
        """Titles with every word and one starting with ``prefix``: shortest title first, then
        lowest document id. Whoosh's own scoring would order them the same way for the
        readers of every level at once, so a hidden title's words would move public ones."""
        return self._read(lambda gen: suggesting.suggest(gen, prefix, words, levels, limit))

    def vocabulary(
        self, levels: frozenset[str] | None, extra: set[str] | None = None
    ) -> Vocabulary:
        with self._mutex:
            gen = self._current()
            if extra is not None:  # indexing: words of documents not in the index yet
                if levels is None:
                    return ReaderVocabulary(gen.reader, LEVELS, extra, lock=self._mutex)
                # Only the documents at these levels: stems are asked of the text field,
                # which holds every level.
                return ReaderVocabulary(
                    gen.reader,
                    levels,
                    extra,
                    allowed=gen.allowed(levels),
                    reopen=lambda: self._visible(levels),
                    lock=self._mutex,
                )
            # Searching: one vocabulary per audience and generation, so what it learns
            # (known words, compound splits) serves every search until the index changes.
            if levels not in gen.vocabularies:
                visible = levels or frozenset(LEVELS)
                gen.vocabularies[levels] = ReaderVocabulary(
                    gen.reader,
                    visible,
                    allowed=gen.allowed(visible),
                    reopen=lambda: self._visible(visible),
                    lock=self._mutex,
                )
            return gen.vocabularies[levels]

    def _visible(self, levels: frozenset[str]) -> tuple[Any, set[int]]:
        """(reader, docnums at these levels) of the current generation."""
        with self._mutex:
            gen = self._current()
            return gen.reader, gen.allowed(levels)

    def corrections(self, word: str, levels: frozenset[str], limit: int = 3) -> list[str]:
        def run(gen: Generation) -> list[str]:
            return gen.cached(
                gen.corrections,
                (word, levels, limit),
                lambda: corrections(gen.searcher, word, levels, limit, gen.allowed(levels)),
                4096,
            )

        return list(self._read(run))

    def indexed(self) -> dict[int, tuple[str, int]]:
        return self._read(
            lambda gen: {
                int(fields["id"]): (fields["level"], int(fields["revision"]))
                for fields in gen.searcher.all_stored_fields()
            }
        )
