"""Search insights: the search log grouped by normalised query, and the results people open.

A query is grouped by ``normalise``: lower case, accents folded (kb.search.analysis.fold),
trimmed, runs of white space made one space; so "Wifi  Kapot " and "wifi kapot" are one row.
The log already holds masked queries only (kb.search.privacy), so nothing here unmasks.
Read-only except ``record_click``, which writes one row in a transaction of its own.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select

from kb import write_behind
from kb.dashboard.models import MAX_QUERY, SearchClick
from kb.extensions import db
from kb.search import privacy
from kb.search.analysis import fold
from kb.search.models import SearchLog

log = logging.getLogger(__name__)
ANONYMOUS = "anonymous"  # the search log's audience for customers


def normalise(query: str) -> str:
    """The grouping key of a query: folded, lower case, trimmed, single spaces."""
    return " ".join(fold(query).split())


@dataclass
class SearchGroup:
    """Every search of one normalised query in a period."""

    query: str
    searches: int = 0
    without_results: int = 0
    customers: int = 0  # searches by anonymous visitors; the rest are staff
    customers_without_results: int = 0
    clicks: int = 0  # results opened from the search page
    last_at: datetime | None = None
    last_empty_at: datetime | None = None  # the last search that found nothing
    last_found_at: datetime | None = None  # the last search that found something

    @property
    def with_results(self) -> int:
        return self.searches - self.without_results

    @property
    def unopened(self) -> int:
        """Searches with results that no opened result followed, about: an opened result is
        not tied to its search, so this is searches with results minus results opened."""
        return max(0, self.with_results - self.clicks)

    @property
    def unopened_share(self) -> float:
        return self.unopened / self.with_results if self.with_results else 0.0

    @property
    def finds_now(self) -> bool:
        """Found something after it last found nothing (e.g. a synonym or a new article)."""
        if self.last_found_at is None or self.last_empty_at is None:
            return False
        return self.last_found_at > self.last_empty_at


def grouped(since: datetime, until: datetime | None = None) -> dict[str, SearchGroup]:
    """Searches between ``since`` and ``until`` (default: now) by normalised query, with the
    results opened for each. Raises what the database raises."""
    write_behind.flush()  # this process's own searches, not yet written
    empty = SearchLog.result_count == 0
    window = [SearchLog.created_at >= since]
    if until is not None:
        window.append(SearchLog.created_at < until)
    rows = db.session.execute(
        select(
            SearchLog.query,
            SearchLog.audience,
            empty,
            func.count(SearchLog.id),
            func.max(SearchLog.created_at),
        )
        .where(*window)
        .group_by(SearchLog.query, SearchLog.audience, empty)
    )
    groups: dict[str, SearchGroup] = {}
    for raw, audience, is_empty, n, last in rows:
        key = normalise(raw)
        if not key:
            continue
        group = groups.setdefault(key, SearchGroup(key))
        group.searches += n
        if audience == ANONYMOUS:
            group.customers += n
        if is_empty:
            group.without_results += n
            if audience == ANONYMOUS:
                group.customers_without_results += n
            group.last_empty_at = _later(group.last_empty_at, last)
        else:
            group.last_found_at = _later(group.last_found_at, last)
        group.last_at = _later(group.last_at, last)
    clicks = [SearchClick.created_at >= since]
    if until is not None:
        clicks.append(SearchClick.created_at < until)
    for query, n in db.session.execute(
        select(SearchClick.query, func.count(SearchClick.id))
        .where(*clicks)
        .group_by(SearchClick.query)
    ):
        if query in groups:
            groups[query].clicks += n
    return groups


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


def without_results(groups: dict[str, SearchGroup], limit: int | None = None) -> list[SearchGroup]:
    """Queries that found nothing at least once, the most frequent first."""
    found = [g for g in groups.values() if g.without_results]
    found.sort(key=lambda g: (-g.without_results, g.query))
    return found[:limit]


def top(groups: dict[str, SearchGroup], limit: int | None = None) -> list[SearchGroup]:
    """The most searched queries."""
    return sorted(groups.values(), key=lambda g: (-g.searches, g.query))[:limit]


UNOPENED_SHARE = 0.5  # a query is listed when at least half its searches opened nothing


def unopened(groups: dict[str, SearchGroup], limit: int | None = None) -> list[SearchGroup]:
    """Queries that found something, but after which mostly nobody opened a result (at least
    UNOPENED_SHARE of its searches with results; the most such searches first). Some searches
    open nothing because the snippet answered; half or more says the results miss the point.
    """
    found = [g for g in groups.values() if g.unopened and g.unopened_share >= UNOPENED_SHARE]
    found.sort(key=lambda g: (-g.unopened, -g.unopened_share, g.query))
    return found[:limit]


def empty_counts(since: datetime) -> list[tuple[str, int]]:
    """(normalised query, searches without results) since ``since``: what demand matches."""
    write_behind.flush()  # this process's own searches, not yet written
    empty = SearchLog.result_count == 0
    rows = db.session.execute(
        select(SearchLog.query, func.count(SearchLog.id))
        .where(empty, SearchLog.created_at >= since)
        .group_by(SearchLog.query)
    )
    counts: dict[str, int] = {}
    for raw, n in rows:
        key = normalise(raw)
        if key:
            counts[key] = counts.get(key, 0) + n
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def record_click(query: str, document_id: int, audience: str) -> None:
    """Note that a result of ``query`` was opened from the search page: the query masked and
    normalised as the insights group it, the document, the role. No person, no address.

    Written on a connection of its own (the caller is a GET that commits nothing). Raises
    nothing: a click that cannot be written is logged and the reader goes on to the page.
    """
    key = normalise(privacy.mask(query.strip())[:MAX_QUERY])
    if not key:
        return
    try:
        with db.engine.begin() as connection:
            connection.execute(
                insert(SearchClick).values(
                    query=key[:MAX_QUERY], document_id=document_id, audience=audience
                )
            )
    except Exception:  # like the search log: never in the way of reading
        log.exception("could not record an opened search result")
