"""Whoosh backend: an embedded index in KB_DATA_DIR/search, one writer at a time.

Writers take an exclusive file lock (fcntl), so every gunicorn worker and the CLI can apply
changes without losing or reordering them. ``current`` is a symlink to the live index
folder; a rebuild fills a new folder and swaps the link, so searching never stops. Each
search checks the link and the index generation, so a change is seen by every process
on its next search.
"""

import heapq
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import AbstractContextManager
from itertools import chain
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from kb.search.analysis import Vocabulary
from kb.search.backend import (
    FACETS,
    LEVELS,
    Hit,
    IndexDoc,
    IndexMissing,
    Query,
    Results,
)
from kb.search.cursor import Cursor
from kb.search.whoosh.files import CursorFiles, flock, prune
from kb.search.whoosh.parallel import ParallelWriter
from kb.search.whoosh.ranking import Ranker, posting_blocks
from kb.search.whoosh.schema import (
    COLUMN_OF,
    LENGTH_OF,
    SEGMENT_LISTS,
    TITLE_FIELD,
    fields_of,
    has_value,
    make_schema,
    segment_lists,
    stored_hit,
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
        self._searcher: Any = None
        self._retired: Any = None  # the previous searcher, closed at the next change
        self._mutex = threading.RLock()
        self._cache_owner: Any = None
        self._cache: dict[str, Any] = {}
        self._ranker: Ranker | None = None
        self._segments: dict[str, dict[str, list]] = {}
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
                limitmb=128,
                compound=False,
            )
        else:
            writer = ix.writer(limitmb=256, compound=False)
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
        ix = self._open()
        if self._searcher is None:
            self._searcher = ix.searcher()
        elif not self._searcher.up_to_date():
            # A fresh searcher rather than refresh(): refresh() can leave reused segment
            # readers' column files open.
            self._retire()
            self._searcher = ix.searcher()
        if self._cache_owner is not self._searcher:
            self._cache_owner, self._cache = self._searcher, {}
            searcher = self._searcher
            self._ranker = Ranker(
                searcher,
                lambda field: self._columns(searcher)[LENGTH_OF[field]],
                lambda levels: self._allowed(searcher, levels, {}),
            )
            self._generation += 1
        return self._searcher

    def generation(self) -> Hashable:
        """Changes whenever this backend sees a different index: a key for result caches."""
        with self._mutex:
            self._current_searcher()
            return (self._target, self._generation)

    # Per-searcher caches: facet columns and the documents each audience may find. A new
    # searcher (after any change) starts with empty caches, so nothing outlives a publish.
    def _columns(self, searcher: Any) -> dict[str, list]:
        """Column values (and text lengths) by docnum for the whole index.

        Built from per-segment lists kept across searchers: a segment's documents never
        change once written (a change adds a segment and marks old documents deleted), so
        after a publish only the new, small segment is read.
        """
        if "columns" not in self._cache:
            columns: dict[str, list] = {name: [] for name in SEGMENT_LISTS}
            kept = {}
            for leaf, _base in searcher.reader().leaf_readers():  # in docnum order
                segment = leaf.segment()
                if segment is None:
                    # An index without segments (nothing indexed yet, or every document
                    # gone and merged away) reads as one EmptyReader: no documents, no
                    # columns. Every other leaf is a segment reader.
                    continue
                key = segment.segment_id()
                lists = self._segments.get(key) or segment_lists(leaf)
                kept[key] = lists
                for name, values in lists.items():
                    columns[name].extend(values)
            self._segments = kept  # forget segments merged away
            self._cache["columns"] = columns
        return self._cache["columns"]

    def _allowed(self, searcher: Any, levels: frozenset[str], filters: dict[str, str]) -> set[int]:
        cache = self._cache.setdefault("allowed", {})
        key = (levels, tuple(sorted(filters.items())))
        if key not in cache:
            columns = self._columns(searcher)
            level_col = columns["level"]
            checks = [(COLUMN_OF[name], value) for name, value in filters.items()]
            allowed = set()
            for docnum in searcher.reader().all_doc_ids():
                if level_col[docnum] not in levels:
                    continue
                if all(has_value(columns[col][docnum], col, value) for col, value in checks):
                    allowed.add(docnum)
            if len(cache) >= 16:  # each set holds up to one int per document
                cache.clear()
            cache[key] = allowed
        return cache[key]

    def _read(self, fn: Callable[[Any], Any]) -> Any:
        """Run fn(searcher). A writer in another process may have merged away segment files
        this searcher had not opened yet; then reopen the index once and try again."""
        with self._mutex:
            try:
                return fn(self._current_searcher())
            except (OSError, EOFError, KeyError):
                self._drop()
                return fn(self._current_searcher())

    def _retire(self) -> None:
        """Set the current searcher aside. It is closed one change later, not now: a search
        in progress (or the vocabulary it holds) may still be reading from it."""
        if self._searcher is not None:
            if self._retired is not None:
                self._retired.close()
            self._retired = self._searcher
        self._searcher = None

    def _drop(self) -> None:
        self._retire()
        self._index = None
        self._target = None

    def close(self) -> None:
        with self._mutex:
            for searcher in (self._searcher, self._retired):
                if searcher is not None:
                    searcher.close()
            self._searcher = self._retired = None
            if self._index is not None:
                self._index.close()
                self._index = None

    def search(self, query: Query) -> Results:
        """Ranked by kb.search.whoosh.ranking; exact totals and facets over the allowed matches."""

        def run(searcher: Any) -> Results:
            allowed = self._allowed(searcher, query.levels, query.filters)
            assert self._ranker is not None  # made with the searcher
            scores = self._ranker.evaluate(query)
            start = (query.page - 1) * query.limit
            ids = self._columns(searcher)["docid"]
            matched: set[int]
            # Ties go to the lower document id, not docnum: docnums depend on how the
            # index was written, and so on the other (perhaps hidden) documents in it.
            if scores is None:  # no words: browse everything the searcher may see
                matched = allowed
                page = heapq.nsmallest(start + query.limit, matched, key=ids.__getitem__)
            else:
                matched = scores.keys() & allowed
                page = heapq.nsmallest(
                    start + query.limit, matched, key=lambda d: (-scores[d], ids[d])
                )
            page = page[start:]
            hits = [
                stored_hit(searcher.stored_fields(d), scores.get(d, 0.0) if scores else 0.0)
                for d in page
            ]
            return Results(total=len(matched), hits=hits, facets=self._facets(searcher, matched))

        return self._read(run)

    def _facets(self, searcher: Any, docnums: set[int]) -> dict[str, dict[str, int]]:
        columns = self._columns(searcher)
        # One C-level pass over (kind, channel, category) per match, then a small
        # Python pass over the distinct combinations; tags get a pass of their own.
        combos = Counter(map(columns["combo"].__getitem__, docnums))
        counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        for combo, n in combos.items():
            for name, value in zip(("kind", "channel", "category"), combo, strict=True):
                if value:
                    counts[name][value] = counts[name].get(value, 0) + n
        tags = Counter(chain.from_iterable(map(columns["tagset"].__getitem__, docnums)))
        tags.pop("", None)
        counts["tag"] = dict(tags)
        # Most frequent first, then by name: never in the order of the index's own document
        # numbers, which documents the caller may not read would shift.
        return {
            name: dict(sorted(values.items(), key=lambda item: (-item[1], item[0])))
            for name, values in counts.items()
        }

    def suggest(
        self, prefix: str, words: list[str], levels: frozenset[str], limit: int
    ) -> list[Hit]:
        """Titles with every word and one starting with ``prefix``: shortest title first, then
        lowest document id. Whoosh's own scoring would order them the same way for the
        readers of every level at once, so a hidden title's words would move public ones."""
        if not words and not prefix:
            return []

        def run(searcher: Any) -> list[Hit]:
            # Whole posting blocks (ranking.posting_blocks) rather than Whoosh's matchers,
            # which cost several Python calls per posting of every word the prefix expands to.
            reader = searcher.reader()
            matched = self._allowed(searcher, levels, {})
            for word in words:
                matched = matched.intersection(_docs(reader, [word]))
            if prefix and matched:
                matched = matched.intersection(
                    _docs(reader, reader.expand_prefix(TITLE_FIELD, prefix))
                )
            columns = self._columns(searcher)
            lengths, ids = columns["title_length"], columns["docid"]
            best = heapq.nsmallest(limit, matched, key=lambda d: (lengths[d], ids[d]))
            return [stored_hit(searcher.stored_fields(d), 1.0) for d in best]

        return self._read(run)

    def vocabulary(
        self, levels: frozenset[str] | None, extra: set[str] | None = None
    ) -> Vocabulary:
        with self._mutex:
            searcher = self._current_searcher()
            if extra is not None:  # indexing: words of documents not in the index yet
                if levels is None:
                    return ReaderVocabulary(searcher.reader(), LEVELS, extra, lock=self._mutex)
                # Only the documents at these levels: stems are asked of the text field,
                # which holds every level.
                return ReaderVocabulary(
                    searcher.reader(),
                    levels,
                    extra,
                    allowed=self._allowed(searcher, levels, {}),
                    reopen=lambda: self._visible(levels),
                    lock=self._mutex,
                )
            # Searching: one vocabulary per audience and searcher, so what it learns
            # (known words, compound splits) serves every search until the index changes.
            cache = self._cache.setdefault("vocabulary", {})
            if levels not in cache:
                visible = levels or frozenset(LEVELS)
                reader, allowed = self._visible(visible)
                cache[levels] = ReaderVocabulary(
                    reader,
                    visible,
                    allowed=allowed,
                    reopen=lambda: self._visible(visible),
                    lock=self._mutex,
                )
            return cache[levels]

    def _visible(self, levels: frozenset[str]) -> tuple[Any, set[int]]:
        """(reader, docnums at these levels) of the current searcher."""
        with self._mutex:
            searcher = self._current_searcher()
            return searcher.reader(), self._allowed(searcher, levels, {})

    def corrections(self, word: str, levels: frozenset[str], limit: int = 3) -> list[str]:
        with self._mutex:
            self._current_searcher()
            cache = self._cache.setdefault("corrections", {})
        key = (word, levels, limit)
        if key not in cache:
            found = self._read(
                lambda searcher: corrections(
                    searcher, word, levels, limit, self._allowed(searcher, levels, {})
                )
            )
            if len(cache) >= 4096:
                cache.clear()
            cache[key] = found
        return list(cache[key])

    def indexed(self) -> dict[int, tuple[str, int]]:
        return self._read(
            lambda searcher: {
                int(fields["id"]): (fields["level"], int(fields["revision"]))
                for fields in searcher.all_stored_fields()
            }
        )


def _docs(reader: Any, terms: Iterable[str]) -> set[int]:
    """Live docnums whose title has any of ``terms``."""
    found: set[int] = set()
    for term in terms:
        for ids, _ in posting_blocks(reader, term, TITLE_FIELD):
            found.update(ids)
    return found
