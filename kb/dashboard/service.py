"""The knowledge dashboard's figures (KCS), computed once for the page, the CSV and the API.

Team figures only: no per-person targets, counts or rankings. Editors and up see them
(Action.MANAGE_REQUESTS); for anyone else they do not exist (NotFound, also in the API).
Counts are made in SQL (per day, then per week in Python), so a long period stays cheap.
"""

import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from kb import write_behind
from kb.dashboard import searches
from kb.dashboard.schemas import (
    DocumentReuse,
    Helpfulness,
    LateTicket,
    Metrics,
    Publication,
    RequestDemand,
    Resolutions,
    RevisionUse,
    SearchCount,
    Timeliness,
    Week,
)
from kb.db import utcnow
from kb.documents.models import Document
from kb.documents.policy import Action, allowed, visible_documents
from kb.errors import Invalid, NotFound
from kb.extensions import db
from kb.feedback.models import Vote
from kb.search.models import SearchLog
from kb.tickets import article_requests as requests
from kb.tickets import service as tickets
from kb.tickets.models import ArticleRequest, Priority, Ticket, TicketStatus

PERIODS = (7, 30, 90)  # days
DEFAULT_DAYS = 30
LINK_RATE_BAND = (0.6, 0.8)  # KCS: a healthy share of resolved tickets linked to knowledge
TOP = 10


def require_dashboard(user) -> None:
    """Raises NotFound unless ``user`` may see the dashboard (editor and up): for agents and
    anonymous callers it does not exist, in pages, CSV and API alike (SPEC §2)."""
    if not allowed(user, Action.MANAGE_REQUESTS):
        raise NotFound()


def metrics(user, days: int = DEFAULT_DAYS, now: datetime | None = None) -> Metrics:
    """Every figure for the ``days`` up to ``now`` (default: now).

    Raises NotFound (not an editor), Invalid (a period other than PERIODS).
    """
    write_behind.flush()  # this process's own searches, not yet written
    require_dashboard(user)
    if days not in PERIODS:
        raise Invalid({"days": _("Kies een periode van 7, 30 of 90 dagen.")})
    until = now or utcnow()
    since = until - timedelta(days=days)
    weeks = _weeks(since, until)
    groups = searches.grouped(since, until)
    return Metrics(
        days=days,
        since=since,
        until=until,
        resolutions=_resolutions(since, until, weeks),
        weeks=list(weeks.values()),
        reuse=_reuse(user, since, until),
        open_requests=_open_requests(until),
        searches_without_results=[
            SearchCount(
                query=g.query,
                searches=g.without_results,
                customers=g.customers_without_results,
                finds_now=g.finds_now,
            )
            for g in searches.without_results(groups, TOP)
        ],
        helpfulness=_helpfulness(user, since, until),
        publication=_publication(since, until),
        timeliness=_timeliness(since, until),
    )


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _day(value: Any) -> date:
    """SQL date(): a date on PostgreSQL, an ISO string on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weeks(since: datetime, until: datetime) -> dict[date, Week]:
    """Empty weeks from the one holding ``since`` to the one holding ``until``."""
    weeks: dict[date, Week] = {}
    start = _monday(since.date())
    while start <= until.date():
        first, last = max(start, since.date()), min(start + timedelta(days=6), until.date())
        weeks[start] = Week(
            start=start,
            days=(last - first).days + 1,
            resolved=0,
            known=0,
            new=0,
            waiting=0,
            link_rate=None,
            searches_without_results=0,
            requests_filed=0,
        )
        start += timedelta(days=7)
    return weeks


def _per_day(column, since: datetime, until: datetime, *where, extra=()) -> list:
    """Counts per day of ``column`` (a time) in the period, grouped by ``extra`` too."""
    day = func.date(column)
    return list(
        db.session.execute(
            select(day, *extra, func.count())
            .where(column >= since, column < until, *where)
            .group_by(day, *extra)
        )
    )


def _resolutions(since: datetime, until: datetime, weeks: dict[date, Week]) -> Resolutions:
    has_doc = Ticket.document_id.is_not(None)
    has_request = Ticket.request_id.is_not(None)
    totals = {"known": 0, "new": 0, "waiting": 0}
    rows = _per_day(
        Ticket.resolved_at,
        since,
        until,
        Ticket.status == TicketStatus.RESOLVED,
        extra=(has_doc, has_request),
    )
    for day, doc, request, n in rows:
        kind = ("new" if request else "known") if doc else "waiting"
        totals[kind] += n
        week = weeks[_monday(_day(day))]
        week.resolved += n
        setattr(week, kind, getattr(week, kind) + n)
    for week in weeks.values():
        week.link_rate = rate(week.known + week.new, week.resolved)
    for day, n in _per_day(SearchLog.created_at, since, until, SearchLog.result_count == 0):
        weeks[_monday(_day(day))].searches_without_results += n
    for day, n in _per_day(ArticleRequest.created_at, since, until):
        weeks[_monday(_day(day))].requests_filed += n
    resolved = sum(totals.values())
    linked = totals["known"] + totals["new"]
    via_request = totals["new"] + totals["waiting"]
    return Resolutions(
        resolved=resolved,
        linked=linked,
        via_request=via_request,
        known=totals["known"],
        new=totals["new"],
        waiting=totals["waiting"],
        link_rate=rate(linked, resolved),
        request_rate=rate(via_request, resolved),
        band_low=LINK_RATE_BAND[0],
        band_high=LINK_RATE_BAND[1],
    )


def _titles(user, ids: set[int]) -> dict[int, tuple[str, str]]:
    """(slug, title) of the documents ``ids`` that ``user`` may read."""
    if not ids:
        return {}
    rows = db.session.execute(
        visible_documents(user)
        .where(Document.id.in_(ids))
        .with_only_columns(
            Document.id, Document.slug, func.coalesce(Document.published_title, Document.title)
        )
    )
    return {doc_id: (slug, title) for doc_id, slug, title in rows}


def _reuse(user, since: datetime, until: datetime) -> list[DocumentReuse]:
    rows = db.session.execute(
        select(Ticket.document_id, Ticket.revision_number, func.count())
        .where(
            Ticket.status == TicketStatus.RESOLVED,
            Ticket.resolved_at >= since,
            Ticket.resolved_at < until,
            Ticket.document_id.is_not(None),
        )
        .group_by(Ticket.document_id, Ticket.revision_number)
    )
    per_doc: dict[int, list[RevisionUse]] = defaultdict(list)
    for doc_id, revision, n in rows:
        per_doc[doc_id].append(RevisionUse(revision=revision, tickets=n))
    names = _titles(user, set(per_doc))
    found = [
        DocumentReuse(
            slug=names[doc_id][0],
            title=names[doc_id][1],
            tickets=sum(r.tickets for r in uses),
            revisions=sorted(uses, key=lambda r: -r.revision),
        )
        for doc_id, uses in per_doc.items()
        if doc_id in names
    ]
    found.sort(key=lambda d: (-d.tickets, d.title))
    return found[:TOP]


def _open_requests(now: datetime) -> list[RequestDemand]:
    return [
        RequestDemand(
            id=found.id,
            title=found.title,
            status=found.status,
            demand=wanted.total,
            tickets=wanted.tickets,
            searches=wanted.searches,
            not_helpful=wanted.not_helpful,
            suggestions=wanted.suggestions,
        )
        for found, wanted in requests.list_requests(limit=TOP, now=now)
    ]


def _helpfulness(user, since: datetime, until: datetime) -> list[Helpfulness]:
    answered = Vote.wanted != ""
    rows = db.session.execute(
        select(Vote.document_id, Vote.is_helpful, answered, func.count())
        .where(Vote.created_at >= since, Vote.created_at < until)
        .group_by(Vote.document_id, Vote.is_helpful, answered)
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # ja, nee, answers
    for doc_id, helpful, has_answer, n in rows:
        entry = counts[doc_id]
        entry[0 if helpful else 1] += n
        if has_answer:
            entry[2] += n
    names = _titles(user, set(counts))
    found = [
        Helpfulness(
            slug=names[doc_id][0],
            title=names[doc_id][1],
            helpful=yes,
            not_helpful=no,
            answers=answers,
            share=rate(yes, yes + no),
        )
        for doc_id, (yes, no, answers) in counts.items()
        if doc_id in names
    ]
    found.sort(key=lambda h: (-h.not_helpful, -h.helpful, h.title))
    return found[:TOP]


def _publication(since: datetime, until: datetime) -> Publication:
    rows = db.session.execute(
        select(ArticleRequest.created_at, ArticleRequest.fulfilled_at).where(
            ArticleRequest.fulfilled_at >= since, ArticleRequest.fulfilled_at < until
        )
    ).all()
    hours = [(done - asked).total_seconds() / 3600 for asked, done in rows]
    return Publication(
        fulfilled=len(hours),
        median_hours=round(statistics.median(hours), 1) if hours else None,
    )


def _timeliness(since: datetime, until: datetime) -> Timeliness:
    hours = tickets.answer_hours()
    late = tickets.overdue(until)
    responded = db.session.execute(
        select(Ticket.priority, Ticket.opened_at, Ticket.first_response_at).where(
            Ticket.opened_at >= since,
            Ticket.opened_at < until,
            Ticket.first_response_at.is_not(None),
        )
    ).all()
    in_time = sum(
        1
        for priority, opened, first in responded
        if first - opened <= timedelta(hours=hours[Priority(priority)])
    )
    return Timeliness(
        answer_hours={str(p): h for p, h in hours.items()},
        overdue=len(late),
        overdue_tickets=[
            LateTicket(
                id=item.ticket.id,
                external_ref=item.ticket.external_ref,
                priority=item.ticket.priority,
                late_hours=round(item.late_by.total_seconds() / 3600, 1),
                responded=item.first_response_after is not None,
            )
            for item in late[:TOP]
        ],
        first_responses=len(responded),
        in_time=in_time,
        in_time_rate=rate(in_time, len(responded)),
    )
