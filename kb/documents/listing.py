"""The editors' document list (/documenten): search, filters, sorting and paging, all in SQL.

Every query starts from the policy's gate (visible_documents), like kb.documents.reading.
"""

from dataclasses import dataclass, field, fields
from datetime import date

from sqlalchemy import case, func, or_

from kb.auth.models import User
from kb.documents.models import (
    AUDIENCES,
    KINDS,
    MAX_TITLE,
    STATUSES,
    CategorySetting,
    Document,
    Status,
)
from kb.documents.policy import visible_documents
from kb.documents.reading import Page
from kb.extensions import db
from kb.feedback.models import Comment, SuggestionStatus

SORTS = ("gewijzigd", "titel", "status", "verifieren")
MINE = "mij"  # owner=mij: "Mijn documenten"


@dataclass
class Filters:
    """The list's query string, checked: unknown values count as not given."""

    q: str = ""
    kind: str = ""
    status: str = ""
    category: str = ""
    audience: str = ""
    owner: str = ""  # a user id, or MINE
    suggestions: bool = False  # only documents with open suggestions
    due: bool = False  # only documents whose verify-by date has come
    sort: str = "gewijzigd"

    @classmethod
    def from_args(cls, args) -> "Filters":
        owner = args.get("owner", "").strip()
        return cls(
            q=args.get("q", "").strip()[:MAX_TITLE],
            kind=_one_of(args.get("kind", ""), KINDS),
            status=_one_of(args.get("status", ""), STATUSES),
            category=args.get("category", "").strip()[:60],
            audience=_one_of(args.get("audience", ""), AUDIENCES),
            owner=owner if owner == MINE or (owner.isdigit() and len(owner) <= 9) else "",
            suggestions=args.get("suggestions") == "1",
            due=args.get("due") == "1",
            sort=_one_of(args.get("sort", ""), SORTS) or "gewijzigd",
        )

    def args(self, **changes) -> dict[str, str]:
        """The query string for a link that keeps these filters (``changes`` applied)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)} | changes
        out = {}
        for name, value in values.items():
            if value is True:
                out[name] = "1"
            elif value and not (name == "sort" and value == "gewijzigd"):
                out[name] = str(value)
        return out

    @property
    def active(self) -> bool:
        """Is the list narrowed down at all (sorting does not count)?"""
        return bool(self.args(sort="gewijzigd"))


def _one_of(value: str, allowed: tuple) -> str:
    return value if value in allowed else ""


@dataclass
class Listing(Page):
    open_suggestions: dict[int, int] = field(default_factory=dict)


def _open_counts():
    return (
        db.select(Comment.document_id, func.count().label("n"))
        .where(Comment.status == SuggestionStatus.OPEN)
        .group_by(Comment.document_id)
        .subquery()
    )


def list_for_editors(
    user, filters: Filters, page: int = 1, per_page: int = 25, today: date | None = None
) -> Listing:
    """One page of the documents ``user`` may read, narrowed by ``filters``, counted and paged
    in SQL, with each document's number of open suggestions."""
    today = today or date.today()
    counts = _open_counts()
    query = visible_documents(user).outerjoin(counts, counts.c.document_id == Document.id)
    if filters.q:
        like = f"%{_escape_like(filters.q.lower())}%"
        query = query.where(
            or_(
                func.lower(Document.title).like(like, escape="\\"),
                Document.slug.like(like, escape="\\"),
            )
        )
    for name in ("kind", "status", "category", "audience"):
        if value := getattr(filters, name):
            query = query.where(getattr(Document, name) == value)
    if filters.owner:
        owner = user.id if filters.owner == MINE else int(filters.owner)
        query = query.where(Document.owner_id == owner)
    if filters.suggestions:
        query = query.where(counts.c.n > 0)
    if filters.due:
        query = query.where(Document.verify_by <= today)
    counted = query.with_only_columns(func.count(), maintain_column_froms=True)
    total = db.session.scalar(counted.order_by(None)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        query.add_columns(func.coalesce(counts.c.n, 0))
        .order_by(*_ordering(filters.sort))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    listing = Listing([doc for doc, _n in rows], total, page, per_page, filters.args())
    listing.open_suggestions = {doc.id: n for doc, n in rows if n}
    return listing


def _ordering(sort: str) -> tuple:
    if sort == "titel":
        return (func.lower(Document.title), Document.id)
    if sort == "status":
        rank = case(
            (Document.status == Status.DRAFT, 0), (Document.status == Status.PUBLISHED, 1), else_=2
        )
        return (rank, Document.updated_at.desc(), Document.id.desc())
    if sort == "verifieren":  # the soonest date first, documents without one last
        return (Document.verify_by.is_(None), Document.verify_by, func.lower(Document.title))
    return (Document.updated_at.desc(), Document.id.desc())


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def category_names(user) -> list[str]:
    """Every category in use among the documents ``user`` reads, and those with settings."""
    used = db.session.scalars(
        visible_documents(user)
        .where(Document.category != "")
        .with_only_columns(Document.category)
        .distinct()
    ).all()
    configured = db.session.scalars(db.select(CategorySetting.category)).all()
    return sorted(set(used) | set(configured))


def owners(user) -> list[tuple[int, str]]:
    """(id, name) of everyone who owns a document ``user`` reads, by name."""
    ids = (
        visible_documents(user)
        .where(Document.owner_id.is_not(None))
        .with_only_columns(Document.owner_id)
        .distinct()
    )
    people = db.session.scalars(db.select(User).where(User.id.in_(ids.scalar_subquery())))
    return sorted(((u.id, u.display_name) for u in people), key=lambda p: p[1].lower())
