"""The search log (SPEC §3): masked query, audience role, result count, time; no person.

Written behind the search (kb.write_behind): a search is a GET and never commits the
caller's session, its row reaches the table within KB_WRITE_BEHIND_SECONDS, and a log that
cannot be written never fails a search. Readers of the log call ``write_behind.flush()``
first, so this process's own searches are in it.
"""

import logging
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from kb import write_behind
from kb.db import utcnow
from kb.extensions import db
from kb.search import privacy
from kb.search.models import SearchLog

log = logging.getLogger(__name__)
MAX_QUERY = 200  # SearchLog.query's length


def record_search(audience: str, query: str, result_count: int, took_ms: int) -> None:
    """Log one search: the query masked (kb.search.privacy) and cut to MAX_QUERY characters,
    stamped now and written within KB_WRITE_BEHIND_SECONDS. Raises nothing."""
    try:
        row = {
            "query": privacy.mask(query.strip())[:MAX_QUERY],
            "audience": audience,
            "result_count": result_count,
            "took_ms": took_ms,
            "created_at": utcnow(),
        }
        write_behind.add("search_log", row)
    except Exception:  # a failure here must never break a search
        log.exception("could not log a search")


@write_behind.writer("search_log")
def _write(connection: Connection, rows: list[dict]) -> None:
    connection.execute(insert(SearchLog), rows)


def searches_without_results(since: datetime, limit: int = 50) -> list[tuple[str, int]]:
    """(masked query, how often) of searches since ``since`` that found nothing, most
    frequent first: what editors should write next. Raises what the database raises."""
    write_behind.flush()
    count = func.count(SearchLog.id)
    rows = db.session.execute(
        select(SearchLog.query, count)
        .where(SearchLog.result_count == 0, SearchLog.created_at >= since)
        .group_by(SearchLog.query)
        .order_by(count.desc(), SearchLog.query)
        .limit(limit)
    ).all()
    return [(query, n) for query, n in rows]
