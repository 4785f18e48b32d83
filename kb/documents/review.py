"""Review before publish: submit a revision, approve (publishes it), return, withdraw; what
the pages and the API list. The per-category settings live in review_settings.

Where policy.review_required() says so, an editor cannot publish: service.publish() refuses and
the editor submits here; a supervisor's approval publishes. A supervisor who publishes directly
is recorded as an approval too (settle_on_publish), so the history says who approved what.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from kb.audit import service as audit
from kb.auth.models import Role
from kb.db import unit_of_work, utcnow
from kb.documents import service
from kb.documents.forms import ROLE_LABELS
from kb.documents.models import (
    MAX_REVIEW_COMMENT,
    POLICY_CATEGORY,
    Channel,
    Document,
    Kind,
    Review,
    ReviewStatus,
    Revision,
    Status,
)
from kb.documents.policy import (
    Action,
    allowed,
    require,
    review_required,
    visible_documents,
)
from kb.errors import Forbidden, Invalid, NotFound
from kb.extensions import db


def needs_review(revision: Revision) -> bool:
    """Does publishing this revision need a supervisor (its own category and channel)?"""
    return review_required(revision.category, revision.channel)


def may_publish(actor, doc: Document, revision: Revision) -> bool:
    """May ``actor`` publish ``revision`` without a review?"""
    return allowed(actor, Action.EDIT, doc) and (
        allowed(actor, Action.REVIEW) or not needs_review(revision)
    )


def acknowledge_default(doc: Document, revision: Revision) -> bool:
    """ "Agents moeten dit bevestigen" is ticked by default for scripts and policy."""
    return doc.kind == Kind.SCRIPT or revision.category == POLICY_CATEGORY


def _check_text(name: str, text: str, required: bool = False) -> str:
    text = (text or "").strip()
    if required and not text:
        raise Invalid({name: _("Schrijf erbij wat er anders moet.")})
    if len(text) > MAX_REVIEW_COMMENT:
        raise Invalid({name: _("Hoogstens %(n)d tekens.", n=MAX_REVIEW_COMMENT)})
    return text


def _pending_for(doc: Document) -> list[Review]:
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.document_id == doc.id, Review.status == ReviewStatus.PENDING)
            .order_by(Review.id)
        )
    )


def _decide(review: Review, actor, status: ReviewStatus, comment: str = "") -> None:
    review.status = status
    review.decided_by_id = getattr(actor, "id", None)
    review.decided_at = utcnow()
    review.comment = comment


def submit(
    doc: Document, actor, revision: int | None = None, note: str = "", acknowledge: bool = False
) -> Review:
    """Submit a revision (default: the current one) for review; an older pending submission
    of this document is withdrawn. Raises Forbidden (no right to edit or submit), NotFound (no
    such revision), Invalid (already published, no review needed here, note too long)."""
    require(actor, Action.EDIT, doc)
    require(actor, Action.SUBMIT_REVIEW, doc)
    rev = service.get_revision(doc, revision or doc.current_number)
    note = _check_text("note", note)
    if doc.status == Status.PUBLISHED and doc.published_number == rev.number:
        raise Invalid({"revision": _("Revisie %(n)d is al gepubliceerd.", n=rev.number)})
    if not needs_review(rev):
        raise Invalid(
            {"revision": _("Hier is geen beoordeling nodig: u kunt het document zelf publiceren.")}
        )
    with unit_of_work():
        for older in _pending_for(doc):
            _decide(older, actor, ReviewStatus.WITHDRAWN)
            audit.record(
                actor, "review.withdraw", "review", older.id, document=doc.slug, replaced=True
            )
        review = Review(
            document_id=doc.id,
            revision_number=rev.number,
            status=ReviewStatus.PENDING,
            acknowledge=acknowledge,
            submitted_by_id=actor.id,
            submitted_at=utcnow(),
            note=note,
        )
        db.session.add(review)
        db.session.flush()
        audit.record(
            actor,
            "review.submit",
            "review",
            review.id,
            document=doc.slug,
            revision=rev.number,
            acknowledge=acknowledge,
        )
    return review


def approve(review: Review, actor, comment: str = "", acknowledge: bool | None = None) -> Review:
    """Approve a pending review: its revision is published (``acknowledge``, default the
    submitter's wish, asks agents to confirm it). Raises Forbidden (not a reviewer, or may
    not edit the document), Invalid (not pending, comment too long), NotFound."""
    require(actor, Action.REVIEW)
    comment = _check_text("comment", comment)
    _check_pending(review)
    doc = review.document
    ack = review.acknowledge if acknowledge is None else acknowledge
    with unit_of_work():
        _decide(review, actor, ReviewStatus.APPROVED, comment)
        review.acknowledge = ack
        audit.record(
            actor,
            "review.approve",
            "review",
            review.id,
            document=doc.slug,
            revision=review.revision_number,
            acknowledge=ack,
        )
        # Publishing sees this approval, so it records no second one.
        service.publish(doc, actor, review.revision_number, acknowledge=ack)
    return review


def return_(review: Review, actor, comment: str) -> Review:
    """Send a pending review back to its editor with a comment (required). Raises Forbidden,
    Invalid (no comment, not pending)."""
    require(actor, Action.REVIEW)
    comment = _check_text("comment", comment, required=True)
    _check_pending(review)
    with unit_of_work():
        _decide(review, actor, ReviewStatus.RETURNED, comment)
        audit.record(
            actor,
            "review.return",
            "review",
            review.id,
            document=review.document.slug,
            revision=review.revision_number,
        )
    return review


def withdraw(review: Review, actor) -> Review:
    """The submitter takes a pending review back. Raises Forbidden (someone else's), Invalid
    (not pending)."""
    if review.submitted_by_id is None or review.submitted_by_id != getattr(actor, "id", None):
        raise Forbidden(_("Alleen wie het indiende kan het intrekken."))
    _check_pending(review)
    with unit_of_work():
        _decide(review, actor, ReviewStatus.WITHDRAWN)
        audit.record(
            actor,
            "review.withdraw",
            "review",
            review.id,
            document=review.document.slug,
            revision=review.revision_number,
        )
    return review


def _check_pending(review: Review) -> None:
    if review.status != ReviewStatus.PENDING:
        raise Invalid({"review": _("Deze inzending is al afgehandeld.")})


def settle_on_publish(doc: Document, actor, number: int, acknowledge: bool) -> None:
    """Bring the reviews in line with publishing revision ``number`` (inside publish's unit of
    work). Pending reviews of older revisions are withdrawn: the document moved past them. A
    pending review of this revision is approved when ``actor`` reviews, else withdrawn. A
    reviewer publishing in a review place without a submission is recorded as an approval,
    once per revision; kb itself (the import) approves nothing."""
    reviewer = allowed(actor, Action.REVIEW) and not getattr(actor, "is_system", False)
    for review in _pending_for(doc):
        if review.revision_number > number:
            continue  # a newer revision still waits for its turn
        if review.revision_number == number and reviewer:
            _decide(review, actor, ReviewStatus.APPROVED)
            review.acknowledge = acknowledge
            event = "review.approve"
        else:
            _decide(review, actor, ReviewStatus.WITHDRAWN)
            event = "review.withdraw"
        audit.record(
            actor, event, "review", review.id, document=doc.slug, revision=review.revision_number
        )
    if not reviewer or not needs_review(service.get_revision(doc, number)):
        return
    db.session.flush()
    approved = db.session.scalar(
        select(Review.id).where(
            Review.document_id == doc.id,
            Review.revision_number == number,
            Review.status == ReviewStatus.APPROVED,
        )
    )
    if approved is not None:
        return
    now = utcnow()
    review = Review(
        document_id=doc.id,
        revision_number=number,
        status=ReviewStatus.APPROVED,
        acknowledge=acknowledge,
        submitted_by_id=actor.id,
        submitted_at=now,
        decided_by_id=actor.id,
        decided_at=now,
    )
    db.session.add(review)
    db.session.flush()
    audit.record(
        actor,
        "review.approve",
        "review",
        review.id,
        document=doc.slug,
        revision=number,
        acknowledge=acknowledge,
        direct=True,
    )


# Reading -----------------------------------------------------------------------------------


def get_for(actor, review_id: int) -> Review:
    """A review ``actor`` may see: reviewers see all, editors their own. Raises NotFound."""
    review = db.session.scalar(
        select(Review)
        .join(Document, Review.document_id == Document.id)
        .where(Review.id == review_id, Document.id.in_(_visible_ids(actor)))
    )
    if review is None or not _sees(actor, review):
        raise NotFound()
    return review


def _visible_ids(actor):
    return visible_documents(actor).with_only_columns(Document.id)


def _sees(actor, review: Review) -> bool:
    if allowed(actor, Action.REVIEW):
        return True
    return allowed(actor, Action.SUBMIT_REVIEW) and review.submitted_by_id == actor.id


def _latest_ids():
    return select(func.max(Review.id)).group_by(Review.document_id)


def pending(actor, status: ReviewStatus | None = ReviewStatus.PENDING) -> list[Review]:
    """Reviews for the "Te beoordelen" list, oldest first. Reviewers see every one; editors
    their own. For ``returned``, only the documents' latest review counts: a returned review
    that was submitted again is done. Raises NotFound for those who take no part in review."""
    query = _listing(actor, status).order_by(Review.submitted_at, Review.id)
    return list(db.session.scalars(query))


def _listing(actor, status: ReviewStatus | None):
    if not allowed(actor, Action.SUBMIT_REVIEW):
        raise NotFound()
    query = (
        select(Review)
        .join(Document, Review.document_id == Document.id)
        .where(Document.id.in_(_visible_ids(actor)))
    )
    if status is not None:
        query = query.where(Review.status == status)
    if status == ReviewStatus.RETURNED:
        query = query.where(Review.id.in_(_latest_ids()))
    if not allowed(actor, Action.REVIEW):
        query = query.where(Review.submitted_by_id == actor.id)
    return query


def count_waiting(actor) -> int:
    """The nav's count: pending reviews for a reviewer, returned ones for an editor."""
    if not allowed(actor, Action.SUBMIT_REVIEW):
        return 0
    status = ReviewStatus.PENDING if allowed(actor, Action.REVIEW) else ReviewStatus.RETURNED
    counted = select(func.count()).select_from(_listing(actor, status).subquery())
    return db.session.scalar(counted) or 0


def latest(doc: Document) -> Review | None:
    """The document's most recent review, of any status."""
    return db.session.scalar(
        select(Review).where(Review.document_id == doc.id).order_by(Review.id.desc()).limit(1)
    )


def for_document(doc: Document) -> list[Review]:
    """All reviews of a document, newest first (the history page)."""
    return list(
        db.session.scalars(
            select(Review).where(Review.document_id == doc.id).order_by(Review.id.desc())
        )
    )


@dataclass(frozen=True)
class State:
    """What the document page's editor bar says about review for one user."""

    required: bool  # the current revision's place needs review
    may_publish: bool
    may_submit: bool
    pending: Review | None
    returned: Review | None  # the latest review, when it was sent back
    acknowledge: bool  # the default of "Agents moeten dit bevestigen"


def state(doc: Document, actor) -> State:
    current = doc.current
    required = needs_review(current)
    last = latest(doc)
    published = doc.published_number if doc.status == Status.PUBLISHED else None
    if last is not None and last.revision_number < (published or 0):
        last = None  # published since: what was said about an older revision is done
    return State(
        required=required,
        may_publish=may_publish(actor, doc, current),
        may_submit=required
        and allowed(actor, Action.EDIT, doc)
        and allowed(actor, Action.SUBMIT_REVIEW),
        pending=last if last is not None and last.status == ReviewStatus.PENDING else None,
        returned=last if last is not None and last.status == ReviewStatus.RETURNED else None,
        acknowledge=acknowledge_default(doc, current),
    )


def why_not_editable(doc: Document) -> str:
    """Why someone who reads drafts may not edit this document, in a sentence."""
    if doc.min_edit_role == Role.SUPERVISOR and doc.category == POLICY_CATEGORY:
        return _("Alleen supervisors bewerken beleid.")
    if doc.min_edit_role == Role.SUPERVISOR and doc.channel == Channel.ESCALATION:
        return _("Alleen supervisors bewerken escalatiescripts.")
    role = str(ROLE_LABELS[Role(doc.min_edit_role)]).lower()
    return _("Alleen een %(role)s mag dit document bewerken.", role=role)
