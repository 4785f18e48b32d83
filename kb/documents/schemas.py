"""Input models of the document writes: the one place that checks and normalises fields.

The API validates requests with them, web forms and the content import build them, and the
service takes them; the service itself keeps only cross-field and database rules.
"""

import re
from typing import Annotated, Any, TypeVar

from flask_babel import gettext as _
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from kb.auth.models import Role
from kb.documents.models import (
    CATEGORY_PATTERN,
    MAX_BODY,
    MAX_CATEGORY,
    MAX_MESSAGE,
    MAX_SLUG,
    MAX_TAG,
    MAX_TAGS,
    MAX_TITLE,
    SLUG_PATTERN,
    TAG_PATTERN,
    Audience,
    Channel,
    Kind,
    Language,
)
from kb.errors import invalid_from

Model = TypeVar("Model", bound=BaseModel)


def strip_text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _body(value: Any) -> Any:
    return value.replace("\r\n", "\n").rstrip() if isinstance(value, str) else value


def _none_if_blank(value: Any) -> Any:
    return None if value == "" else value


def _category(value: Any) -> Any:
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    value = value.strip().lower()
    if value and not re.match(CATEGORY_PATTERN, value):
        raise ValueError(_("Een categorie bestaat uit kleine letters, cijfers en '-'."))
    return value


def _tags(value: Any) -> Any:
    """Lower case, without repeats or empty ones."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        return value
    tags = [str(t).strip().lower() for t in value]
    tags = list(dict.fromkeys(t for t in tags if t))
    if any(not re.match(TAG_PATTERN, t) for t in tags):
        raise ValueError(
            _("Een tag is hoogstens %(n)d letters, cijfers, spaties of '-'.", n=MAX_TAG)
        )
    return tags


def _slug(value: Any) -> Any:
    if value in (None, ""):
        return None
    if isinstance(value, str) and not re.match(SLUG_PATTERN, value):
        raise ValueError(
            _("Een slug bestaat uit kleine letters a-z, cijfers en '-', hoogstens 120.")
        )
    return value


Title = Annotated[str, BeforeValidator(strip_text), Field(min_length=1, max_length=MAX_TITLE)]
Body = Annotated[str, BeforeValidator(_body), Field(max_length=MAX_BODY)]
Category = Annotated[str, BeforeValidator(_category), Field(max_length=MAX_CATEGORY)]
Tags = Annotated[list[str], BeforeValidator(_tags), Field(max_length=MAX_TAGS)]
Slug = Annotated[Annotated[str, Field(max_length=MAX_SLUG)] | None, BeforeValidator(_slug)]
Message = Annotated[str, BeforeValidator(strip_text), Field(max_length=MAX_MESSAGE)]
OptionalChannel = Annotated[Channel | None, BeforeValidator(_none_if_blank)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)


class DocumentCreate(Input):
    """A new document: revision 1, a draft."""

    kind: Kind
    title: Title
    body: Body = ""
    audience: Audience = Audience.PUBLIC
    category: Category = ""
    tags: Tags = Field(default_factory=list)
    channel: OptionalChannel = None
    slug: Slug = None
    min_edit_role: Annotated[Role | None, BeforeValidator(_none_if_blank)] = None
    language: Language = Language.NL
    message: Message = ""


class DocumentUpdate(Input):
    """Changed fields only: a field that is not set keeps its value."""

    title: Title | None = None
    body: Body | None = None
    audience: Audience | None = None
    category: Category | None = None
    tags: Tags | None = None
    channel: OptionalChannel = None
    min_edit_role: Annotated[Role | None, BeforeValidator(_none_if_blank)] = None
    language: Language | None = None
    message: Message = ""

    def changes(self) -> dict[str, Any]:
        """The fields the caller set, for comparing and the audit log."""
        own = DocumentUpdate.model_fields
        return {name: getattr(self, name) for name in self.model_fields_set if name in own}


def parse(model: type[Model], data: dict[str, Any]) -> Model:
    """Build ``model`` from plain data (a form, a file). Raises Invalid naming every field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_from(exc) from None
