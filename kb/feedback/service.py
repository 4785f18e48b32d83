"""Votes and comments: who may leave them is decided by the caller's visibility and role."""

from flask_babel import gettext as _
from sqlalchemy import func

from kb.audit import service as audit
from kb.db import unit_of_work
from kb.documents.models import Document
from kb.documents.policy import can_comment
from kb.errors import Forbidden, Invalid
from kb.extensions import db
from kb.feedback.models import COMMENT_KINDS, Comment, Vote

MAX_COMMENT = 5000


def vote(doc: Document, helpful: bool) -> Vote:
    """Record one helpfulness vote on the revision the reader saw. Anonymous: no actor kept."""
    with unit_of_work():
        v = Vote(document_id=doc.id, revision_number=doc.published_number, is_helpful=bool(helpful))
        db.session.add(v)
        audit.record(None, "document.vote", "document", doc.slug, helpful=bool(helpful))
    return v


def vote_counts(doc: Document) -> dict[str, int]:
    rows = db.session.execute(
        db.select(Vote.is_helpful, func.count())
        .where(Vote.document_id == doc.id)
        .group_by(Vote.is_helpful)
    ).all()
    counts = {"ja": 0, "nee": 0}
    for helpful, n in rows:
        counts["ja" if helpful else "nee"] = n
    return counts


def add_comment(doc: Document, actor, body: str, kind: str = "comment") -> Comment:
    """Comment or suggest a change. Raises Forbidden (anonymous) or Invalid (empty, too long)."""
    if not can_comment(actor):
        raise Forbidden(_("Log in om te reageren."))
    body = (body or "").strip()
    errors = {}
    if not body:
        errors["body"] = _("Schrijf een reactie.")
    elif len(body) > MAX_COMMENT:
        errors["body"] = _("Een reactie is hoogstens %(n)d tekens.", n=MAX_COMMENT)
    if kind not in COMMENT_KINDS:
        errors["kind"] = _("Kies een van: %(options)s.", options=", ".join(COMMENT_KINDS))
    if errors:
        raise Invalid(errors)
    with unit_of_work():
        comment = Comment(
            document_id=doc.id,
            author_id=actor.id,
            kind=kind,
            body=body,
            revision_number=doc.current_number,
        )
        db.session.add(comment)
        db.session.flush()
        audit.record(actor, "comment.create", "document", doc.slug, comment=comment.id, kind=kind)
    return comment


def comments_for(doc: Document) -> list[Comment]:
    return list(
        db.session.scalars(
            db.select(Comment).where(Comment.document_id == doc.id).order_by(Comment.id)
        )
    )
