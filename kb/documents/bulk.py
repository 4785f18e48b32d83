"""The content import's path for new documents: what ``create_document`` followed by
``publish`` leaves behind (the same rows, audit events and index entries), written a batch
at a time instead of four flushes and eleven statements per document.

Only kb itself (``SYSTEM``) imports, so only it may use this path: a person's publish may
need a review (kb.documents.review), which this path does not settle.
"""

from collections.abc import Sequence

from sqlalchemy import insert
from sqlalchemy.orm.attributes import set_committed_value

from kb.audit import service as audit
from kb.db import unit_of_work, utcnow
from kb.documents.models import Document, DocumentTag, Revision, Status
from kb.documents.policy import effective_min_edit_role
from kb.extensions import db
from kb.search import service as search


def add_new(actor, docs: Sequence[tuple[Document, bool]]) -> None:
    """Add documents made by ``service.new_document``, each published when its flag is set.
    Raises IntegrityError when a slug was taken meanwhile (the caller checked them first);
    the unit of work then rolls back.

    The documents are flushed (their ids come back one row at a time on SQLite, which has
    no sentinel for ordered RETURNING); their revisions, tags, audit events and change-log
    entries go in one statement each."""
    if not getattr(actor, "is_system", False):
        raise ValueError("only kb itself adds documents in bulk")
    with unit_of_work():
        revisions = []
        for doc, published in docs:
            (revision,) = doc.revisions
            revisions.append(revision)
            if published:
                _publish_first(actor, doc, revision)
            set_committed_value(doc, "revisions", [])  # written below, not by the flush
        db.session.add_all(doc for doc, _published in docs)
        db.session.flush()
        db.session.execute(
            insert(Revision),
            [
                _revision_row(doc, revision)
                for (doc, _p), revision in zip(docs, revisions, strict=True)
            ],
        )
        tags = [
            {"document_id": doc.id, "tag": tag}
            for doc, _published in docs
            for tag in dict.fromkeys(t for t in doc.tags or () if isinstance(t, str))
        ]
        if tags:
            db.session.execute(insert(DocumentTag), tags)
        events = []
        for doc, published in docs:
            events.append(("document.create", "document", doc.slug, {"revision": 1}))
            if published:
                detail = {"revision": 1, "acknowledge": False}
                events.append(("document.publish", "document", doc.slug, detail))
        audit.record_many(actor, events)
        search.enqueue_many(doc.id for doc, _published in docs)


def _revision_row(doc: Document, revision: Revision) -> dict:
    row = {
        column.key: getattr(revision, column.key)
        for column in Revision.__table__.columns
        if column.key not in ("id", "created_at")
    }
    return row | {"document_id": doc.id}


def _publish_first(actor, doc: Document, revision: Revision) -> None:
    # As service.publish of revision 1 right after create_document: the place is unchanged,
    # the revision's fields are the document's, and a new document has no reviews to settle.
    doc.min_edit_role = effective_min_edit_role(
        actor,
        current=doc.min_edit_role,
        requested=None,
        place_before=(doc.category, doc.channel),
        place_after=(revision.category, revision.channel),
    )
    doc.status = Status.PUBLISHED
    doc.published_number = revision.number
    doc.published_title = revision.title
    for name, value in revision.meta.items():
        setattr(doc, name, value)
    doc.published_at = utcnow()
