"""An edit merged three-way with the revision it ran into: what a Conflict carries and what
kb.documents.service.save_merge resolves (the text merge itself is kb.documents.merge)."""

from kb.documents import merge as merging
from kb.documents.models import Audience, Document, Kind, Revision
from kb.documents.schemas import DocumentUpdate


def _versioned(rev: Revision) -> dict:
    return {"title": rev.title, **{name: _plain(value) for name, value in rev.meta.items()}}


def _plain(value):
    """Enum members as their strings, so submitted and stored values compare and serialise."""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return None if value is None else str(value)


def merge_edit(
    doc: Document, base: int | None, theirs: Revision, changes: DocumentUpdate
) -> merging.DocumentMerge:
    """``changes``, made on revision ``base``, merged three-way with revision ``theirs``: the
    body line by line, title and metadata field by field. A base that is not a revision
    before ``theirs`` counts as unknown, so every difference is a conflict."""
    base_rev = doc.revision(base) if base and base < theirs.number else None
    start = base_rev or theirs
    fields = changes.changes()
    mine = _versioned(start)
    for name, value in fields.items():
        # As in save_revision: an explicit null keeps a field, except a channel.
        if name in mine and (value is not None or name == "channel"):
            mine[name] = _plain(value)
    if doc.kind == Kind.SCRIPT:
        mine["audience"] = Audience.INTERNAL.value
    body = fields.get("body")
    return merging.DocumentMerge(
        base=base_rev.number if base_rev else None,
        theirs=theirs.number,
        body=merging.merge_text(
            base_rev.body if base_rev else "", start.body if body is None else body, theirs.body
        ),
        fields=merging.merge_fields(
            _versioned(base_rev) if base_rev else None, mine, _versioned(theirs)
        ),
    )
