"""Document use cases: create, save a revision, publish, unpublish, archive, restore.

The only module that writes documents, with kb.documents.bulk (the content import's new
documents, as create_document and publish would write them). Every function takes the acting
user (``SYSTEM`` for kb itself, e.g. the content import), runs in one unit of work and records
an audit event.
"""

import re
import unicodedata
from types import SimpleNamespace
from typing import cast

from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import CursorResult, update
from sqlalchemy.exc import IntegrityError

from kb.audit import service as audit
from kb.db import unit_of_work, utcnow
from kb.documents import markdown, tag_index
from kb.documents import merge as merging
from kb.documents.merge_edit import merge_edit
from kb.documents.models import (
    MAX_MESSAGE,
    VERSIONED,
    Audience,
    Document,
    Kind,
    Revision,
    Status,
)
from kb.documents.policy import (
    Action,
    allowed,
    effective_min_edit_role,
    require,
    sees_drafts,
    visible_documents,
)
from kb.documents.schemas import DocumentCreate, DocumentUpdate
from kb.errors import Conflict, Invalid, NotFound
from kb.extensions import db
from kb.search import service as search


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:120].rstrip("-")


def _check_shape(doc) -> None:
    """Rules across fields, checked on the document as it would be after the change."""
    if doc.kind == Kind.SCRIPT:
        if doc.audience != Audience.INTERNAL:
            raise Invalid({"audience": _("Scripts zijn altijd intern.")})
        if not doc.channel:
            raise Invalid({"channel": _("Kies het kanaal van dit script.")})
    elif doc.channel:
        raise Invalid({"channel": _("Alleen scripts hebben een kanaal.")})


def _render(body: str) -> str:
    return markdown.render(body, timeout=current_app.config["KB_RENDER_TIMEOUT"])


def new_document(actor, data: DocumentCreate) -> Document:
    """The draft create_document adds, with its revision 1: checked and rendered, not yet in
    the session. Raises Invalid (fields), Forbidden or Unauthorized."""
    require(actor, Action.CREATE)
    slug = data.slug or slugify(data.title)
    if not slug:
        raise Invalid({"slug": _("Kies een slug: de titel levert er geen op.")})
    doc = Document(
        slug=slug,
        kind=data.kind,
        audience=Audience.INTERNAL if data.kind == Kind.SCRIPT else data.audience,
        channel=data.channel,
        category=data.category,
        tags=list(data.tags),
        language=data.language,
        title=data.title,
        status=Status.DRAFT,
        current_number=1,
        owner_id=getattr(actor, "id", None),
    )
    _check_shape(doc)
    doc.min_edit_role = effective_min_edit_role(
        actor,
        current=None,
        requested=data.min_edit_role,
        place_before=None,
        place_after=(doc.category, doc.channel),
    )
    doc.revisions.append(
        Revision(
            number=1,
            title=data.title,
            body=data.body,
            html=_render(data.body),
            author_id=actor.id,
            message=data.message or _("Eerste versie"),
            **{name: getattr(doc, name) for name in VERSIONED},
        )
    )
    return doc


def create_document(actor, data: DocumentCreate) -> Document:
    """Create a draft with revision 1. Raises Invalid (fields, duplicate slug), Forbidden or
    Unauthorized."""
    doc = new_document(actor, data)
    slug = doc.slug
    with unit_of_work():
        if db.session.scalar(db.select(Document.id).where(Document.slug == slug)):
            raise Invalid({"slug": _("De slug '%(slug)s' is al in gebruik.", slug=slug)})
        db.session.add(doc)
        try:
            db.session.flush()
        except IntegrityError:
            raise Invalid({"slug": _("De slug '%(slug)s' is al in gebruik.", slug=slug)}) from None
        tag_index.replace(doc.id, doc.tags, new=True)
        audit.record(actor, "document.create", "document", slug, revision=1)
        search.enqueue(doc)
    return doc


def save_revision(
    doc: Document, actor, base_revision: int | None, changes: DocumentUpdate
) -> Revision | None:
    """Save changes made on top of ``base_revision`` as the next revision.

    Returns the new revision, or None when nothing changed. Raises Conflict (carrying the
    edit merged three-way with the current revision) when the document moved on since
    base_revision, Invalid for bad fields, Forbidden without rights.
    """
    require(actor, Action.EDIT, doc)
    if base_revision is None:
        raise Invalid({"base_revision": _("Geef de revisie waarop uw wijziging is gebaseerd.")})
    if base_revision != doc.current_number:
        raise _conflict(doc, base_revision, changes)
    fields = changes.changes()
    current = doc.current
    title = fields.get("title") or current.title
    body = current.body if fields.get("body") is None else fields["body"]
    meta = dict(current.meta)
    for name in VERSIONED:
        # An explicit null keeps a required field as it is; a channel may be emptied.
        if name in fields and (fields[name] is not None or name == "channel"):
            meta[name] = fields[name]
    if doc.kind == Kind.SCRIPT:
        meta["audience"] = Audience.INTERNAL
    _check_shape(SimpleNamespace(kind=doc.kind, **meta))
    min_role = effective_min_edit_role(
        actor,
        current=doc.min_edit_role,
        requested=fields.get("min_edit_role"),
        place_before=(current.category, current.channel),
        place_after=(meta["category"], meta["channel"]),
    )
    if (title, body, meta, min_role) == (
        current.title,
        current.body,
        current.meta,
        doc.min_edit_role,
    ):
        return None
    html = current.html if body == current.body else _render(body)
    # Drafts and archived documents follow their newest revision at once; a published
    # document keeps its published metadata until this revision is published.
    live = {} if doc.status == Status.PUBLISHED else meta
    number = base_revision + 1
    with unit_of_work():
        # Compare-and-swap: only one of two concurrent saves on the same base wins.
        moved = cast(
            CursorResult,
            db.session.execute(
                update(Document)
                .where(Document.id == doc.id, Document.current_number == base_revision)
                .values(
                    current_number=number,
                    title=title,
                    updated_at=utcnow(),
                    min_edit_role=min_role,
                    **live,
                )
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
        if moved != 1:
            db.session.rollback()
            fresh = db.session.get_one(Document, doc.id, populate_existing=True)
            raise _conflict(fresh, base_revision, changes)
        revision = Revision(
            document_id=doc.id,
            number=number,
            title=title,
            body=body,
            html=html,
            author_id=actor.id,
            message=changes.message,
            **meta,
        )
        db.session.add(revision)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            fresh = db.session.get_one(Document, doc.id, populate_existing=True)
            raise _conflict(fresh, base_revision, changes) from None
        if "tags" in live:
            tag_index.replace(doc.id, live["tags"])
        audit.record(
            actor,
            "document.save",
            "document",
            doc.slug,
            revision=number,
            fields=sorted(k for k in ("title", "body", *VERSIONED, "min_edit_role") if k in fields),
        )
        search.enqueue(doc)
    db.session.refresh(doc)
    return revision


def _conflict(doc: Document, base: int, changes: DocumentUpdate) -> Conflict:
    db.session.refresh(doc)
    current = doc.current
    return Conflict(current.number, base, merge=merge_edit(doc, base, current, changes))


def save_merge(
    doc: Document,
    actor,
    base: int | None,
    theirs_number: int,
    changes: DocumentUpdate,
    blocks: dict[int, merging.Choice],
    fields: dict[str, merging.Choice],
    overwrite: bool = False,
) -> Revision | None:
    """Save an edit of revision ``base`` on top of revision ``theirs_number``, merged with it.

    Every conflicting block and field takes its choice. With ``overwrite`` the edit is saved
    as it was submitted, undoing the other person's change, and the revision message says so.
    Raises Invalid naming each undecided block (``blok-N``) and field (``veld-NAME``),
    NotFound for an unknown revision, Conflict when the document moved past theirs_number
    (merged again), Forbidden without rights.
    """
    require(actor, Action.EDIT, doc)
    theirs = get_revision(doc, theirs_number)
    who = theirs.author.display_name if theirs.author else _("de import")
    if overwrite:
        note = _("overschreef de wijziging van %(who)s (revisie %(n)d)", who=who, n=theirs.number)
        update = changes
    else:
        merged = merge_edit(doc, base, theirs, changes)
        try:
            body, values = merged.resolve(blocks, fields)
        except merging.Undecided as exc:
            raise Invalid({name: _("Kies welke versie blijft.") for name in exc.missing}) from None
        note = _("samengevoegd met revisie %(n)d van %(who)s", n=theirs.number, who=who)
        kept = changes.model_dump(include=changes.model_fields_set & {"min_edit_role"})
        update = DocumentUpdate.model_validate({**values, **kept, "body": body})
    own = changes.message[: MAX_MESSAGE - len(note) - 3]
    message = f"{own} ({note})" if own else note[:1].upper() + note[1:]
    return save_revision(doc, actor, theirs.number, update.model_copy(update={"message": message}))


def get_revision(doc: Document, number: int) -> Revision:
    """Raises NotFound when the document has no such revision."""
    revision = doc.revision(number)
    if revision is None:
        raise NotFound(_("Revisie %(n)d bestaat niet.", n=number))
    return revision


def publish(
    doc: Document, actor, number: int | None = None, *, acknowledge: bool = False
) -> Document:
    """Publish the current revision, or the given one. Raises NotFound, Forbidden.

    ``acknowledge``: agents must confirm they read this revision ("agents moeten dit
    bevestigen"); it becomes the document's ``ack_number``.

    Publishing moves the document to the revision's category and channel, so who may edit it
    is decided again from that result (an old `beleid` revision is the supervisors' again).

    Where that place needs review (policy.review_required), only a reviewer publishes; an
    editor gets Forbidden and submits the revision (kb.documents.review). A reviewer's publish
    there is recorded as an approval, and pending reviews the document moves past are settled.
    """
    # review imports this module; importing it here keeps the import order free.
    from kb.documents import review
    from kb.errors import Forbidden

    require(actor, Action.EDIT, doc)
    revision = get_revision(doc, number or doc.current_number)
    if not review.may_publish(actor, doc, revision):
        raise Forbidden(
            _(
                "Dit document wordt eerst beoordeeld door een supervisor: "
                "dien het in ter beoordeling."
            )
        )
    min_role = effective_min_edit_role(
        actor,
        current=doc.min_edit_role,
        requested=None,
        place_before=(doc.category, doc.channel),
        place_after=(revision.category, revision.channel),
    )
    with unit_of_work():
        doc.min_edit_role = min_role
        doc.status = Status.PUBLISHED
        doc.published_number = revision.number
        doc.published_title = revision.title
        if revision.tags != doc.tags:
            tag_index.replace(doc.id, revision.tags)
        for name, value in revision.meta.items():
            setattr(doc, name, value)
        doc.published_at = utcnow()
        if acknowledge:
            doc.ack_number = revision.number
        audit.record(
            actor,
            "document.publish",
            "document",
            doc.slug,
            revision=revision.number,
            acknowledge=acknowledge,
        )
        review.settle_on_publish(doc, actor, revision.number, acknowledge)
        search.enqueue(doc)
    return doc


def unpublish(doc: Document, actor) -> Document:
    """Take the document back to draft; readers without draft rights get a 404 again."""
    return _withdraw(doc, actor, Status.DRAFT, "document.unpublish")


def archive(doc: Document, actor) -> Document:
    """Archive: kept with its history for editors, gone for everyone else."""
    return _withdraw(doc, actor, Status.ARCHIVED, "document.archive")


def _withdraw(doc: Document, actor, status: Status, action: str) -> Document:
    require(actor, Action.EDIT, doc)
    with unit_of_work():
        doc.status = status
        doc.published_number = None
        doc.published_title = None
        audit.record(actor, action, "document", doc.slug)
        search.enqueue(doc)
    return doc


def restore(doc: Document, actor, number: int) -> Revision:
    """Make revision n+1 with revision ``number``'s title and body. Raises NotFound, Forbidden."""
    old = get_revision(doc, number)
    revision = save_revision(
        doc,
        actor,
        doc.current_number,
        DocumentUpdate(
            title=old.title,
            body=old.body,
            **old.meta,
            message=_("Hersteld van revisie %(n)d", n=number),
        ),
    )
    if revision is None:
        raise Invalid({"revision": _("Revisie %(n)d is gelijk aan de huidige.", n=number)})
    return revision


def resolved_html(html: str, user) -> Markup:
    """Stored, sanitised HTML with wiki links filled in for this reader."""
    slugs = markdown.wikilink_slugs(html)
    titles = {}
    if slugs:
        drafts = sees_drafts(user)
        for doc in db.session.scalars(visible_documents(user).where(Document.slug.in_(slugs))):
            titles[doc.slug] = doc.title_for(drafts)
    return Markup(markdown.resolve_wikilinks(html, titles, allowed(user, Action.CREATE)))  # noqa: S704
