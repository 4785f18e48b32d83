"""Ticket, TicketNote, TicketEvent and ArticleRequest: the knowledge loop's data.

A ticket is a reference to a conversation in the team's helpdesk, holding as little personal data
as possible. Field rules (enums, lengths, answer times) are defined here once; the input models,
the forms and the columns read them.

How the figures fall out of these tables (for the dashboard):
- resolved ticket: ``status == resolved``; ``resolved_at`` is the latest resolution.
- linked to a document: ``document_id`` set; ``revision_number`` is the revision that was
  published when it was linked (at resolution, or when its request was fulfilled).
- resolved with a request: ``request_id`` set. Fulfilling the request keeps ``request_id`` (why)
  and adds ``document_id``/``revision_number`` (what solved it): "new" knowledge, where a ticket
  with a document and no request is "known" knowledge.
- every resolution, re-opening, link and anonymisation is a ``TicketEvent``; nothing is lost when
  a ticket is re-opened and resolved again.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, and_
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from kb.db import utcnow
from kb.documents.models import Channel, Document, Revision
from kb.extensions import Model


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class TicketStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class NoteKind(StrEnum):
    NOTE = "note"
    AGREEMENT = "agreement"  # a promise to the customer: "Afgesproken: terugbellen dinsdag 10:00"


class RequestStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    REJECTED = "rejected"


class EventKind(StrEnum):
    RESOLVED = "resolved"  # linked to a document or a request
    REOPENED = "reopened"  # the link it had is kept on the event
    LINKED = "linked"  # its request was fulfilled: now linked to that document too
    ANONYMISED = "anonymised"


PRIORITIES = tuple(Priority)
CHANNELS = tuple(Channel)
WAITING = (RequestStatus.OPEN, RequestStatus.IN_PROGRESS)  # requests still to be answered

# Hours within which a customer should have an answer, per priority (the seeds: within 24
# hours; urgent sooner). The app config KB_ANSWER_HOURS overrides any of them.
ANSWER_HOURS: dict[Priority, int] = {
    Priority.URGENT: 4,
    Priority.HIGH: 8,
    Priority.NORMAL: 24,
    Priority.LOW: 24,
}

MAX_REF = 64
REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/#:-]{0,63}$"
MAX_SUBJECT = 200
MAX_NOTE = 2000
MAX_REQUEST_TITLE = 200
MAX_DETAILS = 5000
MAX_REASON = 500
ANONYMOUS_SUBJECT = "[geanonimiseerd]"


class ArticleRequest(Model):
    """A request for a document that does not exist yet; done when one is published."""

    __tablename__ = "article_requests"
    __table_args__ = (
        CheckConstraint(
            "status != 'done' OR (document_id IS NOT NULL AND revision_number IS NOT NULL "
            "AND fulfilled_at IS NOT NULL)",
            name="done_has_document",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(MAX_REQUEST_TITLE))
    details: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.OPEN, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who closed it (fulfilled or rejected), when, and why a rejection.
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(String(MAX_REASON), default="")
    # The published document and revision that fulfilled it; fulfilled_at - created_at is the
    # time from request to publication.
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    revision_number: Mapped[int | None]
    fulfilled_at: Mapped[datetime | None]

    created_by = relationship("User", foreign_keys=[created_by_id], lazy="joined")
    document: Mapped[Document | None] = relationship(lazy="joined")
    tickets: Mapped[list["Ticket"]] = relationship(
        back_populates="request", order_by="Ticket.id", lazy="selectin"
    )

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING

    def __repr__(self) -> str:
        return f"<ArticleRequest {self.id} {self.status}>"


class Ticket(Model):
    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint(
            "(document_id IS NULL) = (revision_number IS NULL)", name="document_has_revision"
        ),
        CheckConstraint(
            "status = 'resolved' OR (document_id IS NULL AND request_id IS NULL)",
            name="open_links_nothing",
        ),
        CheckConstraint(
            "status = 'open' OR document_id IS NOT NULL OR request_id IS NOT NULL",
            name="resolved_links_something",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_ref: Mapped[str] = mapped_column(String(MAX_REF), unique=True)
    subject: Mapped[str] = mapped_column(String(MAX_SUBJECT))
    channel: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16), default=Priority.NORMAL)
    status: Mapped[str] = mapped_column(String(16), default=TicketStatus.OPEN, index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None] = mapped_column(index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    revision_number: Mapped[int | None]
    request_id: Mapped[int | None] = mapped_column(ForeignKey("article_requests.id"), index=True)
    anonymised_at: Mapped[datetime | None]

    created_by = relationship("User", foreign_keys=[created_by_id], lazy="joined")
    document: Mapped[Document | None] = relationship(lazy="joined")
    revision: Mapped[Revision | None] = relationship(
        primaryjoin=lambda: and_(
            Revision.document_id == foreign(Ticket.document_id),
            Revision.number == foreign(Ticket.revision_number),
        ),
        viewonly=True,
        uselist=False,
    )
    request: Mapped[ArticleRequest | None] = relationship(back_populates="tickets")
    notes: Mapped[list["TicketNote"]] = relationship(
        order_by="TicketNote.id", cascade="all, delete-orphan", passive_deletes=True
    )
    events: Mapped[list["TicketEvent"]] = relationship(
        order_by="TicketEvent.id", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_open(self) -> bool:
        return self.status == TicketStatus.OPEN

    @property
    def agreements(self) -> list["TicketNote"]:
        return [n for n in self.notes if n.kind == NoteKind.AGREEMENT]

    @property
    def plain_notes(self) -> list["TicketNote"]:
        return [n for n in self.notes if n.kind == NoteKind.NOTE]

    def __repr__(self) -> str:
        return f"<Ticket {self.external_ref} {self.status}>"


class TicketNote(Model):
    """A note or an agreement with the customer, in the ticket's log; written once."""

    __tablename__ = "ticket_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=NoteKind.NOTE)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User", lazy="joined")


class TicketEvent(Model):
    """One step in a ticket's history: what it was linked to, by whom, when."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    revision_number: Mapped[int | None]
    request_id: Mapped[int | None] = mapped_column(ForeignKey("article_requests.id"), index=True)

    actor = relationship("User", lazy="joined")
    document: Mapped[Document | None] = relationship(lazy="joined")
    request: Mapped[ArticleRequest | None] = relationship(lazy="joined")
