"""search(): the visible, published documents whose title or body contains every word."""

from dataclasses import dataclass

from sqlalchemy import and_, or_

from kb.auth.permissions import visible_documents
from kb.documents.models import Document, Revision
from kb.extensions import db

PAGE_SIZE = 20


@dataclass
class Results:
    query: str
    total: int
    page: int
    documents: list[Document]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def search(user, q: str, page: int = 1) -> Results:
    """Published documents only, through the visibility gate, so nothing hidden is counted."""
    words = [w for w in q.lower().split() if w][:10]
    query = (
        visible_documents(user)
        .where(Document.status == "published")
        .join(
            Revision,
            and_(Revision.document_id == Document.id, Revision.number == Document.published_number),
        )
    )
    for word in words:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        query = query.where(
            or_(Revision.title.ilike(like, escape="\\"), Revision.body.ilike(like, escape="\\"))
        )
    total = db.session.scalar(query.with_only_columns(db.func.count(Document.id)))
    docs = db.session.scalars(
        query.order_by(Document.published_title).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return Results(query=q, total=total or 0, page=page, documents=list(docs))
