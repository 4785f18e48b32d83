"""Per-category editorial settings: where review before publish is on, and a description.
Supervisors change them (MANAGE_CATEGORIES); policy.review_required() reads them."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from kb.audit import service as audit
from kb.db import unit_of_work, utcnow
from kb.documents.models import MAX_CATEGORY_DESCRIPTION, CategorySetting, Channel, Document
from kb.documents.policy import (
    REVIEW_DEFAULT_CATEGORIES,
    Action,
    allowed,
    require,
    visible_documents,
)
from kb.errors import Invalid, NotFound
from kb.extensions import db


@dataclass(frozen=True)
class CategoryRow:
    category: str
    documents: int
    escalation_scripts: int  # always reviewed, whatever the category says
    setting: bool | None  # the supervisor's choice; None: the default
    default: bool
    description: str

    @property
    def review_on(self) -> bool:
        return self.default if self.setting is None else self.setting


def categories(actor) -> list[CategoryRow]:
    """Every category in use, with its review setting. Raises NotFound for non-supervisors."""
    if not allowed(actor, Action.MANAGE_CATEGORIES):
        raise NotFound()
    visible = visible_documents(actor).with_only_columns(Document.id)
    escalation = func.sum(case((Document.channel == Channel.ESCALATION, 1), else_=0))
    counts = db.session.execute(
        select(Document.category, func.count(), escalation)
        .where(
            Document.category != "",
            Document.id.in_(visible),
        )
        .group_by(Document.category)
        .order_by(Document.category)
    ).all()
    settings = {s.category: s for s in db.session.scalars(select(CategorySetting))}
    rows = []
    for category, n, scripts in counts:
        setting = settings.get(category)
        rows.append(
            CategoryRow(
                category=category,
                documents=n,
                escalation_scripts=int(scripts or 0),
                setting=setting.review_required if setting else None,
                default=category in REVIEW_DEFAULT_CATEGORIES,
                description=setting.description if setting else "",
            )
        )
    return rows


def set_review(
    category: str, actor, required: bool | None, description: str | None = None
) -> CategorySetting:
    """Turn review on (True), off (False) or back to the default (None) for a category in
    use, and set its description when given. Raises Forbidden, NotFound (no document has this
    category), Invalid (description too long)."""
    require(actor, Action.MANAGE_CATEGORIES)
    in_use = db.session.scalar(select(Document.id).where(Document.category == category).limit(1))
    if not category or in_use is None:
        raise NotFound(_("Er is geen categorie '%(c)s'.", c=category))
    if description is not None:
        description = description.strip()
        if len(description) > MAX_CATEGORY_DESCRIPTION:
            raise Invalid({"description": _("Hoogstens %(n)d tekens.", n=MAX_CATEGORY_DESCRIPTION)})
    with unit_of_work():
        setting = db.session.get(CategorySetting, category)
        if setting is None:
            setting = CategorySetting(category=category, review_required=None, description="")
            db.session.add(setting)
        before = (setting.review_required, setting.description)
        setting.review_required = required
        if description is not None:
            setting.description = description
        setting.updated_at = utcnow()
        if (setting.review_required, setting.description) != before:
            audit.record(
                actor,
                "category.update",
                "category",
                category,
                review_required=required,
                description=setting.description,
            )
    return setting
