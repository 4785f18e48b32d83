"""Read use cases of the suggestion inbox: open (or handled) comments and suggestions grouped
per document, the open count in the menu, and an author's own "Mijn voorstellen".

Every query starts from the policy's gate (visible_documents), so comments on a document the
user may not read are never listed or counted.
"""

import math
from dataclasses import dataclass, field

from sqlalchemy import Select, func

from kb.documents.models import Document
from kb.documents.policy import visible_documents
from kb.extensions import db
from kb.feedback.models import Comment, SuggestionStatus

PER_PAGE = 20  # documents per inbox page
MINE_PER_PAGE = 30  # comments per "Mijn voorstellen" page


@dataclass
class Group:
    """One document and its comments on an inbox page, newest first."""

    doc: Document
    comments: list[Comment]


@dataclass
class InboxPage:
    groups: list[Group]
    documents: int  # documents with matching comments, over all pages
    items: int  # matching comments, over all pages
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.documents / self.per_page))


@dataclass
class Mine:
    comments: list[Comment]
    docs: dict[int, Document] = field(default_factory=dict)
    total: int = 0
    page: int = 1
    per_page: int = MINE_PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _visible_ids(user, mine: bool = False):
    query = visible_documents(user).with_only_columns(Document.id)
    if mine:
        query = query.where(Document.owner_id == getattr(user, "id", None))
    return query.scalar_subquery()


def _matching(user, *, handled: bool, mine: bool) -> Select:
    state = (
        Comment.status != SuggestionStatus.OPEN
        if handled
        else Comment.status == SuggestionStatus.OPEN
    )
    return db.select(Comment).where(state, Comment.document_id.in_(_visible_ids(user, mine)))


def open_count(user) -> int:
    """Open comments and suggestions on the documents ``user`` may read (the menu's count)."""
    query = _matching(user, handled=False, mine=False)
    return db.session.scalar(query.with_only_columns(func.count()).order_by(None)) or 0


def inbox(user, *, handled: bool = False, mine: bool = False, page: int = 1) -> InboxPage:
    """One page of the inbox: documents ordered by their newest matching comment, each with
    its matching comments newest first. ``handled``: accepted and closed instead of open;
    ``mine``: only documents ``user`` owns."""
    matching = _matching(user, handled=handled, mine=mine).subquery()
    moment = func.coalesce(matching.c.handled_at, matching.c.created_at) if handled else None
    latest = func.max(moment if moment is not None else matching.c.created_at)
    per_doc = (
        db.select(matching.c.document_id, latest.label("latest"), func.count().label("n"))
        .group_by(matching.c.document_id)
        .subquery()
    )
    totals = db.session.execute(
        db.select(func.count(), func.coalesce(func.sum(per_doc.c.n), 0))
    ).one()
    page = max(1, min(page, max(1, math.ceil(totals[0] / PER_PAGE))))
    ids = list(
        db.session.scalars(
            db.select(per_doc.c.document_id)
            .order_by(per_doc.c.latest.desc(), per_doc.c.document_id.desc())
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        )
    )
    docs = {d.id: d for d in db.session.scalars(db.select(Document).where(Document.id.in_(ids)))}
    order = (Comment.handled_at.desc(), Comment.id.desc()) if handled else (Comment.id.desc(),)
    comments = db.session.scalars(
        _matching(user, handled=handled, mine=mine)
        .where(Comment.document_id.in_(ids))
        .order_by(*order)
    ).unique()
    grouped: dict[int, list[Comment]] = {i: [] for i in ids}
    for comment in comments:
        grouped[comment.document_id].append(comment)
    groups = [Group(docs[i], grouped[i]) for i in ids if i in docs]
    return InboxPage(groups, int(totals[0]), int(totals[1]), page)


def my_comments(user, page: int = 1) -> Mine:
    """The comments and suggestions ``user`` wrote, newest first, on documents they may still
    read: a document they lost sight of takes its comments with it."""
    query = db.select(Comment).where(
        Comment.author_id == getattr(user, "id", None),
        Comment.document_id.in_(_visible_ids(user)),
    )
    total = db.session.scalar(query.with_only_columns(func.count()).order_by(None)) or 0
    page = max(1, min(page, max(1, math.ceil(total / MINE_PER_PAGE))))
    comments = list(
        db.session.scalars(
            query.order_by(Comment.id.desc())
            .limit(MINE_PER_PAGE)
            .offset((page - 1) * MINE_PER_PAGE)
        ).unique()
    )
    ids = {c.document_id for c in comments}
    docs = {d.id: d for d in db.session.scalars(db.select(Document).where(Document.id.in_(ids)))}
    return Mine(comments, docs, total, page)


def counts_by_status(user) -> dict[str, int]:
    """Status -> how many of ``user``'s own comments (on documents they read) have it."""
    rows = db.session.execute(
        db.select(Comment.status, func.count())
        .where(
            Comment.author_id == getattr(user, "id", None),
            Comment.document_id.in_(_visible_ids(user)),
        )
        .group_by(Comment.status)
    )
    return dict(rows.tuples().all())


def flat(
    user,
    status: SuggestionStatus,
    *,
    kind: str | None = None,
    mine: bool = False,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Mine:
    """One page of comments with ``status`` on documents ``user`` may read, newest first (the
    API's list). ``kind``: only comments or only suggestions; ``mine``: documents they own."""
    query = db.select(Comment).where(
        Comment.status == status, Comment.document_id.in_(_visible_ids(user, mine))
    )
    if kind:
        query = query.where(Comment.kind == kind)
    total = db.session.scalar(query.with_only_columns(func.count()).order_by(None)) or 0
    comments = list(
        db.session.scalars(
            query.order_by(Comment.id.desc()).limit(per_page).offset((max(page, 1) - 1) * per_page)
        ).unique()
    )
    ids = {c.document_id for c in comments}
    docs = {d.id: d for d in db.session.scalars(db.select(Document).where(Document.id.in_(ids)))}
    return Mine(comments, docs, total, max(page, 1), per_page)
