"""The ``document_tags`` rows: a document's live tags, one row each, for the look-ups that
ask "which documents carry this tag" (related articles, the tag filter). Written in the same
unit of work as ``Document.tags``, so the two never disagree."""

from collections.abc import Iterable

from sqlalchemy import delete, insert, select

from kb.documents.models import DocumentTag
from kb.extensions import db


def replace(document_id: int, tags: Iterable, new: bool = False) -> None:
    """Make the document's rows exactly ``tags`` (non-strings and repeats left out); ``new``:
    the document was created in this unit of work and has no rows yet."""
    if not new:
        db.session.execute(delete(DocumentTag).where(DocumentTag.document_id == document_id))
    rows = [
        {"document_id": document_id, "tag": tag}
        for tag in dict.fromkeys(t for t in tags or () if isinstance(t, str))
    ]
    if rows:
        db.session.execute(insert(DocumentTag), rows)


def tagged(tags: Iterable[str]):
    """A subquery of the ids of documents carrying any of ``tags``."""
    return select(DocumentTag.document_id).where(DocumentTag.tag.in_(list(tags)))
