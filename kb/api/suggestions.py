"""The suggestion inbox as JSON: a document's comments with what became of them (agents and
up, documents they read), the open list, close with a reason, accept into a revision (editors
and up; for anyone else these do not exist: 404)."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from kb.api import api_user, bp
from kb.api.schemas import CommentOut
from kb.api.spec import operation
from kb.documents.models import Document
from kb.documents.policy import Action, load_for, sees_drafts
from kb.extensions import db
from kb.feedback import inbox, service
from kb.feedback.models import Comment, CommentKind, SuggestionStatus
from kb.feedback.schemas import AcceptInput, CloseInput


class CommentStatusOut(CommentOut):
    """A comment or suggestion and its outcome: open, accepted into a revision, or closed."""

    author: str | None  # type: ignore[assignment]  # None once the account is gone
    title: str = Field(description="The document's title as the caller reads it.")
    status: SuggestionStatus
    reason: str = Field(description="Why it was closed; empty otherwise.")
    handled_by: str | None = Field(description="Who accepted or closed it.")
    handled_at: datetime | None
    accepted_revision: int | None


class CommentList(BaseModel):
    items: list[CommentStatusOut]
    total: int
    page: int
    pages: int


class SuggestionQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: SuggestionStatus = SuggestionStatus.OPEN
    kind: CommentKind | None = None
    mine: bool = Field(default=False, description="Only documents the caller owns.")
    page: int = Field(default=1, ge=1, le=10_000)
    limit: int = Field(default=20, ge=1, le=100)


def _out(comment: Comment, doc: Document) -> CommentStatusOut:
    return CommentStatusOut(
        id=comment.id,
        slug=doc.slug,
        title=doc.title_for(sees_drafts(api_user())),
        kind=comment.kind,
        body=comment.body,
        author=comment.author.email if comment.author else None,
        revision=comment.revision_number,
        created_at=comment.created_at,
        status=SuggestionStatus(comment.status),
        reason=comment.reason,
        handled_by=comment.handled_by.email if comment.handled_by else None,
        handled_at=comment.handled_at,
        accepted_revision=comment.accepted_revision,
    )


@operation(
    bp,
    "/documents/<slug>/comments",
    "GET",
    summary="Comments and suggestions on a document, with their status (agents and up)",
    tag="suggestions",
    response=CommentList,
    errors=(401, 403, 404),
    requires=Action.COMMENT,
)
def list_comments(slug: str):
    doc = load_for(api_user(), slug, Action.COMMENT)
    comments = service.comments_for(doc)
    return CommentList(items=[_out(c, doc) for c in comments], total=len(comments), page=1, pages=1)


@operation(
    bp,
    "/suggestions",
    "GET",
    summary="The inbox: comments and suggestions by status, newest first (editors; others 404)",
    tag="suggestions",
    query=SuggestionQuery,
    response=CommentList,
    errors=(401, 404, 422),
    hidden=Action.HANDLE_SUGGESTIONS,
)
def list_suggestions(query: SuggestionQuery):
    listing = inbox.flat(
        api_user(),
        query.status,
        kind=query.kind,
        mine=query.mine,
        page=query.page,
        per_page=query.limit,
    )
    return CommentList(
        items=[_out(c, listing.docs[c.document_id]) for c in listing.comments],
        total=listing.total,
        page=listing.page,
        pages=listing.pages,
    )


@operation(
    bp,
    "/suggestions/<int:comment_id>/close",
    "POST",
    summary="Close a comment or suggestion with a reason its author reads (editors)",
    tag="suggestions",
    body=CloseInput,
    response=CommentStatusOut,
    errors=(401, 403, 404, 422),
    hidden=Action.HANDLE_SUGGESTIONS,
)
def close_suggestion(comment_id: int, body: CloseInput):
    comment = service.comment_for(api_user(), comment_id, Action.EDIT)
    service.close(comment, api_user(), body)
    return _out(comment, db.session.get_one(Document, comment.document_id))


@operation(
    bp,
    "/suggestions/<int:comment_id>/accept",
    "POST",
    summary="Mark a suggestion as taken into an existing revision of its document (editors)",
    tag="suggestions",
    body=AcceptInput,
    response=CommentStatusOut,
    errors=(401, 403, 404, 422),
    hidden=Action.HANDLE_SUGGESTIONS,
)
def accept_suggestion(comment_id: int, body: AcceptInput):
    comment = service.comment_for(api_user(), comment_id, Action.EDIT)
    service.accept(comment, api_user(), body)
    return _out(comment, db.session.get_one(Document, comment.document_id))
