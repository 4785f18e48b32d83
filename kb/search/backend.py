"""The search backend interface: what the service needs from an index, and nothing more.

Documents reach a backend already analysed (``IndexDoc``) and queries arrive already parsed
(``Query``), so Whoosh and PostgreSQL rank the same terms and behave the same.
"""

from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeVar

from kb.search.analysis import Vocabulary

if TYPE_CHECKING:  # kb.search.cursor imports this module
    from kb.search.cursor import Cursor

LEVELS = ("public", "internal", "draft")
FACETS = ("kind", "channel", "category", "tag")
T = TypeVar("T")


@dataclass
class IndexDoc:
    """One document as every backend indexes it: already analysed (kb.search.service)."""

    id: int
    slug: str
    level: str  # public | internal | draft: who may find it, see kb.documents.policy.search_levels
    kind: str
    channel: str
    category: str
    tags: list[str]
    revision: int
    title: str
    title_terms: list[str]
    tag_terms: list[str]
    body_terms: list[str]
    part_terms: list[str]  # compound parts and separable-verb remainders of all fields
    words: set[str]  # folded surface words: vocabulary for corrections, per level
    title_words: set[str]  # folded title words, for search-as-you-type
    # Stems of the customers' phrases learned from resolved tickets (kb.search.learned):
    # searched below body weight on every backend.
    learned_terms: list[str] = field(default_factory=list)


@dataclass
class Query:
    """A parsed search (kb.search.query.plan), in stems, for the levels a searcher reads."""

    # AND over units; a unit is an OR over alternatives; an alternative is an AND of terms.
    units: list[list[list[str]]]
    phrases: list[list[str]]
    levels: frozenset[str]
    filters: dict[str, str] = field(default_factory=dict)
    page: int = 1
    limit: int = 20
    match_all_units: bool = True


@dataclass
class Hit:
    """One found document, as the index stores it."""

    id: int
    slug: str
    kind: str
    channel: str
    title: str
    score: float


@dataclass
class Results:
    """Exact total, one page of hits, and facet counts over every match."""

    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]


class IndexMissing(Exception):
    """There is no usable index (never built, deleted, corrupt or foreign): rebuild it."""


class LockTimeout(Exception):
    """Another process held the writer lock too long; the outbox keeps the work."""


class SearchBackend(Protocol):
    """What an index must do. kb.search.engine.create_backend returns one (so the type
    checker holds both backends to this), and nothing else in kb names a backend class.

    Every method may raise IndexMissing (rebuild, then ask again); lock() raises
    LockTimeout.
    """

    def lock(self, timeout: float | None = None) -> AbstractContextManager[None]:
        """Exclusive across processes: held while applying changes (and briefly by a rebuild)."""

    def rebuild_lock(self) -> AbstractContextManager[None]:
        """Exclusive across the processes sharing this index: one rebuild at a time."""

    def cursor(self) -> "Cursor":
        """How far this index has applied the change log (kb.search.cursor).

        Raises IndexMissing when there is no index, or one this backend did not build."""

    def apply(
        self, upserts: list[IndexDoc], deletes: list[int], cursor: "Cursor | None" = None
    ) -> None:
        """Add or replace ``upserts``, remove ``deletes`` (document ids) and store ``cursor``
        with them (None: leave the stored one, for tools and tests). Call under lock()."""

    def rebuild(
        self,
        docs: Iterator[IndexDoc],
        progress: Callable[[], None] | None,
        size_hint: int = 0,
        cursor: "Cursor | None" = None,
    ) -> int:
        """Build a fresh index holding ``docs`` and ``cursor``; searches and changes go on
        meanwhile (those come after ``cursor`` and are applied again by the next sync).
        Call under rebuild_lock(), not lock().

        ``size_hint`` is about how many documents ``docs`` yields (for choosing a strategy).
        """

    def search(self, query: Query) -> Results:
        """Exact total, one page of hits and facet counts over every match."""

    def suggest(
        self, prefix: str, words: list[str], levels: frozenset[str], limit: int
    ) -> list[Hit]:
        """Titles for search-as-you-type: all ``words`` and a word starting with ``prefix``."""

    def vocabulary(
        self, levels: frozenset[str] | None, extra: set[str] | None = None
    ) -> Vocabulary:
        """Known words for splitting and correcting, at ``levels`` (None: every level).

        Searching passes the searcher's levels; indexing passes None and ``extra``, the
        words of the documents about to be indexed, which the index does not know yet.
        """

    def corrections(self, word: str, levels: frozenset[str], limit: int) -> list[str]:
        """Visible words close to ``word``, most likely first."""

    def indexed(self) -> dict[int, tuple[str, int]]:
        """Document id -> (level, revision) of everything in the index, for `search check`."""

    def generation(self) -> Hashable | None:
        """A value that changes with every index change, or None when it cannot be known
        (then nothing may be cached). Raises IndexMissing when there is no usable index."""

    def close(self) -> None:
        """Let go of open files and readers (the app is shutting down or tests end)."""


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
