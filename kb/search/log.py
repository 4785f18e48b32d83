"""The search log (SPEC §3): masked query, audience role, result count, time; no person.

Written in a short transaction of its own, on its own connection: a search is a GET and
never commits the caller's session, and a log that cannot be written never fails a search.
"""

import logging
from datetime import datetime

from sqlalchemy import func, insert, select

from kb.extensions import db
from kb.search import privacy
from kb.search.models import SearchLog

log = logging.getLogger(__name__)
MAX_QUERY = 200  # SearchLog.query's length


def record_search(audience: str, query: str, result_count: int, took_ms: int) -> None:
    """Log one search: the query masked (kb.search.privacy) and cut to MAX_QUERY characters.

    Raises nothing: a failed write is logged as an error and the search goes on.
    """
    try:
        with db.engine.begin() as connection:
            connection.execute(
                insert(SearchLog).values(
                    query=privacy.mask(query.strip())[:MAX_QUERY],
                    audience=audience,
                    result_count=result_count,
                    took_ms=took_ms,
                )
            )
    except Exception:  # a full disk or a locked table must never break a search
        log.exception("could not write the search log")


def searches_without_results(since: datetime, limit: int = 50) -> list[tuple[str, int]]:
    """(masked query, how often) of searches since ``since`` that found nothing, most
    frequent first: what editors should write next. Raises what the database raises."""
    count = func.count(SearchLog.id)
    rows = db.session.execute(
        select(SearchLog.query, count)
        .where(SearchLog.result_count == 0, SearchLog.created_at >= since)
        .group_by(SearchLog.query)
        .order_by(count.desc(), SearchLog.query)
        .limit(limit)
    ).all()
    return [(query, n) for query, n in rows]
