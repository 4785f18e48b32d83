"""Roles and the one visibility gate used by pages, API, search, suggestions and exports."""

from flask import abort
from sqlalchemy import Select, select

from kb.auth.models import ROLES
from kb.documents.models import Document
from kb.extensions import db


def role_rank(role: str | None) -> int:
    return ROLES.index(role) + 1 if role in ROLES else 0


def user_rank(user) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return role_rank(user.role)


def has_role(user, role: str) -> bool:
    return user_rank(user) >= role_rank(role)


def sees_drafts(user) -> bool:
    """Editors and up read drafts, archived documents, history and diffs."""
    return has_role(user, "editor")


def visible_documents(user) -> Select:
    """The documents this user may read, as a query to filter further."""
    query = select(Document)
    if sees_drafts(user):
        return query
    query = query.where(Document.status == "published")
    if has_role(user, "agent"):
        return query
    return query.where(Document.audience == "public", Document.kind == "article")


def index_level(doc: Document) -> str | None:
    """Who may find a document in search; the twin of visible_documents() for the index.

    public: everyone (published public articles); internal: agents and up (other published
    documents); draft: editors who ask for drafts; None: not searchable (archived).
    """
    if doc.status == "published":
        return "public" if doc.audience == "public" and doc.kind == "article" else "internal"
    return "draft" if doc.status == "draft" else None


def search_levels(user, include_drafts: bool = False) -> frozenset[str]:
    """The index levels this user's searches, suggestions and counts may draw from."""
    if sees_drafts(user):
        return frozenset(
            {"public", "internal", "draft"} if include_drafts else {"public", "internal"}
        )
    if has_role(user, "agent"):
        return frozenset({"public", "internal"})
    return frozenset({"public"})


def can_read(user, doc: Document) -> bool:
    if sees_drafts(user):
        return True
    if doc.status != "published":
        return False
    return has_role(user, "agent") or (doc.audience == "public" and doc.kind == "article")


def get_visible_or_404(slug: str, user) -> Document:
    """The document with this slug if the user may read it; otherwise a 404, never a 403."""
    doc = db.session.scalar(visible_documents(user).where(Document.slug == slug))
    if doc is None:
        abort(404)
    return doc


def can_edit(user, doc: Document | None = None) -> bool:
    """Create, edit, publish, restore: editor and up, and at least the document's min_edit_role."""
    if not has_role(user, "editor"):
        return False
    return doc is None or has_role(user, doc.min_edit_role)


def can_set_min_edit_role(user) -> bool:
    return has_role(user, "supervisor")


def can_comment(user) -> bool:
    return has_role(user, "agent")


def is_admin(user) -> bool:
    return has_role(user, "admin")
