"""Read-and-acknowledge: which published revision of a script or policy an agent must confirm,
recording that confirmation, and who has (issue 18).

A document asks for it when it was published with "agents moeten dit bevestigen"
(``Document.ack_number``). Only published revisions are ever recorded or compared here.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, exists, func, select
from sqlalchemy.exc import IntegrityError

from kb.audit import service as audit
from kb.auth.models import User
from kb.db import unit_of_work
from kb.documents.models import Acknowledgement, Document, Status
from kb.documents.policy import Action, allowed, require, visible_documents
from kb.extensions import db


def required_revision(doc: Document) -> int | None:
    """The least revision an acknowledgement must cover; None: nothing to acknowledge.

    Normally ``ack_number``. Should an older revision be published again after it, the
    published one is all an agent can read, so confirming that one is enough.
    """
    if doc.ack_number is None or doc.status != Status.PUBLISHED or doc.published_number is None:
        return None
    return min(doc.ack_number, doc.published_number)


def last_acknowledged(user, doc: Document) -> Acknowledgement | None:
    """The newest revision of ``doc`` that ``user`` acknowledged, or None."""
    if getattr(user, "id", None) is None:
        return None
    return db.session.scalar(
        select(Acknowledgement)
        .where(Acknowledgement.document_id == doc.id, Acknowledgement.user_id == user.id)
        .order_by(Acknowledgement.revision_number.desc())
        .limit(1)
    )


def pending_for(user, doc: Document) -> bool:
    """Must ``user`` still confirm having read ``doc``'s published revision?"""
    if not allowed(user, Action.ACKNOWLEDGE):
        return False
    need = required_revision(doc)
    if need is None:
        return False
    last = last_acknowledged(user, doc)
    return last is None or last.revision_number < need


def acknowledge(doc: Document, actor) -> Acknowledgement | None:
    """Record that ``actor`` read ``doc``'s published revision.

    Idempotent: when the actor's acknowledgements already cover what the document asks, that
    acknowledgement is returned and nothing is written. Returns None when the document asks
    nothing (no acknowledgement requested, or not published). Raises Unauthorized or
    Forbidden for roles that may not acknowledge.
    """
    require(actor, Action.ACKNOWLEDGE)
    if required_revision(doc) is None:
        return None
    if not pending_for(actor, doc):
        return last_acknowledged(actor, doc)
    number = doc.published_number
    try:
        with unit_of_work():
            ack = Acknowledgement(document_id=doc.id, user_id=actor.id, revision_number=number)
            db.session.add(ack)
            db.session.flush()
            audit.record(actor, "document.acknowledge", "document", doc.slug, revision=number)
    except IntegrityError:  # a second click or tab recorded the same revision just now
        return last_acknowledged(actor, doc)
    return ack


@dataclass
class Overview:
    """Who confirmed the revision a document asks for, and who has not yet."""

    revision: int | None
    acknowledged: list[tuple[User, datetime]] = field(default_factory=list)
    pending: list[User] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.acknowledged) + len(self.pending)


def _acknowledgers() -> list[User]:
    """Active accounts whose role acknowledges (agents and up), by name."""
    users = db.session.scalars(select(User).where(User.is_active.is_(True)))
    return sorted(
        (u for u in users if allowed(u, Action.ACKNOWLEDGE)),
        key=lambda u: (u.display_name.casefold(), u.id),
    )


def who_acknowledged(doc: Document) -> Overview:
    """Active agents and up, split into those whose acknowledgement covers the revision the
    document asks for (with when) and those who have not confirmed it yet. Names and dates
    only: the page and the API show no scores. The caller checks Action.REVIEW."""
    need = required_revision(doc)
    if need is None:
        return Overview(revision=None)
    rows = db.session.execute(
        select(Acknowledgement.user_id, func.max(Acknowledgement.created_at))
        .where(Acknowledgement.document_id == doc.id, Acknowledgement.revision_number >= need)
        .group_by(Acknowledgement.user_id)
    ).all()
    when = {user_id: at for user_id, at in rows}
    overview = Overview(revision=doc.published_number)
    for user in _acknowledgers():
        if user.id in when:
            overview.acknowledged.append((user, when[user.id]))
        else:
            overview.pending.append(user)
    return overview


def pending_documents(user, limit: int = 10) -> list[Document]:
    """Published documents ``user`` may read and must still acknowledge, newest first."""
    if not allowed(user, Action.ACKNOWLEDGE) or getattr(user, "id", None) is None:
        return []
    # required_revision() in SQL: the least of ack_number and published_number.
    need = case(
        (Document.ack_number < Document.published_number, Document.ack_number),
        else_=Document.published_number,
    )
    covered = exists().where(
        Acknowledgement.document_id == Document.id,
        Acknowledgement.user_id == user.id,
        Acknowledgement.revision_number >= need,
    )
    return list(
        db.session.scalars(
            visible_documents(user)
            .where(
                Document.status == Status.PUBLISHED,
                Document.ack_number.is_not(None),
                Document.published_number.is_not(None),
                ~covered,
            )
            .order_by(Document.published_at.desc(), Document.id.desc())
            .limit(limit)
        )
    )
