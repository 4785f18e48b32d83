"""Votes and comments: who may leave them is decided by the caller's visibility and role."""

from flask_babel import gettext as _
from sqlalchemy import func, update

from kb.audit import service as audit
from kb.db import unit_of_work, utcnow
from kb.documents.models import Document, Status
from kb.documents.policy import Action, load_for, require
from kb.errors import Invalid, NotFound
from kb.extensions import db
from kb.feedback.models import MAX_WANTED, Comment, SuggestionStatus, Vote
from kb.feedback.schemas import AcceptInput, CloseInput, CommentCreate, VoteFollowUp
from kb.search.privacy import mask


def vote(doc: Document, helpful: bool) -> Vote:
    """Record one helpfulness vote on the published revision the reader saw; no actor is kept.

    Raises NotFound for a document that is not published (drafts have no readers to ask).
    """
    if doc.status != Status.PUBLISHED:
        raise NotFound(_("Alleen over gepubliceerde documenten kunt u stemmen."))
    with unit_of_work():
        v = Vote(document_id=doc.id, revision_number=doc.published_number, is_helpful=bool(helpful))
        db.session.add(v)
        audit.record(None, "document.vote", "document", doc.slug, helpful=bool(helpful))
    return v


def follow_up(doc: Document, vote_id: int, data: VoteFollowUp) -> bool:
    """Store what the reader of a "Nee" vote was looking for, masked like the search log
    (e-mail, phone, IBAN, postcode, customer numbers) and cut to MAX_WANTED characters.

    Only a "Nee" on ``doc`` that has no answer yet takes one; returns whether it did (an
    empty answer stores nothing). Raises nothing of its own.
    """
    wanted = mask(data.wanted)[:MAX_WANTED].strip()
    if not wanted:
        return False
    with unit_of_work():
        stored = db.session.execute(
            update(Vote)
            .where(
                Vote.id == vote_id,
                Vote.document_id == doc.id,
                Vote.is_helpful.is_(False),
                Vote.wanted == "",
            )
            .values(wanted=wanted)
            .execution_options(synchronize_session=False)
        )
        done = getattr(stored, "rowcount", 0) == 1
        if done:  # the text itself stays out of the audit log
            audit.record(None, "document.vote_followup", "document", doc.slug, vote=vote_id)
    return done


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


def add_comment(doc: Document, actor, data: CommentCreate) -> Comment:
    """Comment or suggest a change. Raises Unauthorized (anonymous) or Forbidden."""
    require(actor, Action.COMMENT)
    with unit_of_work():
        comment = Comment(
            document_id=doc.id,
            author_id=actor.id,
            kind=data.kind,
            body=data.body,
            revision_number=doc.current_number,
        )
        db.session.add(comment)
        db.session.flush()
        audit.record(
            actor, "comment.create", "document", doc.slug, comment=comment.id, kind=data.kind
        )
    return comment


def comments_for(doc: Document) -> list[Comment]:
    return list(
        db.session.scalars(
            db.select(Comment).where(Comment.document_id == doc.id).order_by(Comment.id)
        )
    )


def settle(
    comment: Comment,
    actor,
    status: SuggestionStatus,
    *,
    reason: str = "",
    revision: int | None = None,
) -> Comment:
    """Accept a comment or suggestion into revision ``revision``, or close it with a reason,
    or reopen it (status OPEN). Its author sees the outcome on the document. Raises Forbidden
    (editors and up handle suggestions, on documents they may edit)."""
    require(actor, Action.HANDLE_SUGGESTIONS)
    require(actor, Action.EDIT, db.session.get_one(Document, comment.document_id))
    with unit_of_work():
        comment.status = status
        comment.reason = reason.strip() if status == SuggestionStatus.CLOSED else ""
        comment.accepted_revision = revision if status == SuggestionStatus.ACCEPTED else None
        opened = status == SuggestionStatus.OPEN
        comment.handled_by_id = None if opened else actor.id
        comment.handled_at = None if opened else utcnow()
        audit.record(
            actor,
            f"comment.{status}",
            "comment",
            comment.id,
            document=comment.document_id,
            revision=comment.accepted_revision,
            reason=comment.reason,
        )
    return comment


def comment_for(user, comment_id: int, action: Action = Action.READ) -> Comment:
    """The comment ``comment_id`` if ``user`` may do ``action`` to its document (see
    policy.load_for). Raises NotFound (no such comment, or its document is not the user's to
    read: the comment does not exist for them) or Forbidden."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound()
    slug = db.session.scalar(db.select(Document.slug).where(Document.id == comment.document_id))
    load_for(user, slug or "", action)
    return comment


def close(comment: Comment, actor, data: CloseInput) -> Comment:
    """Close an open (or accepted) comment or suggestion with a reason its author will read.
    Raises Forbidden."""
    return settle(comment, actor, SuggestionStatus.CLOSED, reason=data.reason)


def reopen(comment: Comment, actor) -> Comment:
    """Put a handled comment or suggestion back in the inbox. Raises Forbidden."""
    return settle(comment, actor, SuggestionStatus.OPEN)


def accept(comment: Comment, actor, data: AcceptInput) -> Comment:
    """Mark a suggestion as taken into revision ``data.revision`` of its document. Raises
    Forbidden, or Invalid when the document has no such revision."""
    doc = db.session.get_one(Document, comment.document_id)
    if data.revision > doc.current_number:
        raise Invalid({"revision": _("Dit document heeft geen revisie %(n)d.", n=data.revision)})
    return settle(comment, actor, SuggestionStatus.ACCEPTED, revision=data.revision)
