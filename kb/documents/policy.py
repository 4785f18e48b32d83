"""Who may do what: one table of rights, from which the SQL gate, the search levels and every
per-action check are derived. Views, the API, search and the CLI ask this module; none of them
compares role names itself. Whatever a reader may not see answers NotFound, never Forbidden.
"""

from collections.abc import Iterable
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, select

from kb.auth.models import Role, role_rank
from kb.documents.models import (
    POLICY_CATEGORY,
    Audience,
    CategorySetting,
    Channel,
    Document,
    Kind,
    Status,
)
from kb.errors import Forbidden, NotFound, Unauthorized
from kb.extensions import db


class Action(StrEnum):
    READ = "read"  # a document at a level the user may read (see LEVEL_ROLE)
    READ_DRAFTS = "read_drafts"  # drafts, archived documents, history, diffs, revisions
    COMMENT = "comment"
    CREATE = "create"
    EDIT = "edit"  # edit, publish, unpublish, archive, restore: also needs min_edit_role
    SET_MIN_EDIT_ROLE = "set_min_edit_role"
    USE_CONSOLE = "use_console"  # the agents' workspace
    HANDLE_TICKETS = "handle_tickets"  # create, note, resolve tickets; file article requests
    MANAGE_REQUESTS = "manage_requests"  # fulfil or reject requests; the knowledge dashboard
    MANAGE_USERS = "manage_users"  # accounts, roles and the audit log
    ACKNOWLEDGE = "acknowledge"  # confirm having read a changed script or policy
    SUBMIT_REVIEW = "submit_review"  # submit a revision for review (also needs EDIT)
    REVIEW = "review"  # approve or return a revision; see who acknowledged
    HANDLE_SUGGESTIONS = "handle_suggestions"  # the suggestion inbox; owners, verify-by dates
    MANAGE_CATEGORIES = "manage_categories"  # per-category settings (review, description)


# The least role for each action; None: anyone, also anonymous customers (SPEC §2).
MIN_ROLE: dict[Action, Role | None] = {
    Action.READ: None,
    Action.READ_DRAFTS: Role.EDITOR,
    Action.COMMENT: Role.AGENT,
    Action.CREATE: Role.EDITOR,
    Action.EDIT: Role.EDITOR,
    Action.SET_MIN_EDIT_ROLE: Role.SUPERVISOR,
    Action.USE_CONSOLE: Role.AGENT,
    Action.HANDLE_TICKETS: Role.AGENT,
    Action.MANAGE_REQUESTS: Role.EDITOR,
    Action.MANAGE_USERS: Role.ADMIN,
    Action.ACKNOWLEDGE: Role.AGENT,
    Action.SUBMIT_REVIEW: Role.EDITOR,
    Action.REVIEW: Role.SUPERVISOR,
    Action.HANDLE_SUGGESTIONS: Role.EDITOR,
    Action.MANAGE_CATEGORIES: Role.SUPERVISOR,
}

# Reading levels, from narrow to wide: the least role that reads each, and which documents
# belong to it. The index stores a document's level; the SQL gate is the widest level's rule.
LEVELS = ("public", "internal", "draft")
LEVEL_ROLE: dict[str, Role | None] = {
    "public": None,
    "internal": Role.AGENT,
    "draft": MIN_ROLE[Action.READ_DRAFTS],
}


def _level_rule(level: str) -> ColumnElement[bool] | None:
    """The documents a level adds; None: every document (drafts and archived too)."""
    published = Document.status == Status.PUBLISHED
    if level == "public":
        return and_(published, Document.audience == Audience.PUBLIC, Document.kind == Kind.ARTICLE)
    if level == "internal":
        return published
    return None


def user_rank(user) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return role_rank(user.role)


def has_role(user, role: Role | None) -> bool:
    return role is None or user_rank(user) >= role_rank(role)


def allowed(user, action: Action, doc: Document | None = None) -> bool:
    """May ``user`` do ``action`` (to ``doc``, when given)? Reading is checked by readable()."""
    if not has_role(user, MIN_ROLE[action]):
        return False
    if action is Action.EDIT and doc is not None:
        return has_role(user, Role(doc.min_edit_role))
    return True


def reading_levels(user) -> tuple[str, ...]:
    """The levels this user reads, narrow to wide."""
    return tuple(level for level in LEVELS if has_role(user, LEVEL_ROLE[level]))


def sees_drafts(user) -> bool:
    """Editors and up read drafts, archived documents, history and diffs."""
    return allowed(user, Action.READ_DRAFTS)


def visible_documents(user) -> Select:
    """The documents this user may read, as a query to filter further: the one SQL gate."""
    rule = _level_rule(reading_levels(user)[-1])
    query = select(Document)
    return query if rule is None else query.where(rule)


def index_level(doc: Document) -> str | None:
    """The narrowest level that reads ``doc``, stored in the search index; None: not searchable.

    The twin of _level_rule(): archived documents are read by editors but never searched.
    """
    if doc.status == Status.ARCHIVED:
        return None
    if doc.status != Status.PUBLISHED:
        return "draft"
    if doc.audience == Audience.PUBLIC and doc.kind == Kind.ARTICLE:
        return "public"
    return "internal"


def search_levels(user, include_drafts: bool = False) -> frozenset[str]:
    """The index levels this user's searches, suggestions and counts may draw from."""
    levels = set(reading_levels(user))
    if not include_drafts:
        levels.discard("draft")
    return frozenset(levels)


def visible_in_order(user, ids: Iterable[int]) -> list[Document]:
    """The documents among ``ids`` that ``user`` may read, in the order of ``ids``: for lists
    worked out once and shared (kb.page_cache.remembered), loaded again through the gate."""
    ids = list(ids)
    if not ids:
        return []
    found = {
        d.id: d for d in db.session.scalars(visible_documents(user).where(Document.id.in_(ids)))
    }
    return [found[i] for i in ids if i in found]


def load_for(user, slug: str, action: Action = Action.READ) -> Document:
    """The document ``slug`` if ``user`` may do ``action`` to it.

    Raises NotFound when the user may not read it (or, for READ_DRAFTS and EDIT, may not read
    drafts: history and editing are invisible to readers), Forbidden when the user reads it
    but may not do ``action``.
    """
    doc = db.session.scalar(visible_documents(user).where(Document.slug == slug))
    editorial = action not in (Action.READ, Action.COMMENT)
    if doc is None or (editorial and not sees_drafts(user)):
        raise NotFound()  # no detail: the page says what any missing page says
    if not allowed(user, action, doc):
        if action is Action.COMMENT and not getattr(user, "is_authenticated", False):
            raise Unauthorized(_("Log in om te reageren."))
        raise Forbidden(_("U mag dit document niet bewerken."))
    return doc


def require(user, action: Action, doc: Document | None = None) -> None:
    """Raises Unauthorized (anonymous) or Forbidden unless ``user`` may do ``action``."""
    if allowed(user, action, doc):
        return
    if not getattr(user, "is_authenticated", False):
        raise Unauthorized(_("Log eerst in."))
    if action is Action.EDIT:
        raise Forbidden(_("U mag dit document niet bewerken."))
    raise Forbidden(_("Uw rol mag dit niet."))


def default_min_edit_role(category: str, channel: str | None) -> Role:
    """Policy documents and escalation scripts are the supervisors' (SPEC §2)."""
    if category == POLICY_CATEGORY or channel == Channel.ESCALATION:
        return Role.SUPERVISOR
    return Role.EDITOR


# Categories whose revisions go through review unless a supervisor turns it off; escalation
# scripts always do (SPEC §2, issue 18).
REVIEW_DEFAULT_CATEGORIES = frozenset({POLICY_CATEGORY})


def review_required(category: str, channel: str | None) -> bool:
    """Must a revision in this place be approved by a supervisor before it is published?"""
    if channel == Channel.ESCALATION:
        return True
    setting = db.session.get(CategorySetting, category) if category else None
    if setting is not None and setting.review_required is not None:
        return setting.review_required
    return category in REVIEW_DEFAULT_CATEGORIES


def effective_min_edit_role(
    actor,
    *,
    current: str | None,
    requested: str | None,
    place_before: tuple[str, str | None] | None,
    place_after: tuple[str, str | None],
) -> Role:
    """Who may edit a document after a change, decided from the change's result.

    ``place_*`` is (category, channel) before and after; ``current`` is None for a new
    document. Moving into a supervisors' place raises the floor whatever the request says;
    only supervisors choose another value, never above their own role. Raises Forbidden
    when ``actor`` asks for something else, or could not edit the result.
    """
    floor = default_min_edit_role(*place_after)
    if current is None or place_before != place_after and role_rank(floor) > role_rank(current):
        result = floor
    else:
        result = Role(current)
    if requested is not None and requested != result:
        if not allowed(actor, Action.SET_MIN_EDIT_ROLE):
            raise Forbidden(_("Alleen een supervisor mag bepalen wie dit document bewerkt."))
        result = Role(requested)
    if not has_role(actor, result):
        raise Forbidden(
            _("Na deze wijziging mag alleen een %(role)s dit document bewerken.", role=result)
        )
    return result
