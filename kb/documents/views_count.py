"""How often each document is read, per day: the honest "Veelgelezen" list on the home page.

A read is one GET of a published document's page by a person's browser. Nothing about the
reader is stored or set (no cookie, no address, no user id): one row per document and day,
counted up with an atomic upsert that works on SQLite and PostgreSQL alike, behind the page
(kb.write_behind: within KB_WRITE_BEHIND_SECONDS, one statement for all reads of a second).
Counting never fails a page: an error is logged and the page is served as it is.
"""

import logging
from collections import Counter
from datetime import date, timedelta

from flask import Request
from sqlalchemy import Connection, Date, Integer, bindparam, func, text

from kb import write_behind
from kb.db import utcnow
from kb.documents.models import Document, DocumentView, Kind, Status
from kb.documents.policy import reading_levels, visible_documents, visible_in_order
from kb.extensions import db

log = logging.getLogger(__name__)

WINDOW_DAYS = 30
# Every browser a person uses says "Mozilla/5.0 ..."; crawlers, link checkers, monitors and
# preview fetchers often do too, and then name themselves with one of these words.
NOT_A_PERSON = (
    "bot",
    "crawl",
    "spider",
    "slurp",
    "preview",
    "facebookexternalhit",
    "monitor",
    "lighthouse",
    "pingdom",
    "uptime",
)


def counts(request: Request) -> bool:
    """Is this request a person reading the page? HEAD requests, browser prefetches and
    clients that are not browsers (scripts, crawlers) are not counted."""
    if request.method != "GET":
        return False
    purpose = (request.headers.get("Sec-Purpose") or request.headers.get("Purpose") or "").lower()
    if "prefetch" in purpose or "prerender" in purpose:
        return False
    agent = (request.user_agent.string or "").lower()
    if not agent.startswith("mozilla/"):
        return False
    return not any(word in agent for word in NOT_A_PERSON)


UPSERT = text(
    "INSERT INTO document_views (document_id, day, views) VALUES (:document_id, :day, :views) "
    "ON CONFLICT (document_id, day) DO UPDATE SET views = document_views.views + excluded.views"
).bindparams(
    bindparam("document_id", type_=Integer),
    bindparam("day", type_=Date),
    bindparam("views", type_=Integer),
)


def record(doc: Document) -> None:
    """Count one read of ``doc`` today, if it is published. Never raises."""
    if doc.status == Status.PUBLISHED:
        record_id(doc.id)


def record_id(document_id: int) -> None:
    """Count one read of the published document ``document_id`` today (a cached page's read,
    kb.page_cache), written within KB_WRITE_BEHIND_SECONDS. Never raises."""
    try:
        write_behind.add("document_views", (document_id, utcnow().date()))
    except Exception:  # noqa: BLE001 - a lost count must never cost the reader the page
        log.exception("could not count a read of document %s", document_id)


@write_behind.writer("document_views")
def _write(connection: Connection, reads: list[tuple[int, date]]) -> None:
    """One upsert a document and day, counted up by its reads (an atomic upsert that
    SQLite and PostgreSQL spell alike), in document order so two writers never deadlock."""
    counted = Counter(reads)
    rows = [{"document_id": d, "day": day, "views": n} for (d, day), n in sorted(counted.items())]
    connection.execute(UPSERT, rows)


def most_read(user, limit: int = 6, days: int = WINDOW_DAYS) -> list[Document]:
    """The published articles ``user`` may read, most read in the last ``days`` days first;
    articles nobody read yet follow, newest first (so a new site still lists something).

    The list is worked out once per generation and KB_PAGE_CACHE_SECONDS for everyone at the
    same reading level (page_cache.remembered: 69 ms at 100 000 documents without reads), as
    the anonymous home page is; its documents are loaded again, through the gate, for this
    request."""
    from kb import page_cache

    key = (reading_levels(user)[-1], limit, days)
    ids = page_cache.remembered("most-read", key, lambda: _most_read_ids(user, limit, days))
    return visible_in_order(user, ids)


def _most_read_ids(user, limit: int, days: int) -> tuple[int, ...]:
    write_behind.flush()
    since = utcnow().date() - timedelta(days=days - 1)
    reads = (
        db.select(DocumentView.document_id, func.sum(DocumentView.views).label("n"))
        .where(DocumentView.day >= since)
        .group_by(DocumentView.document_id)
        .subquery()
    )
    articles = (
        visible_documents(user)
        .where(Document.kind == Kind.ARTICLE, Document.status == Status.PUBLISHED)
        .with_only_columns(Document.id)
    )
    # Driven by the read counts, not by every article: a sort of all published articles by
    # reads cost 50-90 ms a home page at 100k documents.
    read = list(
        db.session.scalars(
            articles.join(reads, reads.c.document_id == Document.id)
            .order_by(reads.c.n.desc(), Document.published_at.desc(), Document.id.desc())
            .limit(limit)
        )
    )
    if len(read) < limit:  # every read article is in: the newest unread ones follow
        unread = articles.order_by(Document.published_at.desc(), Document.id.desc())
        if read:
            unread = unread.where(Document.id.not_in(read))
        read += db.session.scalars(unread.limit(limit - len(read)))
    return tuple(read)


def reads(document_id: int, days: int = WINDOW_DAYS) -> int:
    """Reads of one document in the last ``days`` days (for tests and editors' tools)."""
    write_behind.flush()
    since = utcnow().date() - timedelta(days=days - 1)
    total = db.session.scalar(
        db.select(func.sum(DocumentView.views)).where(
            DocumentView.document_id == document_id, DocumentView.day >= since
        )
    )
    return int(total or 0)
