"""Editorial ownership: who keeps a document true (its owner) and by when it must be checked
again (verify_by). Writes for owners and dates, and the lists of "Mijn documenten".

Every list starts from the policy's gate (visible_documents), so a document the user may not
read is never listed or counted.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, func

from kb.audit import service as audit
from kb.audit.models import AuditEvent
from kb.auth.models import ROLES, User
from kb.db import unit_of_work, utcnow
from kb.documents.models import Document, Status
from kb.documents.policy import Action, allowed, require, visible_documents
from kb.errors import Invalid
from kb.extensions import db
from kb.feedback.models import Comment, SuggestionStatus, Vote

DEFAULT_MONTHS = 6  # "Gecontroleerd" on a document without a date: check again in 6 months
NOT_HELPFUL_DAYS = 90  # "niet nuttig" votes of this many days count on "Mijn documenten"
VERIFY_EVENTS = ("document.verify_by", "document.verified")


def today() -> date:
    return utcnow().date()


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_overdue(doc: Document) -> bool:
    return doc.verify_by is not None and doc.verify_by <= today()


class _RoleProbe:
    """Someone with only a role, so the policy (not this module) says which roles may edit."""

    is_authenticated = True

    def __init__(self, role: str) -> None:
        self.role = role


def _editing_roles(doc: Document) -> list[str]:
    return [role for role in ROLES if allowed(_RoleProbe(role), Action.EDIT, doc)]


def candidates(doc: Document) -> list[User]:
    """The people who may own ``doc``: active accounts that may edit it, by name."""
    return list(
        db.session.scalars(
            db.select(User)
            .where(User.is_active.is_(True), User.role.in_(_editing_roles(doc)))
            .order_by(func.lower(User.name), User.email)
        )
    )


def set_owner(doc: Document, actor, user: User) -> Document:
    """Make ``user`` the owner of ``doc``. Raises Forbidden (``actor`` may not edit ``doc``)
    or Invalid (``user`` is inactive or may not edit ``doc`` themselves)."""
    require(actor, Action.EDIT, doc)
    if not user.is_active or not allowed(user, Action.EDIT, doc):
        raise Invalid({"owner": _("De eigenaar moet dit document zelf mogen bewerken.")})
    if doc.owner_id == user.id:
        return doc
    with unit_of_work():
        before = doc.owner_id
        doc.owner_id = user.id
        doc.owner = user
        audit.record(actor, "document.owner", "document", doc.slug, owner=user.id, before=before)
    return doc


def set_verify_by(doc: Document, actor, when: date | None) -> Document:
    """Set (or clear, with None) the date by which ``doc`` must be checked again. Raises
    Forbidden (``actor`` may not edit ``doc``) or Invalid (a date in the past)."""
    require(actor, Action.EDIT, doc)
    if doc.verify_by == when:
        return doc  # an overdue date left as it was is no new date in the past
    if when is not None and when < today():
        raise Invalid({"verify_by": _("Kies vandaag of een datum in de toekomst.")})
    with unit_of_work():
        before = doc.verify_by
        doc.verify_by = when
        audit.record(
            actor,
            "document.verify_by",
            "document",
            doc.slug,
            verify_by=when.isoformat() if when else None,
            before=before.isoformat() if before else None,
        )
    return doc


def _interval_start(doc: Document) -> date:
    """When the current verify_by date was chosen: the last verification or date change."""
    last = db.session.scalar(
        db.select(func.max(AuditEvent.created_at)).where(
            AuditEvent.action.in_(VERIFY_EVENTS),
            AuditEvent.target_type == "document",
            AuditEvent.target_id == doc.slug,
        )
    )
    moments = [m for m in (last, doc.verified_at) if m is not None]
    return max(moments).date() if moments else doc.created_at.date()


def next_verify_by(doc: Document) -> date:
    """The date "Gecontroleerd" moves verify_by to: today plus the interval the current date
    was set for, or DEFAULT_MONTHS when there is no date (or no interval to speak of)."""
    now = today()
    if doc.verify_by is not None:
        days = (doc.verify_by - _interval_start(doc)).days
        if days >= 1:
            return now + timedelta(days=days)
    return add_months(now, DEFAULT_MONTHS)


def mark_verified(doc: Document, actor) -> Document:
    """The owner (or any editor who may edit it) confirms ``doc`` is still right: verified_at
    is now and verify_by moves forward by the same interval. Raises Forbidden."""
    require(actor, Action.EDIT, doc)
    following = next_verify_by(doc)
    with unit_of_work():
        before = doc.verify_by
        doc.verified_at = utcnow()
        doc.verify_by = following
        audit.record(
            actor,
            "document.verified",
            "document",
            doc.slug,
            verify_by=following.isoformat(),
            before=before.isoformat() if before else None,
        )
    return doc


# ---- "Mijn documenten" ------------------------------------------------------------------


def owned(user) -> Select:
    """The documents ``user`` owns and may read, as a query to filter further."""
    return visible_documents(user).where(Document.owner_id == getattr(user, "id", None))


def due(user) -> list[Document]:
    """The user's documents (not archived) whose verify-by date is today or past, oldest first."""
    return list(
        db.session.scalars(
            owned(user)
            .where(Document.verify_by <= today(), Document.status != Status.ARCHIVED)
            .order_by(Document.verify_by, Document.slug)
        )
    )


def flagged(user) -> dict[int, int]:
    """Document id -> open comments and suggestions, for the user's documents."""
    ids = owned(user).with_only_columns(Document.id).scalar_subquery()
    rows = db.session.execute(
        db.select(Comment.document_id, func.count())
        .where(Comment.status == SuggestionStatus.OPEN, Comment.document_id.in_(ids))
        .group_by(Comment.document_id)
    )
    return dict(rows.tuples().all())


def not_helpful(user, days: int = NOT_HELPFUL_DAYS) -> dict[int, int]:
    """Document id -> "niet nuttig" votes of the last ``days`` days, for the user's documents."""
    since: datetime = utcnow() - timedelta(days=days)
    ids = owned(user).with_only_columns(Document.id).scalar_subquery()
    rows = db.session.execute(
        db.select(Vote.document_id, func.count())
        .where(Vote.is_helpful.is_(False), Vote.created_at >= since, Vote.document_id.in_(ids))
        .group_by(Vote.document_id)
    )
    return dict(rows.tuples().all())


def unowned(user, limit: int = 20) -> tuple[int, list[Document]]:
    """Documents without an owner (not archived): how many ``user`` reads, and the first
    ``limit`` of them (by title) that ``user`` may edit and so may take on."""
    query = visible_documents(user).where(
        Document.owner_id.is_(None), Document.status != Status.ARCHIVED
    )
    total = db.session.scalar(query.with_only_columns(func.count()).order_by(None)) or 0
    docs = db.session.scalars(query.order_by(Document.title, Document.id).limit(limit * 5))
    return total, [d for d in docs if allowed(user, Action.EDIT, d)][:limit]


@dataclass
class Attention:
    """One of the user's documents that needs a look, and why."""

    doc: Document
    overdue: bool = False
    open_items: int = 0
    not_helpful: int = 0


@dataclass
class MyDocuments:
    attention: list[Attention] = field(default_factory=list)
    owned: list[Document] = field(default_factory=list)
    unowned_total: int = 0
    unowned: list[Document] = field(default_factory=list)


def my_documents(user) -> MyDocuments:
    """What "Mijn documenten" shows: the user's documents that are due for verification, have
    open comments or suggestions, or were rated "niet nuttig" lately; then all they own."""
    everything = list(db.session.scalars(owned(user).order_by(Document.title, Document.id)))
    overdue = {d.id for d in due(user)}
    opened, rated = flagged(user), not_helpful(user)
    attention = [
        Attention(d, d.id in overdue, opened.get(d.id, 0), rated.get(d.id, 0))
        for d in everything
        if d.id in overdue or opened.get(d.id) or rated.get(d.id)
    ]
    attention.sort(
        key=lambda a: (
            not a.overdue,
            a.doc.verify_by or date.max,
            -(a.open_items + a.not_helpful),
            a.doc.title,
        )
    )
    return MyDocuments(attention, everything, *unowned(user))


def update(doc: Document, actor, *, owner: User | None, verify_by: date | None) -> Document:
    """The editor bar's form: a new owner (None: unchanged) and the verify-by date (None:
    none), in one unit of work. Raises Forbidden or Invalid as set_owner and set_verify_by."""
    with unit_of_work():
        if owner is not None:
            set_owner(doc, actor, owner)
        set_verify_by(doc, actor, verify_by)
    return doc
