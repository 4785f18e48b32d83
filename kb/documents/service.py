"""Document use cases: create, save a revision, publish, unpublish, archive, restore.

The only module that writes documents. Every function takes the acting user (``None`` for
the system, e.g. the content import), runs in one unit of work and records an audit event.
"""

import re
import unicodedata
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from kb.audit import service as audit
from kb.auth.models import ROLES
from kb.db import unit_of_work, utcnow
from kb.documents import markdown
from kb.documents.models import (
    AUDIENCES,
    CHANNELS,
    KINDS,
    LANGUAGES,
    POLICY_CATEGORY,
    SLUG_PATTERN,
    VERSIONED,
    Document,
    Revision,
)
from kb.documents.policy import (
    can_edit,
    can_set_min_edit_role,
    role_rank,
    sees_drafts,
    visible_documents,
)
from kb.errors import Conflict, Forbidden, Invalid, NotFound
from kb.extensions import db
from kb.search import service as search

MAX_TITLE = 200
MAX_BODY = 100_000
MAX_TAGS = 20
MAX_TAG = 40
MAX_MESSAGE = 500
CATEGORY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,59}$"
TAG_PATTERN = r"^[\w][\w -]{0,39}$"


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:120].rstrip("-")


def default_min_edit_role(category: str, channel: str | None) -> str:
    return "supervisor" if category == POLICY_CATEGORY or channel == "escalation" else "editor"


def _clean(data: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """Check and normalise fields; raise Invalid naming every bad field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}

    def choice(field: str, options, required: bool = False):
        if field not in data or data[field] in (None, ""):
            if required:
                errors[field] = _("Dit veld is verplicht.")
            elif field in data:
                out[field] = None
            return
        if data[field] not in options:
            errors[field] = _("Kies een van: %(options)s.", options=", ".join(options))
        else:
            out[field] = data[field]

    if "title" in data or creating:
        title = str(data.get("title") or "").strip()
        if not title:
            errors["title"] = _("Geef een titel.")
        elif len(title) > MAX_TITLE:
            errors["title"] = _("Een titel is hoogstens %(n)d tekens.", n=MAX_TITLE)
        out["title"] = title
    if "body" in data or creating:
        body = str(data.get("body") or "").replace("\r\n", "\n").rstrip()
        if len(body) > MAX_BODY:
            errors["body"] = _("De tekst is hoogstens %(n)d tekens.", n=MAX_BODY)
        out["body"] = body
    choice("kind", KINDS, required=creating)
    choice("audience", AUDIENCES)
    choice("channel", CHANNELS)
    choice("language", LANGUAGES)
    choice("min_edit_role", ROLES)
    if "category" in data:
        category = str(data.get("category") or "").strip().lower()
        if category and not re.match(CATEGORY_PATTERN, category):
            errors["category"] = _("Een categorie bestaat uit kleine letters, cijfers en '-'.")
        out["category"] = category
    if "tags" in data:
        tags = data.get("tags") or []
        if isinstance(tags, str):
            tags = [t for t in (p.strip() for p in tags.split(",")) if t]
        tags = [str(t).strip().lower() for t in tags]
        tags = list(dict.fromkeys(t for t in tags if t))
        if len(tags) > MAX_TAGS:
            errors["tags"] = _("Hoogstens %(n)d tags.", n=MAX_TAGS)
        elif any(not re.match(TAG_PATTERN, t) for t in tags):
            errors["tags"] = _(
                "Een tag is hoogstens %(n)d letters, cijfers, spaties of '-'.", n=MAX_TAG
            )
        out["tags"] = tags
    if data.get("slug"):
        slug = str(data["slug"])
        if not re.match(SLUG_PATTERN, slug):
            errors["slug"] = _(
                "Een slug bestaat uit kleine letters a-z, cijfers en '-', hoogstens 120."
            )
        out["slug"] = slug
    message = str(data.get("message") or "").strip()
    if len(message) > MAX_MESSAGE:
        errors["message"] = _("Een toelichting is hoogstens %(n)d tekens.", n=MAX_MESSAGE)
    out["message"] = message
    if errors:
        raise Invalid(errors)
    return out


def _check_shape(doc: Document) -> None:
    """Rules across fields, checked on the document as it would be after the change."""
    if doc.kind == "script":
        if doc.audience != "internal":
            raise Invalid({"audience": _("Scripts zijn altijd intern.")})
        if not doc.channel:
            raise Invalid({"channel": _("Kies het kanaal van dit script.")})
    elif doc.channel:
        raise Invalid({"channel": _("Alleen scripts hebben een kanaal.")})


def _render(body: str) -> str:
    return markdown.render(body, timeout=current_app.config["KB_RENDER_TIMEOUT"])


def _authorise(actor, doc: Document | None) -> None:
    if actor is not None and not can_edit(actor, doc):
        raise Forbidden(_("U mag dit document niet bewerken."))


def create_document(actor, data: Mapping[str, Any]) -> Document:
    """Create a draft with revision 1. Raises Invalid (fields, duplicate slug) or Forbidden."""
    fields = _clean(data, creating=True)
    kind = fields["kind"]
    slug = fields.get("slug") or slugify(fields["title"])
    if not slug:
        raise Invalid({"slug": _("Kies een slug: de titel levert er geen op.")})
    doc = Document(
        slug=slug,
        kind=kind,
        audience="internal" if kind == "script" else (fields.get("audience") or "public"),
        channel=fields.get("channel"),
        category=fields.get("category") or "",
        tags=fields.get("tags") or [],
        language=fields.get("language") or "nl",
        title=fields["title"],
        status="draft",
        current_number=1,
    )
    default_role = default_min_edit_role(doc.category, doc.channel)
    wanted = fields.get("min_edit_role")
    if wanted and wanted != default_role and actor is not None and not can_set_min_edit_role(actor):
        raise Forbidden(_("Alleen een supervisor mag bepalen wie dit document bewerkt."))
    doc.min_edit_role = wanted or default_role
    _check_shape(doc)
    _authorise(actor, doc)
    html = _render(fields["body"])
    with unit_of_work():
        if db.session.scalar(db.select(Document.id).where(Document.slug == slug)):
            raise Invalid({"slug": _("De slug '%(slug)s' is al in gebruik.", slug=slug)})
        db.session.add(doc)
        doc.revisions.append(
            Revision(
                number=1,
                title=fields["title"],
                body=fields["body"],
                html=html,
                author_id=getattr(actor, "id", None),
                message=fields["message"] or _("Eerste versie"),
                **{name: getattr(doc, name) for name in VERSIONED},
            )
        )
        try:
            db.session.flush()
        except IntegrityError:
            raise Invalid({"slug": _("De slug '%(slug)s' is al in gebruik.", slug=slug)}) from None
        audit.record(actor, "document.create", "document", slug, revision=1)
        search.enqueue(doc)
    return doc


def save_revision(
    doc: Document, actor, base_revision: int | None, changes: Mapping[str, Any]
) -> Revision | None:
    """Save changes made on top of ``base_revision`` as the next revision.

    Returns the new revision, or None when nothing changed. Raises Conflict when the
    document moved on since base_revision, Invalid for bad fields, Forbidden without rights.
    """
    _authorise(actor, doc)
    if base_revision is None:
        raise Invalid({"base_revision": _("Geef de revisie waarop uw wijziging is gebaseerd.")})
    if base_revision != doc.current_number:
        raise Conflict(doc.current_number, base_revision)
    fields = _clean(changes, creating=False)
    current = doc.current
    title = fields.get("title", current.title)
    body = fields.get("body", current.body)
    meta = {**current.meta, **{k: fields[k] for k in VERSIONED if k in fields}}
    if doc.kind == "script":
        meta["audience"] = "internal"
    min_role = fields.get("min_edit_role") or doc.min_edit_role
    if min_role != doc.min_edit_role and actor is not None and not can_set_min_edit_role(actor):
        raise Forbidden(_("Alleen een supervisor mag bepalen wie dit document bewerkt."))
    moved_to = (meta["category"], meta["channel"]) != (current.category, current.channel)
    if moved_to and "min_edit_role" not in fields:
        floor = default_min_edit_role(meta["category"], meta["channel"])
        if role_rank(floor) > role_rank(min_role):
            min_role = floor
    if (title, body, meta, min_role) == (
        current.title,
        current.body,
        current.meta,
        doc.min_edit_role,
    ):
        return None
    _check_shape(SimpleNamespace(kind=doc.kind, **meta))
    _authorise(actor, SimpleNamespace(min_edit_role=min_role))
    html = current.html if body == current.body else _render(body)
    # Drafts and archived documents follow their newest revision at once; a published
    # document keeps its published metadata until this revision is published.
    live = {} if doc.status == "published" else meta
    number = base_revision + 1
    with unit_of_work():
        # Compare-and-swap: only one of two concurrent saves on the same base wins.
        moved = db.session.execute(
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
        ).rowcount
        if moved != 1:
            db.session.rollback()
            fresh = db.session.get(Document, doc.id, populate_existing=True)
            raise Conflict(fresh.current_number, base_revision)
        revision = Revision(
            document_id=doc.id,
            number=number,
            title=title,
            body=body,
            html=html,
            author_id=getattr(actor, "id", None),
            message=fields["message"],
            **meta,
        )
        db.session.add(revision)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            fresh = db.session.get(Document, doc.id, populate_existing=True)
            raise Conflict(fresh.current_number, base_revision) from None
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


def get_revision(doc: Document, number: int) -> Revision:
    """Raises NotFound when the document has no such revision."""
    revision = doc.revision(number)
    if revision is None:
        raise NotFound(_("Revisie %(n)d bestaat niet.", n=number))
    return revision


def publish(doc: Document, actor, number: int | None = None) -> Document:
    """Publish the current revision, or the given one. Raises NotFound, Forbidden."""
    _authorise(actor, doc)
    revision = get_revision(doc, number or doc.current_number)
    with unit_of_work():
        doc.status = "published"
        doc.published_number = revision.number
        doc.published_title = revision.title
        for name, value in revision.meta.items():
            setattr(doc, name, value)
        doc.published_at = utcnow()
        audit.record(actor, "document.publish", "document", doc.slug, revision=revision.number)
        search.enqueue(doc)
    return doc


def unpublish(doc: Document, actor) -> Document:
    """Take the document back to draft; readers without draft rights get a 404 again."""
    return _withdraw(doc, actor, "draft", "document.unpublish")


def archive(doc: Document, actor) -> Document:
    """Archive: kept with its history for editors, gone for everyone else."""
    return _withdraw(doc, actor, "archived", "document.archive")


def _withdraw(doc: Document, actor, status: str, action: str) -> Document:
    _authorise(actor, doc)
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
        {
            "title": old.title,
            "body": old.body,
            **old.meta,
            "message": _("Hersteld van revisie %(n)d", n=number),
        },
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
    return Markup(markdown.resolve_wikilinks(html, titles, can_edit(user)))  # noqa: S704
