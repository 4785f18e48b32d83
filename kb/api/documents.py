"""/api/v1/documents: list, create, read, edit, publish, history, diff, restore, feedback,
comments."""

from flask import url_for

from kb.api import api_user, bp
from kb.api import schemas as s
from kb.api.spec import operation
from kb.documents import diff as diffs
from kb.documents import service
from kb.documents.models import Document
from kb.documents.policy import sees_drafts, visible_documents
from kb.errors import NotFound
from kb.extensions import db
from kb.feedback import service as feedback


def _editor_doc(slug: str) -> Document:
    """History, diffs and single revisions are for editors: 404 for everyone else."""
    user = api_user()
    if not sees_drafts(user):
        raise NotFound(f"No document '{slug}'.")
    return _visible(slug)


def _visible(slug: str) -> Document:
    doc = db.session.scalar(visible_documents(api_user()).where(Document.slug == slug))
    if doc is None:
        raise NotFound(f"No document '{slug}'.")
    return doc


def _summary(doc: Document, model=s.DocumentSummary, **extra):
    drafts = sees_drafts(api_user())
    return model(
        slug=doc.slug,
        kind=doc.kind,
        audience=doc.audience,
        channel=doc.channel,
        category=doc.category,
        tags=list(doc.tags or []),
        language=doc.language,
        status=doc.status,
        title=doc.title_for(drafts),
        revision=doc.current_number if drafts else (doc.published_number or 0),
        published_revision=doc.published_number,
        updated_at=doc.updated_at,
        url=url_for("documents.show", slug=doc.slug, _external=True),
        **extra,
    )


def _full(doc: Document, revision=None) -> s.DocumentOut:
    user = api_user()
    if revision is None:
        revision = doc.current if sees_drafts(user) else doc.published
    out = _summary(
        doc,
        s.DocumentOut,
        min_edit_role=doc.min_edit_role,
        body=revision.body,
        html=str(service.resolved_html(revision.html, user)),
    )
    out.revision, out.title = revision.number, revision.title
    out.audience, out.channel, out.category = revision.audience, revision.channel, revision.category
    out.tags, out.language = list(revision.tags or []), revision.language
    return out


@operation(
    bp,
    "/documents",
    "GET",
    summary="List the documents the caller may read",
    query=s.ListQuery,
    response=s.DocumentList,
    errors=(422,),
)
def list_documents(query: s.ListQuery):
    stmt = visible_documents(api_user())
    for name in ("kind", "channel", "category", "status"):
        value = getattr(query, name)
        if value is not None:
            stmt = stmt.where(getattr(Document, name) == value)
    docs = db.session.scalars(stmt.order_by(Document.slug)).all()
    if query.tag:
        docs = [d for d in docs if query.tag in (d.tags or [])]
    total = len(docs)
    start = (query.page - 1) * query.limit
    return s.DocumentList(
        items=[_summary(d) for d in docs[start : start + query.limit]],
        total=total,
        page=query.page,
        pages=max(1, -(-total // query.limit)),
    )


@operation(
    bp,
    "/documents",
    "POST",
    summary="Create a draft (revision 1)",
    body=s.DocumentCreate,
    response=s.DocumentOut,
    status=201,
    errors=(400, 401, 403, 422),
    requires="editor",
)
def create_document(body: s.DocumentCreate):
    doc = service.create_document(api_user(), body.model_dump(exclude_none=True))
    return _full(doc)


@operation(
    bp,
    "/documents/<slug>",
    "GET",
    summary="The current visible version, or one revision (editors)",
    query=s.RevisionQuery,
    response=s.DocumentOut,
    errors=(404, 422),
)
def get_document(slug: str, query: s.RevisionQuery):
    if query.revision is not None:
        doc = _editor_doc(slug)
        return _full(doc, service.get_revision(doc, query.revision))
    return _full(_visible(slug))


@operation(
    bp,
    "/documents/<slug>",
    "PUT",
    summary="Save changes made on top of base_revision",
    body=s.DocumentUpdate,
    response=s.DocumentOut,
    errors=(400, 401, 403, 404, 409, 422),
    requires="editor",
)
def update_document(slug: str, body: s.DocumentUpdate):
    doc = _editor_doc(slug)
    changes = body.model_dump(exclude_unset=True, exclude={"base_revision"})
    service.save_revision(doc, api_user(), body.base_revision, changes)
    return _full(doc)


@operation(
    bp,
    "/documents/<slug>/publish",
    "POST",
    summary="Publish the current or a given revision",
    body=s.PublishRequest,
    response=s.DocumentOut,
    errors=(401, 403, 404, 422),
    requires="editor",
)
def publish_document(slug: str, body: s.PublishRequest):
    doc = _editor_doc(slug)
    service.publish(doc, api_user(), body.revision)
    return _full(doc)


@operation(
    bp,
    "/documents/<slug>/unpublish",
    "POST",
    summary="Back to draft",
    response=s.DocumentOut,
    errors=(401, 403, 404),
    requires="editor",
)
def unpublish_document(slug: str):
    doc = _editor_doc(slug)
    service.unpublish(doc, api_user())
    return _full(doc)


@operation(
    bp,
    "/documents/<slug>/revisions",
    "GET",
    summary="Revision history (editors)",
    response=s.RevisionList,
    errors=(404,),
    auth="editor",
)
def list_revisions(slug: str):
    doc = _editor_doc(slug)
    return s.RevisionList(
        slug=doc.slug,
        current=doc.current_number,
        published=doc.published_number,
        revisions=[
            s.RevisionOut(
                number=r.number,
                title=r.title,
                created_at=r.created_at,
                message=r.message,
                author=r.author.email if r.author else None,
                published=r.number == doc.published_number,
            )
            for r in reversed(doc.revisions)
        ],
    )


@operation(
    bp,
    "/documents/<slug>/diff",
    "GET",
    summary="Differences between two revisions (editors)",
    query=s.DiffQuery,
    response=s.DiffOut,
    errors=(404, 422),
    auth="editor",
)
def diff_revisions(slug: str, query: s.DiffQuery):
    doc = _editor_doc(slug)
    old = service.get_revision(doc, query.from_)
    new = service.get_revision(doc, query.to)
    return s.DiffOut(
        slug=doc.slug,
        from_=old.number,
        to=new.number,
        unified=diffs.unified_text(old, new),
        lines=[s.DiffLineOut(op=x.op, text=x.text) for x in diffs.source_diff(old, new)],
        html=str(diffs.rendered_diff(old, new)),
    )


@operation(
    bp,
    "/documents/<slug>/restore",
    "POST",
    summary="New revision with an old revision's content",
    body=s.RestoreRequest,
    response=s.DocumentOut,
    errors=(401, 403, 404, 422),
    requires="editor",
)
def restore_revision(slug: str, body: s.RestoreRequest):
    doc = _editor_doc(slug)
    service.restore(doc, api_user(), body.revision)
    return _full(doc)


@operation(
    bp,
    "/documents/<slug>/feedback",
    "POST",
    summary="Was dit nuttig? (anyone who can read it)",
    body=s.FeedbackRequest,
    response=s.FeedbackOut,
    status=201,
    errors=(404, 422),
)
def document_feedback(slug: str, body: s.FeedbackRequest):
    doc = _visible(slug)
    if doc.status != "published":
        raise NotFound(f"Document '{slug}' is not published.")
    vote = feedback.vote(doc, body.helpful)
    return s.FeedbackOut(slug=doc.slug, helpful=vote.is_helpful, revision=vote.revision_number)


@operation(
    bp,
    "/documents/<slug>/comments",
    "POST",
    summary="Comment or suggest a change (agents and up)",
    body=s.CommentRequest,
    response=s.CommentOut,
    status=201,
    errors=(401, 403, 404, 422),
    requires="agent",
)
def add_comment(slug: str, body: s.CommentRequest):
    doc = _visible(slug)
    comment = feedback.add_comment(doc, api_user(), body.body, body.kind)
    return s.CommentOut(
        id=comment.id,
        slug=doc.slug,
        kind=comment.kind,
        body=comment.body,
        author=api_user().email,
        revision=comment.revision_number,
        created_at=comment.created_at,
    )
