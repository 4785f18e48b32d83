"""Read use cases for pages, the API and the console: lists, categories, popular articles.

Every query starts from the policy's gate, so what a role may not read is never counted.
"""

import math
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import func

from kb import page_cache
from kb.documents import tag_index, views_count
from kb.documents.models import CategorySetting, Document, Kind, Status
from kb.documents.policy import reading_levels, sees_drafts, visible_documents, visible_in_order
from kb.extensions import db

FILTERS = ("kind", "channel", "category", "status", "tag")


@dataclass
class Page:
    items: list[Document]
    total: int
    page: int
    per_page: int
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def list_visible(
    user,
    filters: dict[str, str] | None = None,
    page: int = 1,
    per_page: int = 20,
    order: str = "slug",
) -> Page:
    """One page of the documents ``user`` may read, filtered and counted in SQL.

    ``filters`` may name kind, channel, category, status and tag; ``order`` is ``slug`` or
    ``updated`` (newest first).
    """
    filters = {k: v for k, v in (filters or {}).items() if k in FILTERS and v}
    query = visible_documents(user)
    for name in ("kind", "channel", "category", "status"):
        if name in filters:
            query = query.where(getattr(Document, name) == filters[name])
    if "tag" in filters:
        query = query.where(Document.id.in_(tag_index.tagged([filters["tag"]])))
    counted = query.with_only_columns(func.count(), maintain_column_froms=True)
    total = db.session.scalar(counted.order_by(None)) or 0
    # Readers who may not see drafts sort by the published time: a pending edit must not move
    # a document up their list.
    changed = Document.updated_at if sees_drafts(user) else Document.published_at
    ordering = (changed.desc(), Document.id.desc()) if order == "updated" else (Document.slug,)
    items = db.session.scalars(
        query.order_by(*ordering).limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    return Page(list(items), total, max(page, 1), per_page, filters)


def audiences(user, slugs: list[str]) -> dict[str, str]:
    """Slug -> audience for the documents among ``slugs`` that ``user`` reads (for labels)."""
    if not slugs:
        return {}
    rows = db.session.execute(
        visible_documents(user)
        .where(Document.slug.in_(slugs))
        .with_only_columns(Document.slug, Document.audience)
    )
    return dict(rows.tuples().all())


class Category(NamedTuple):
    slug: str
    label: str
    articles: int  # published articles the reader may read
    description: str  # written by a supervisor on the category settings page; "" when none


def label(category: str) -> str:
    return category.replace("-", " ").capitalize()


def categories(user) -> list[Category]:
    """Every category with published articles ``user`` reads, with its description: counted
    once per generation for everyone at the same reading level (page_cache.remembered; a
    count over every document took 108 ms a home page at 100 000 documents)."""
    level = reading_levels(user)[-1]
    return list(page_cache.remembered("categories", level, lambda: _categories(user)))


def _categories(user) -> tuple[Category, ...]:
    query = (
        visible_documents(user)
        .where(
            Document.kind == Kind.ARTICLE,
            Document.status == Status.PUBLISHED,
            Document.category != "",
        )
        .with_only_columns(Document.category, func.count())
        .group_by(Document.category)
        .order_by(Document.category)
    )
    counted = db.session.execute(query).tuples().all()
    descriptions = description_of([c for c, _ in counted])
    return tuple(Category(c, label(c), n, descriptions.get(c, "")) for c, n in counted)


def description_of(names: list[str]) -> dict[str, str]:
    """Category -> its description, for the categories among ``names`` that have one.
    Ask only for categories the reader reads: a description says what a category holds."""
    if not names:
        return {}
    rows = db.session.execute(
        db.select(CategorySetting.category, CategorySetting.description).where(
            CategorySetting.category.in_(names), CategorySetting.description != ""
        )
    )
    return {c: (d or "").strip() for c, d in rows.tuples() if (d or "").strip()}


CATEGORY_PAGE = 50  # documents per category page: a big category is paged, not sent whole


def in_category(user, category: str, page: int = 1, per_page: int | None = None) -> Page:
    """One page (CATEGORY_PAGE documents unless ``per_page``) of the published documents of
    one category that ``user`` reads, scripts after articles, counted in SQL."""
    per_page = per_page or CATEGORY_PAGE
    key = (reading_levels(user)[-1], category, page, per_page)
    total, page, ids = page_cache.remembered(
        "category", key, lambda: _in_category(user, category, page, per_page)
    )
    return Page(visible_in_order(user, ids), total, page, per_page)


def _in_category(user, category: str, page: int, per_page: int) -> tuple[int, int, tuple]:
    """(total, the page shown, its document ids): the count and the sort over a category
    took 15 ms a page at 100 000 documents; shared per generation (page_cache.remembered)."""
    query = visible_documents(user).where(
        Document.category == category, Document.status == Status.PUBLISHED
    )
    counted = query.with_only_columns(func.count(), maintain_column_froms=True)
    total = db.session.scalar(counted.order_by(None)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    ids = db.session.scalars(
        query.with_only_columns(Document.id)
        .order_by(Document.kind, Document.published_title, Document.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return total, page, tuple(ids)


def popular(user, limit: int = 6) -> list[Document]:
    """The published articles ``user`` reads that were read most in the last 30 days (counted
    by kb.documents.views_count), the newest first after those."""
    return views_count.most_read(user, limit)
