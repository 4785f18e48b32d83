"""/api/v1 review before publish: submit a revision, list reviews, approve, return, withdraw.

Editors submit and see their own submissions; supervisors see every one and decide. For agents
and anonymous callers the list does not exist (404); deciding needs the REVIEW right (403).
"""

from datetime import datetime

from flask import url_for
from pydantic import BaseModel, ConfigDict, Field

from kb.api import api_user, bp
from kb.api.spec import operation
from kb.documents import review
from kb.documents.models import MAX_REVIEW_COMMENT, Review, ReviewStatus
from kb.documents.policy import Action, load_for


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReviewSubmit(Strict):
    revision: int | None = Field(default=None, ge=1, description="Default: the current one.")
    note: str = Field(default="", max_length=MAX_REVIEW_COMMENT)
    acknowledge: bool = Field(
        default=False, description="Ask that agents confirm the revision once published."
    )


class ReviewApprove(Strict):
    comment: str = Field(default="", max_length=MAX_REVIEW_COMMENT)
    acknowledge: bool | None = Field(
        default=None, description="Agents must confirm it; default: what the submitter asked."
    )


class ReviewReturn(Strict):
    comment: str = Field(min_length=1, max_length=MAX_REVIEW_COMMENT)


class ReviewQuery(Strict):
    status: ReviewStatus = ReviewStatus.PENDING


class ReviewOut(BaseModel):
    id: int
    document: str
    title: str
    revision: int
    current_revision: int
    published_revision: int | None
    outdated: bool = Field(description="The document has moved past this revision since.")
    status: ReviewStatus
    acknowledge: bool
    note: str
    submitted_by: str | None
    submitted_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    comment: str
    url: str


class ReviewList(BaseModel):
    items: list[ReviewOut]
    total: int


def _out(item: Review) -> ReviewOut:
    doc = item.document
    return ReviewOut(
        id=item.id,
        document=doc.slug,
        title=doc.title,
        revision=item.revision_number,
        current_revision=doc.current_number,
        published_revision=doc.published_number,
        outdated=item.revision_number < doc.current_number,
        status=ReviewStatus(item.status),
        acknowledge=item.acknowledge,
        note=item.note,
        submitted_by=item.submitted_by.email if item.submitted_by else None,
        submitted_at=item.submitted_at,
        decided_by=item.decided_by.email if item.decided_by else None,
        decided_at=item.decided_at,
        comment=item.comment,
        url=url_for("review.show", review_id=item.id, _external=True),
    )


@operation(
    bp,
    "/documents/<slug>/reviews",
    "POST",
    summary="Submit a revision for review (editors, where review is on)",
    tag="review",
    body=ReviewSubmit,
    response=ReviewOut,
    status=201,
    errors=(401, 403, 404, 422),
    requires=Action.SUBMIT_REVIEW,
)
def submit_review(slug: str, body: ReviewSubmit):
    doc = load_for(api_user(), slug, Action.EDIT)
    item = review.submit(
        doc, api_user(), body.revision, note=body.note, acknowledge=body.acknowledge
    )
    return _out(item)


@operation(
    bp,
    "/reviews",
    "GET",
    summary="Reviews by status: supervisors see all, editors their own (others get 404)",
    tag="review",
    query=ReviewQuery,
    response=ReviewList,
    errors=(401, 404, 422),
    hidden=Action.SUBMIT_REVIEW,
)
def list_reviews(query: ReviewQuery):
    items = review.pending(api_user(), query.status)
    return ReviewList(items=[_out(i) for i in items], total=len(items))


@operation(
    bp,
    "/reviews/<int:review_id>",
    "GET",
    summary="One review (supervisors; editors their own)",
    tag="review",
    response=ReviewOut,
    errors=(401, 404),
    hidden=Action.SUBMIT_REVIEW,
)
def get_review(review_id: int):
    return _out(review.get_for(api_user(), review_id))


@operation(
    bp,
    "/reviews/<int:review_id>/approve",
    "POST",
    summary="Approve and publish the submitted revision (supervisors)",
    tag="review",
    body=ReviewApprove,
    response=ReviewOut,
    errors=(401, 403, 404, 422),
    requires=Action.REVIEW,
)
def approve_review(review_id: int, body: ReviewApprove):
    item = review.get_for(api_user(), review_id)
    return _out(review.approve(item, api_user(), body.comment, acknowledge=body.acknowledge))


@operation(
    bp,
    "/reviews/<int:review_id>/return",
    "POST",
    summary="Send the revision back to its editor with a comment (supervisors)",
    tag="review",
    body=ReviewReturn,
    response=ReviewOut,
    errors=(401, 403, 404, 422),
    requires=Action.REVIEW,
)
def return_review(review_id: int, body: ReviewReturn):
    item = review.get_for(api_user(), review_id)
    return _out(review.return_(item, api_user(), body.comment))


@operation(
    bp,
    "/reviews/<int:review_id>/withdraw",
    "POST",
    summary="Take back one's own pending submission",
    tag="review",
    response=ReviewOut,
    errors=(401, 403, 404, 422),
    requires=Action.SUBMIT_REVIEW,
)
def withdraw_review(review_id: int):
    item = review.get_for(api_user(), review_id)
    return _out(review.withdraw(item, api_user()))
