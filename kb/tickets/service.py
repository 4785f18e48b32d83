"""Ticket use cases: create, note, resolve, re-open, find, list the overdue, purge the old.

The only module that writes tickets (article requests: kb/tickets/article_requests.py). Every
function takes the acting user, runs in one unit of work, records an audit event and raises
domain errors; none knows about HTTP.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import CursorResult, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from kb.audit import service as audit
from kb.db import unit_of_work, utcnow
from kb.documents.models import Document, Revision, Status
from kb.documents.policy import Action, load_for, require, visible_documents
from kb.errors import DomainError, Invalid, NotFound
from kb.extensions import db
from kb.search import learned
from kb.tickets import privacy
from kb.tickets.models import (
    ANONYMOUS_SUBJECT,
    ANSWER_HOURS,
    ArticleRequest,
    EventKind,
    Priority,
    Ticket,
    TicketEvent,
    TicketNote,
    TicketStatus,
)
from kb.tickets.schemas import NoteCreate, ResolveInput, TicketCreate


class StateConflict(DomainError):
    """The ticket or request is not in a state that allows this (e.g. resolved twice)."""

    status = 409
    title = "Conflict"


class PersonalData(Invalid):
    """The text looks like it holds personal data; stored only when the caller confirms."""

    def __init__(self, field: str, kinds: list[str]) -> None:
        self.kinds = kinds
        self.warning = privacy.warning(kinds)
        super().__init__(
            {
                field: self.warning,
                "confirm_personal_data": _("Bevestig om het toch op te slaan."),
            }
        )


def _check_privacy(field: str, text: str, confirmed: bool) -> None:
    kinds = privacy.personal_data(text)
    if kinds and not confirmed:
        raise PersonalData(field, kinds)


def _event(ticket: Ticket, actor, kind: EventKind, **link) -> None:
    db.session.add(
        TicketEvent(ticket_id=ticket.id, kind=kind, actor_id=getattr(actor, "id", None), **link)
    )


def _learn(ticket: Ticket, doc: Document) -> None:
    """Count the ticket's subject as the customer's words for ``doc`` (kb.search.learned);
    call before the link's event. Once per ticket and document: a ticket re-opened and
    resolved again with the same document is not a second customer."""
    before = db.session.scalar(
        select(TicketEvent.id)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.document_id == doc.id)
        .limit(1)
    )
    if before is None:
        learned.learn(doc, ticket.subject)


def get_ticket(ticket_id: int) -> Ticket:
    """Raises NotFound."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(_("Ticket %(id)s bestaat niet.", id=ticket_id))
    return ticket


def get_ticket_by_ref(ref: str) -> Ticket:
    """The ticket with reference ``ref`` (any case). Raises NotFound."""
    ticket = db.session.scalar(
        select(Ticket).where(func.lower(Ticket.external_ref) == ref.strip().lower())
    )
    if ticket is None:
        raise NotFound(_("Geen ticket met referentie %(ref)s.", ref=ref))
    return ticket


def create_ticket(actor, data: TicketCreate) -> Ticket:
    """Open a ticket. Raises Invalid (a reference in use, an opening time in the future),
    PersonalData (a subject that looks like personal data, unconfirmed), Unauthorized,
    Forbidden."""
    require(actor, Action.HANDLE_TICKETS)
    _check_privacy("subject", data.subject, data.confirm_personal_data)
    now = utcnow()
    opened_at = data.opened_at or now
    if opened_at > now + timedelta(minutes=5):
        raise Invalid({"opened_at": _("Een ticket kan niet in de toekomst geopend zijn.")})
    taken = Invalid(
        {"external_ref": _("Er is al een ticket met referentie %(ref)s.", ref=data.external_ref)}
    )
    with unit_of_work():
        if db.session.scalar(select(Ticket.id).where(Ticket.external_ref == data.external_ref)):
            raise taken
        ticket = Ticket(
            external_ref=data.external_ref,
            subject=data.subject,
            channel=data.channel,
            priority=data.priority,
            status=TicketStatus.OPEN,
            opened_at=opened_at,
            updated_at=now,
            created_by_id=getattr(actor, "id", None),
        )
        db.session.add(ticket)
        try:
            db.session.flush()
        except IntegrityError:  # another agent took the reference a moment ago
            raise taken from None
        audit.record(actor, "ticket.create", "ticket", ticket.id, ref=ticket.external_ref)
    return ticket


def add_note(ticket: Ticket, actor, data: NoteCreate) -> TicketNote:
    """Add a note or an agreement; the first one is the ticket's first response.

    Raises PersonalData (unconfirmed), Invalid (an anonymised ticket), Unauthorized, Forbidden.
    """
    require(actor, Action.HANDLE_TICKETS)
    if ticket.anonymised_at is not None:
        raise Invalid({"body": _("Dit ticket is geanonimiseerd; er kan niets meer bij.")})
    _check_privacy("body", data.body, data.confirm_personal_data)
    now = utcnow()
    with unit_of_work():
        note = TicketNote(
            ticket_id=ticket.id, kind=data.kind, body=data.body, author_id=actor.id, created_at=now
        )
        db.session.add(note)
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        ticket.updated_at = now
        db.session.flush()
        audit.record(actor, "ticket.note", "ticket", ticket.id, note=note.id, kind=data.kind)
    db.session.refresh(ticket)
    return note


def _published(actor, slug: str) -> Document:
    """The document ``slug`` if ``actor`` reads it and it is published.

    Raises NotFound when it does not exist or the actor may not read it (never revealed),
    Invalid when it is not published.
    """
    doc = load_for(actor, slug)
    if doc.status != Status.PUBLISHED or doc.published_number is None:
        raise Invalid(
            {
                "document": _(
                    "'%(slug)s' is niet gepubliceerd: alleen een gepubliceerd document kan een "
                    "ticket oplossen.",
                    slug=slug,
                )
            }
        )
    return doc


def resolve(ticket: Ticket, actor, data: ResolveInput) -> Ticket:
    """Resolve with exactly one of: a published document (stored with the revision published
    now), an existing waiting request, or a new request.

    Raises NotFound (a document the actor may not read or that does not exist, an unknown
    request), Invalid (an unpublished document, a closed request), StateConflict (already
    resolved), Unauthorized, Forbidden.
    """
    from kb.tickets import article_requests as requests  # it imports this module

    require(actor, Action.HANDLE_TICKETS)
    if not ticket.is_open:
        raise StateConflict(_("Dit ticket is al opgelost; heropen het eerst."))
    doc = _published(actor, data.document) if data.document else None
    request = requests.get_request(data.request_id) if data.request_id else None
    if request is not None and not request.is_waiting:
        raise Invalid(
            {"request_id": _("Verzoek %(id)d is al afgehandeld of afgewezen.", id=request.id)}
        )
    now = utcnow()
    with unit_of_work():
        if data.request is not None:
            request = requests.new_request(actor, data.request)
        link = (
            {"document_id": doc.id, "revision_number": doc.published_number}
            if doc is not None
            else {"request_id": cast(ArticleRequest, request).id}
        )
        # Compare-and-swap on the status: of two agents resolving at once, one wins.
        moved = cast(
            CursorResult,
            db.session.execute(
                update(Ticket)
                .where(Ticket.id == ticket.id, Ticket.status == TicketStatus.OPEN)
                .values(
                    status=TicketStatus.RESOLVED,
                    resolved_at=now,
                    updated_at=now,
                    first_response_at=func.coalesce(Ticket.first_response_at, now),
                    **link,
                )
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
        if moved != 1:
            raise StateConflict(_("Dit ticket is al opgelost; heropen het eerst."))
        if doc is not None:
            _learn(ticket, doc)
        _event(ticket, actor, EventKind.RESOLVED, **link)
        audit.record(
            actor,
            "ticket.resolve",
            "ticket",
            ticket.id,
            document=doc.slug if doc is not None else None,
            revision=link.get("revision_number"),
            request=link.get("request_id"),
        )
    db.session.refresh(ticket)
    return ticket


def reopen(ticket: Ticket, actor) -> Ticket:
    """Open a resolved ticket again; its link stays in the history. Raises StateConflict (not
    resolved), Invalid (anonymised), Unauthorized, Forbidden."""
    require(actor, Action.HANDLE_TICKETS)
    if ticket.is_open:
        raise StateConflict(_("Dit ticket is al open."))
    if ticket.anonymised_at is not None:
        raise Invalid({"ticket": _("Een geanonimiseerd ticket gaat niet meer open.")})
    with unit_of_work():
        _event(
            ticket,
            actor,
            EventKind.REOPENED,
            document_id=ticket.document_id,
            revision_number=ticket.revision_number,
            request_id=ticket.request_id,
        )
        ticket.status = TicketStatus.OPEN
        ticket.resolved_at = None
        ticket.document_id = ticket.revision_number = ticket.request_id = None
        ticket.updated_at = utcnow()
        audit.record(actor, "ticket.reopen", "ticket", ticket.id)
    db.session.refresh(ticket)
    return ticket


def readable_link(ticket: Ticket, user) -> tuple[Document, Revision] | None:
    """The document and revision that solved ``ticket``, if ``user`` may still read it.

    A document unpublished since is not shown to readers who may not see drafts.
    """
    if ticket.document_id is None or ticket.revision is None:
        return None
    visible = db.session.scalar(
        visible_documents(user)
        .where(Document.id == ticket.document_id)
        .with_only_columns(Document.id)
    )
    return (cast(Document, ticket.document), ticket.revision) if visible else None


def readable_document_ids(user, ids: set[int]) -> set[int]:
    """Which of the documents ``ids`` ``user`` may read (for a ticket's history)."""
    if not ids:
        return set()
    rows = db.session.scalars(
        visible_documents(user).where(Document.id.in_(ids)).with_only_columns(Document.id)
    )
    return set(rows)


# Finding tickets -----------------------------------------------------------------------------


def find_by_ref(text: str, limit: int = 3) -> list[Ticket]:
    """Tickets whose reference is ``text`` (any case) first, then those starting with it.

    Only a text with a digit is looked up: references carry numbers, the words an agent types
    to find a script do not (so "opzeggen" never lists ticket OPZ-1).
    """
    text = text.strip()
    if not text or len(text) > 64 or not any(c.isdigit() for c in text):
        return []
    ref = func.lower(Ticket.external_ref)
    needle = text.lower()
    prefix = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = db.session.scalars(
        select(Ticket)
        .where(Ticket.anonymised_at.is_(None), ref.like(prefix, escape="\\"))
        .order_by((ref == needle).desc(), Ticket.status, Ticket.updated_at.desc())
        .limit(limit)
    )
    return list(rows)


def recent_open(actor, limit: int = 10) -> list[Ticket]:
    """Open tickets ``actor`` opened or wrote in, the most recently active first."""
    wrote = select(TicketNote.ticket_id).where(TicketNote.author_id == actor.id)
    return list(
        db.session.scalars(
            select(Ticket)
            .where(
                Ticket.status == TicketStatus.OPEN,
                or_(Ticket.created_by_id == actor.id, Ticket.id.in_(wrote)),
            )
            .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
            .limit(limit)
        )
    )


def open_tickets(limit: int = 100) -> list[Ticket]:
    """The team's open tickets, the most recently active first."""
    return list(
        db.session.scalars(
            select(Ticket)
            .where(Ticket.status == TicketStatus.OPEN)
            .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
            .limit(limit)
        )
    )


# Timeliness ---------------------------------------------------------------------------------


def answer_hours() -> dict[Priority, int]:
    """Hours to answer per priority: ANSWER_HOURS, overridden by the app's KB_ANSWER_HOURS."""
    hours = dict(ANSWER_HOURS)
    for name, value in (current_app.config.get("KB_ANSWER_HOURS") or {}).items():
        hours[Priority(name)] = int(value)
    return hours


@dataclass
class Late:
    """An open ticket past its answer time."""

    ticket: Ticket
    due_at: datetime
    late_by: timedelta
    first_response_after: timedelta | None  # None: nobody has responded yet


def due_at(ticket: Ticket, hours: dict[Priority, int] | None = None) -> datetime:
    hours = hours or answer_hours()
    return ticket.opened_at + timedelta(hours=hours[Priority(ticket.priority)])


def overdue(now: datetime | None = None) -> list[Late]:
    """Open tickets past their answer time at ``now`` (default: now), those without any
    response first, then the longest overdue."""
    now = now or utcnow()
    hours = answer_hours()
    past = [
        (Ticket.priority == priority) & (Ticket.opened_at < now - timedelta(hours=h))
        for priority, h in hours.items()
    ]
    tickets = db.session.scalars(
        select(Ticket).where(Ticket.status == TicketStatus.OPEN, or_(*past))
    )
    late = []
    for ticket in tickets:
        due = due_at(ticket, hours)
        first = ticket.first_response_at
        late.append(Late(ticket, due, now - due, first - ticket.opened_at if first else None))
    late.sort(key=lambda x: (x.first_response_after is not None, -x.late_by))
    return late


# Keeping as little as possible ------------------------------------------------------------


def purge(actor, older_than: timedelta, now: datetime | None = None) -> int:
    """Anonymise tickets resolved more than ``older_than`` ago: notes and agreements removed,
    subject and reference replaced; channel, priority, times, links and history kept.

    Returns how many tickets were anonymised. Raises Invalid for a period under one day.
    """
    if older_than < timedelta(days=1):
        raise Invalid({"older_than": _("Kies een periode van minstens één dag.")})
    now = now or utcnow()
    cutoff = now - older_than
    with unit_of_work():
        tickets = list(
            db.session.scalars(
                select(Ticket).where(
                    Ticket.status == TicketStatus.RESOLVED,
                    Ticket.resolved_at < cutoff,
                    Ticket.anonymised_at.is_(None),
                )
            )
        )
        ids = [t.id for t in tickets]
        if ids:
            db.session.execute(delete(TicketNote).where(TicketNote.ticket_id.in_(ids)))
        for ticket in tickets:
            ticket.subject = ANONYMOUS_SUBJECT
            ticket.external_ref = f"anon-{ticket.id}"
            ticket.anonymised_at = now
            _event(ticket, actor, EventKind.ANONYMISED)
        audit.record(actor, "ticket.purge", "tickets", len(ids), before=cutoff.isoformat())
    return len(ids)
