"""/api/v1/documents: list, create, read, edit, publish, history, diff, restore, feedback,
comments."""

from flask import current_app, url_for

from kb.api import api_user, bp
from kb.api import schemas as s
from kb.api.spec import operation
from kb.documents import diff as diffs
from kb.documents import reading, service
from kb.documents.merge import DocumentMerge
from kb.documents.models import Document
from kb.documents.policy import Action, load_for, sees_drafts
from kb.errors import Conflict, TooManyRequests
from kb.feedback import service as feedback
from kb.feedback import vote_limit


def _summary(doc: Document) -> dict:
    drafts = sees_drafts(api_user())
    return {
        "slug": doc.slug,
        "kind": doc.kind,
        "audience": doc.audience,
        "channel": doc.channel,
        "category": doc.category,
        "tags": list(doc.tags or []),
        "language": doc.language,
        "status": doc.status,
        "title": doc.title_for(drafts),
        "revision": doc.current_number if drafts else (doc.published_number or 0),
        "published_revision": doc.published_number,
        # Readers who may not see drafts get the published revision's time: a pending edit
        # must not show through.
        "updated_at": doc.updated_at if drafts else (doc.published_at or doc.updated_at),
        "url": url_for("documents.show", slug=doc.slug, _external=True),
    }


def _full(doc: Document, revision=None) -> s.DocumentOut:
    """The document as this caller reads it: one revision's text and metadata."""
    user = api_user()
    if revision is None:
        revision = doc.current if sees_drafts(user) else doc.published
    return s.DocumentOut(
        **{
            **_summary(doc),
            **revision.meta,
            "tags": list(revision.tags or []),
            "revision": revision.number,
            "title": revision.title,
        },
        min_edit_role=doc.min_edit_role,
        body=revision.body,
        html=str(service.resolved_html(revision.html, user)),
    )


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
    filters = {
        name: str(value) for name in reading.FILTERS if (value := getattr(query, name)) is not None
    }
    listing = reading.list_visible(api_user(), filters, page=query.page, per_page=query.limit)
    return s.DocumentList(
        items=[s.DocumentSummary(**_summary(d)) for d in listing.items],
        total=listing.total,
        page=listing.page,
        pages=listing.pages,
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
    requires=Action.CREATE,
)
def create_document(body: s.DocumentCreate):
    return _full(service.create_document(api_user(), body))


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
        doc = load_for(api_user(), slug, Action.READ_DRAFTS)
        return _full(doc, service.get_revision(doc, query.revision))
    return _full(load_for(api_user(), slug))


@operation(
    bp,
    "/documents/<slug>",
    "PUT",
    summary="Save changes made on top of base_revision",
    body=s.DocumentEdit,
    response=s.DocumentOut,
    errors=(400, 401, 403, 404, 409, 422),
    requires=Action.EDIT,
    problems={409: s.ConflictProblem},
)
def update_document(slug: str, body: s.DocumentEdit):
    doc = load_for(api_user(), slug, Action.EDIT)
    try:
        service.save_revision(doc, api_user(), body.base_revision, body)
    except Conflict as exc:
        return _conflict(exc)
    return _full(doc)


def _conflict(exc: Conflict):
    """409 with the three-way merge, so a client can save it or show the conflicts."""
    detail = exc.detail
    if exc.merge is not None:
        n = len(exc.merge.body.conflicts) + sum(f.conflict for f in exc.merge.fields.values())
        detail += (
            " Merged with it in `merge`: no overlap, ready to save."
            if exc.merge.clean
            else f" Merged with it in `merge`: {n} conflict(s) to resolve first."
        )
    problem = s.ConflictProblem(
        title=exc.title,
        status=exc.status,
        detail=detail,
        current_revision=exc.current,
        merge=_merge_out(exc.merge) if exc.merge else None,
    )
    return current_app.response_class(
        problem.model_dump_json(exclude={"errors"}), 409, mimetype="application/problem+json"
    )


def _merge_out(merge: DocumentMerge) -> s.MergeOut:
    text = merge.body
    return s.MergeOut(
        clean=merge.clean,
        base_revision=merge.base,
        current_revision=merge.theirs,
        body=text.text,
        conflicts=[
            s.MergeConflictOut(
                index=seg.conflict,
                line=text.conflict_line(seg.conflict),
                base="\n".join(seg.base),
                mine="\n".join(seg.mine),
                theirs="\n".join(seg.theirs),
            )
            for seg in text.conflicts
            if seg.conflict is not None
        ],
        fields={
            name: s.FieldMergeOut(
                base=f.base,
                mine=f.mine,
                theirs=f.theirs,
                changed_by="nobody" if f.origin == "unchanged" else f.origin,
                merged=None if f.conflict else f.value,
            )
            for name, f in merge.fields.items()
        },
    )


@operation(
    bp,
    "/documents/<slug>/publish",
    "POST",
    summary="Publish the current or a given revision",
    body=s.PublishRequest,
    response=s.DocumentOut,
    errors=(401, 403, 404, 422),
    requires=Action.EDIT,
)
def publish_document(slug: str, body: s.PublishRequest):
    doc = load_for(api_user(), slug, Action.EDIT)
    service.publish(doc, api_user(), body.revision, acknowledge=body.acknowledge)
    return _full(doc)


@operation(
    bp,
    "/documents/<slug>/unpublish",
    "POST",
    summary="Back to draft",
    response=s.DocumentOut,
    errors=(401, 403, 404),
    requires=Action.EDIT,
)
def unpublish_document(slug: str):
    doc = load_for(api_user(), slug, Action.EDIT)
    service.unpublish(doc, api_user())
    return _full(doc)


@operation(
    bp,
    "/documents/<slug>/revisions",
    "GET",
    summary="Revision history (editors)",
    response=s.RevisionList,
    errors=(404,),
    auth=Action.READ_DRAFTS,
)
def list_revisions(slug: str):
    doc = load_for(api_user(), slug, Action.READ_DRAFTS)
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
    auth=Action.READ_DRAFTS,
)
def diff_revisions(slug: str, query: s.DiffQuery):
    user = api_user()
    doc = load_for(user, slug, Action.READ_DRAFTS)
    old = service.get_revision(doc, query.from_)
    new = service.get_revision(doc, query.to)
    return s.DiffOut(
        slug=doc.slug,
        from_=old.number,
        to=new.number,
        unified=diffs.unified_text(old, new),
        lines=[s.DiffLineOut(op=x.op, text=x.text) for x in diffs.source_diff(old, new)],
        html=str(diffs.rendered_diff(old, new, lambda html: service.resolved_html(html, user))),
    )


@operation(
    bp,
    "/documents/<slug>/restore",
    "POST",
    summary="New revision with an old revision's content",
    body=s.RestoreRequest,
    response=s.DocumentOut,
    errors=(401, 403, 404, 422),
    requires=Action.EDIT,
)
def restore_revision(slug: str, body: s.RestoreRequest):
    doc = load_for(api_user(), slug, Action.EDIT)
    service.restore(doc, api_user(), body.revision)
    return _full(doc)


@operation(
    bp,
    "/documents/<slug>/feedback",
    "POST",
    summary="Was dit nuttig? (anyone who can read it; once per reader per document per day)",
    body=s.FeedbackRequest,
    response=s.FeedbackOut,
    status=201,
    errors=(404, 422, 429),
)
def document_feedback(slug: str, body: s.FeedbackRequest):
    """A vote counts once per reader (a token's user, else the client address) per document
    per day, and a client votes at most so often an hour (kb.feedback.vote_limit): else 429."""
    doc = load_for(api_user(), slug)
    refused = vote_limit.take(doc.slug, api_user(), browser=False)
    if refused is not None:
        raise TooManyRequests(
            "This reader already voted on this document today."
            if refused.per_document
            else "Too many votes from this client; try again later.",
            refused.retry_after,
        )
    vote = feedback.vote(doc, body.helpful)
    return s.FeedbackOut(slug=slug, helpful=vote.is_helpful, revision=vote.revision_number)


@operation(
    bp,
    "/documents/<slug>/comments",
    "POST",
    summary="Comment or suggest a change (agents and up)",
    body=s.CommentCreate,
    response=s.CommentOut,
    status=201,
    errors=(401, 403, 404, 422),
    requires=Action.COMMENT,
)
def add_comment(slug: str, body: s.CommentCreate):
    doc = load_for(api_user(), slug, Action.COMMENT)
    comment = feedback.add_comment(doc, api_user(), body)
    return s.CommentOut(
        id=comment.id,
        slug=doc.slug,
        kind=comment.kind,
        body=comment.body,
        author=api_user().email,
        revision=comment.revision_number,
        created_at=comment.created_at,
    )
