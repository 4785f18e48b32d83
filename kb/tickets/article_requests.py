"""Article request use cases: file, take on, fulfil, reject; and demand, the queue's order.

Fulfilling a request with a published document closes it and links every ticket that waited on
it to that document and its published revision. Every write runs in one unit of work with an
audit event; errors are domain errors.
"""

import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from flask_babel import gettext as _
from sqlalchemy import CursorResult, func, select, update

from kb.audit import service as audit
from kb.dashboard import searches
from kb.db import unit_of_work, utcnow
from kb.documents.models import Document, Status
from kb.documents.policy import Action, require, visible_documents
from kb.errors import NotFound
from kb.extensions import db
from kb.feedback.models import Comment, CommentKind, SuggestionStatus, Vote
from kb.search.analysis import stem, words
from kb.search.stemmer import STOPWORDS
from kb.tickets.models import (
    WAITING,
    ArticleRequest,
    EventKind,
    RequestStatus,
    Ticket,
    TicketStatus,
)
from kb.tickets.schemas import RequestCreate, RequestDecision, RequestProgress, RequestRejection
from kb.tickets.service import StateConflict, _event, _learn, _published


def get_request(request_id: int) -> ArticleRequest:
    """Raises NotFound."""
    found = db.session.get(ArticleRequest, request_id)
    if found is None:
        raise NotFound(_("Verzoek %(id)s bestaat niet.", id=request_id))
    return found


def new_request(actor, data: RequestCreate) -> ArticleRequest:
    """Add a request to the current unit of work (for resolve(), which files one)."""
    now = utcnow()
    found = ArticleRequest(
        title=data.title,
        details=data.details,
        status=RequestStatus.OPEN,
        created_by_id=getattr(actor, "id", None),
        created_at=now,
        updated_at=now,
    )
    db.session.add(found)
    db.session.flush()
    audit.record(actor, "request.create", "request", found.id)
    return found


def create_request(actor, data: RequestCreate) -> ArticleRequest:
    """File a request without a ticket. Raises Unauthorized, Forbidden."""
    require(actor, Action.HANDLE_TICKETS)
    with unit_of_work():
        return new_request(actor, data)


def _close(found: ArticleRequest, actor, status: RequestStatus, **values) -> None:
    """Move a waiting request to ``status``; of two editors deciding at once, one wins."""
    now = utcnow()
    moved = cast(
        CursorResult,
        db.session.execute(
            update(ArticleRequest)
            .where(ArticleRequest.id == found.id, ArticleRequest.status.in_(WAITING))
            .values(status=status, decided_by_id=actor.id, decided_at=now, updated_at=now, **values)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if moved != 1:
        raise StateConflict(_("Dit verzoek is al afgehandeld of afgewezen."))


def fulfil_request(found: ArticleRequest, actor, data: RequestDecision) -> ArticleRequest:
    """Close ``found`` with a published document: it is done, its fulfilment time recorded,
    and every ticket waiting on it is linked to that document and its published revision.

    Raises NotFound (a document the actor may not read, or none), Invalid (not published),
    StateConflict (already done or rejected), Unauthorized, Forbidden.
    """
    require(actor, Action.MANAGE_REQUESTS)
    if not found.is_waiting:
        raise StateConflict(_("Dit verzoek is al afgehandeld of afgewezen."))
    doc = _published(actor, data.document)
    link = {"document_id": doc.id, "revision_number": doc.published_number}
    with unit_of_work():
        _close(found, actor, RequestStatus.DONE, fulfilled_at=utcnow(), **link)
        waiting = list(
            db.session.scalars(
                select(Ticket).where(
                    Ticket.request_id == found.id,
                    Ticket.status == TicketStatus.RESOLVED,
                    Ticket.document_id.is_(None),
                )
            )
        )
        for ticket in waiting:
            ticket.document_id = doc.id
            ticket.revision_number = doc.published_number
            _learn(ticket, doc)
            _event(ticket, actor, EventKind.LINKED, request_id=found.id, **link)
        audit.record(
            actor,
            "request.fulfil",
            "request",
            found.id,
            document=doc.slug,
            revision=doc.published_number,
            tickets=[t.id for t in waiting],
        )
    db.session.refresh(found)
    return found


def reject_request(found: ArticleRequest, actor, data: RequestRejection) -> ArticleRequest:
    """Close ``found`` without a document, saying why. Its tickets keep their link to it.

    Raises StateConflict (already closed), Unauthorized, Forbidden.
    """
    require(actor, Action.MANAGE_REQUESTS)
    with unit_of_work():
        _close(found, actor, RequestStatus.REJECTED, reason=data.reason)
        audit.record(actor, "request.reject", "request", found.id)
    db.session.refresh(found)
    return found


def set_request_status(found: ArticleRequest, actor, data: RequestProgress) -> ArticleRequest:
    """Take a waiting request on (in_progress) or put it back (open).

    Raises StateConflict (done or rejected), Unauthorized, Forbidden.
    """
    require(actor, Action.MANAGE_REQUESTS)
    with unit_of_work():
        moved = cast(
            CursorResult,
            db.session.execute(
                update(ArticleRequest)
                .where(ArticleRequest.id == found.id, ArticleRequest.status.in_(WAITING))
                .values(status=data.status, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
        if moved != 1:
            raise StateConflict(_("Dit verzoek is al afgehandeld of afgewezen."))
        audit.record(actor, "request.status", "request", found.id, status=str(data.status))
    db.session.refresh(found)
    return found


# Demand ---------------------------------------------------------------------------------------

DEMAND_DAYS = 90  # searches and votes count toward demand for this long
EXAMPLES = 3  # why, in the queue: this many searches and answers shown per request
_MASKED = re.compile(r"\[[a-z-]+\]")  # kb.search.privacy's placeholders are not words


def terms(text: str) -> frozenset[str]:
    """The content words of a text, as stems: folded, stop words and masked parts left out."""
    return frozenset(
        stem(w) for w in words(_MASKED.sub(" ", text)) if len(w) > 1 and w not in STOPWORDS
    )


def related(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two texts are about the same thing: they share more than half of the content
    words of the shorter one ("modem knippert" and "Modem knippert oranje na reset" do;
    "wifi wachtwoord" and "Wifi valt weg" do not)."""
    shared = len(a & b)
    return shared > 0 and 2 * shared > min(len(a), len(b))


@dataclass
class Demand:
    """How much a request is wanted, and why. ``total`` orders the editors' queue.

    Signals, each matched to the request's title by shared words (``related``): the tickets
    linked to it; searches without results in the last DEMAND_DAYS days; "Nee" votes in
    that time on a related document (its title) or whose "Wat zocht u?" matches; open
    suggestions on a related document. Every page, the API and the dashboard use demand().
    """

    tickets: int = 0
    ticket_ids: list[int] = field(default_factory=list)
    searches: int = 0  # searches without results
    search_examples: list[tuple[str, int]] = field(default_factory=list)  # (query, how often)
    not_helpful: int = 0  # "Nee" votes
    answers: list[str] = field(default_factory=list)  # "Wat zocht u?" (masked)
    suggestions: int = 0  # open suggestions
    documents: list[tuple[str, str]] = field(default_factory=list)  # related (slug, title)

    @property
    def total(self) -> int:
        return self.tickets + self.searches + self.not_helpful + self.suggestions


@dataclass
class _Feedback:
    """Signals on one document: "Nee" votes (with their answers) and open suggestions."""

    slug: str
    title: str
    terms: frozenset[str]
    votes: int = 0
    answers: list[str] = field(default_factory=list)
    suggestions: int = 0


def _feedback(since: datetime) -> list[_Feedback]:
    docs: dict[int, _Feedback] = {}

    def doc(doc_id: int, slug: str, title: str) -> _Feedback:
        if doc_id not in docs:
            docs[doc_id] = _Feedback(slug, title, terms(title))
        return docs[doc_id]

    title = func.coalesce(Document.published_title, Document.title)
    votes = db.session.execute(
        select(Vote.document_id, Document.slug, title, Vote.wanted)
        .join(Document, Document.id == Vote.document_id)
        .where(Vote.is_helpful.is_(False), Vote.created_at >= since)
        .order_by(Vote.id.desc())
    )
    for doc_id, slug, name, wanted in votes:
        entry = doc(doc_id, slug, name)
        entry.votes += 1
        if wanted:
            entry.answers.append(wanted)
    suggestions = db.session.execute(
        select(Comment.document_id, Document.slug, title, func.count(Comment.id))
        .join(Document, Document.id == Comment.document_id)
        .where(Comment.kind == CommentKind.SUGGESTION, Comment.status == SuggestionStatus.OPEN)
        .group_by(Comment.document_id, Document.slug, title)
    )
    for doc_id, slug, name, n in suggestions:
        doc(doc_id, slug, name).suggestions += n
    return list(docs.values())


def demand(request_ids: Collection[int], now: datetime | None = None) -> dict[int, Demand]:
    """Demand per request id (every id given gets one, zero when nothing asks for it)."""
    result = {rid: Demand() for rid in request_ids}
    if not result:
        return result
    rows = db.session.execute(
        select(Ticket.request_id, Ticket.id)
        .where(Ticket.request_id.in_(result), Ticket.status == TicketStatus.RESOLVED)
        .order_by(Ticket.id)
    )
    for request_id, ticket_id in rows:
        entry = result[request_id]
        entry.tickets += 1
        entry.ticket_ids.append(ticket_id)
    titles = {
        rid: terms(title)
        for rid, title in db.session.execute(
            select(ArticleRequest.id, ArticleRequest.title).where(ArticleRequest.id.in_(result))
        )
    }
    # Only requests whose title shares a word can relate: look those up, not every request.
    by_term: dict[str, set[int]] = defaultdict(set)
    for rid, title in titles.items():
        for term in title:
            by_term[term].add(rid)

    def matching(words: frozenset[str]) -> list[int]:
        sharing = set().union(*(by_term.get(term, set()) for term in words))
        return sorted(rid for rid in sharing if related(words, titles[rid]))

    since = (now or utcnow()) - timedelta(days=DEMAND_DAYS)
    for query, n in searches.empty_counts(since):
        for rid in matching(terms(query)):
            entry = result[rid]
            entry.searches += n
            if len(entry.search_examples) < EXAMPLES:
                entry.search_examples.append((query, n))
    for doc in _feedback(since):
        near = matching(doc.terms)
        for rid in near:  # a related document: all its signals count
            entry = result[rid]
            entry.not_helpful += doc.votes
            entry.suggestions += doc.suggestions
            entry.documents.append((doc.slug, doc.title))
            entry.answers.extend(doc.answers[: EXAMPLES - len(entry.answers)])
        for answer in doc.answers:  # another document, but what the reader wanted matches
            for rid in matching(terms(answer)):
                if rid not in near:
                    entry = result[rid]
                    entry.not_helpful += 1
                    if len(entry.answers) < EXAMPLES:
                        entry.answers.append(answer)
    return result


def list_requests(
    status: RequestStatus | None = None, limit: int = 200, now: datetime | None = None
) -> list[tuple[ArticleRequest, Demand]]:
    """Requests with ``status`` (default: the waiting ones, open and in progress), the highest
    demand first, then the oldest."""
    statuses = (status,) if status is not None else WAITING
    found = list(
        db.session.scalars(
            select(ArticleRequest)
            .where(ArticleRequest.status.in_(statuses))
            .order_by(ArticleRequest.created_at, ArticleRequest.id)
        )
    )
    demands = demand([r.id for r in found], now)
    ranked = sorted(found, key=lambda r: -demands[r.id].total)  # stable: oldest first on a tie
    return [(r, demands[r.id]) for r in ranked[:limit]]


def candidates(user, limit: int = 300) -> list[tuple[str, str]]:
    """(slug, title) of the published documents ``user`` reads, the newest publication first:
    what an editor can fulfil a request with."""
    rows = db.session.execute(
        visible_documents(user)
        .where(Document.status == Status.PUBLISHED)
        .order_by(Document.published_at.desc(), Document.id.desc())
        .limit(limit)
        .with_only_columns(Document.slug, Document.published_title)
    )
    return [(slug, title or slug) for slug, title in rows]


def waiting_requests(limit: int = 100) -> list[ArticleRequest]:
    """Open and in-progress requests by title, for an agent picking one to resolve with."""
    return list(
        db.session.scalars(
            select(ArticleRequest)
            .where(ArticleRequest.status.in_(WAITING))
            .order_by(func.lower(ArticleRequest.title))
            .limit(limit)
        )
    )
