"""Request and response models of the API; they validate input and describe the OpenAPI doc."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from kb.auth.models import Role
from kb.documents.models import MAX_CATEGORY, MAX_TAG, Audience, Channel, Kind, Status
from kb.documents.schemas import DocumentCreate, DocumentUpdate
from kb.feedback.schemas import CommentCreate

__all__ = ["CommentCreate", "DocumentCreate"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocumentEdit(DocumentUpdate):
    """An edit names the revision it started from; a stale one is a 409."""

    base_revision: int = Field(ge=1, description="The revision this edit started from.")


class PublishRequest(Strict):
    revision: int | None = Field(default=None, ge=1)
    acknowledge: bool = Field(
        default=False, description="Agents must confirm they read this revision."
    )


class RestoreRequest(Strict):
    revision: int = Field(ge=1)


class FeedbackRequest(Strict):
    helpful: StrictBool


class ListQuery(Strict):
    kind: Kind | None = None
    channel: Channel | None = None
    category: str | None = Field(default=None, max_length=MAX_CATEGORY)
    status: Status | None = None
    tag: str | None = Field(default=None, max_length=MAX_TAG)
    page: int = Field(default=1, ge=1, le=10_000)
    limit: int = Field(default=20, ge=1, le=100)


class RevisionQuery(Strict):
    revision: int | None = Field(default=None, ge=1)


class DiffQuery(Strict):
    from_: int = Field(alias="from", ge=1)
    to: int = Field(ge=1)


class SearchQuery(Strict):
    q: str = Field(default="", max_length=200)
    kind: Kind | None = None
    channel: Channel | None = None
    category: str | None = Field(default=None, max_length=MAX_CATEGORY, pattern=r"^[a-z0-9-]+$")
    tag: str | None = Field(default=None, max_length=MAX_TAG)
    drafts: bool = Field(default=False, description="Editors: include drafts.")
    page: int = Field(default=1, ge=1, le=500)
    limit: int = Field(default=20, ge=1, le=50)


class SuggestQuery(Strict):
    q: str = Field(min_length=1, max_length=100)
    limit: int = Field(default=8, ge=1, le=20)


class DocumentSummary(BaseModel):
    slug: str
    kind: Kind
    audience: Audience
    channel: Channel | None
    category: str
    tags: list[str]
    language: str
    status: Status
    title: str
    revision: int
    published_revision: int | None
    updated_at: datetime
    url: str


class DocumentOut(DocumentSummary):
    min_edit_role: Role
    body: str
    html: str


class DocumentList(BaseModel):
    items: list[DocumentSummary]
    total: int
    page: int
    pages: int


class RevisionOut(BaseModel):
    number: int
    title: str
    author: str | None
    created_at: datetime
    message: str
    published: bool


class RevisionList(BaseModel):
    slug: str
    current: int
    published: int | None
    revisions: list[RevisionOut]


class DiffLineOut(BaseModel):
    op: Literal[" ", "-", "+", "@"]
    text: str


class DiffOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    slug: str
    from_: int = Field(alias="from")
    to: int
    unified: str
    lines: list[DiffLineOut]
    html: str


class FeedbackOut(BaseModel):
    slug: str
    helpful: bool
    revision: int | None


class CommentOut(BaseModel):
    id: int
    slug: str
    kind: str
    body: str
    author: str
    revision: int | None
    created_at: datetime


class SearchResult(BaseModel):
    slug: str
    kind: Kind
    channel: Channel | None
    title: str
    snippet: str
    url: str
    score: float


class SearchOut(BaseModel):
    query: str
    total: int
    suggestion: str | None
    results: list[SearchResult]
    facets: dict[str, dict[str, int]]
    page: int
    pages: int


class Suggestion(BaseModel):
    slug: str
    kind: Kind
    title: str
    url: str


class SuggestOut(BaseModel):
    query: str
    suggestions: list[Suggestion]


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: dict[str, str] | None = None
    current_revision: int | None = None


FieldValue = str | list[str] | None


class MergeConflictOut(BaseModel):
    """Lines both sides changed differently: pick mine, theirs, or both, then PUT again."""

    index: int
    line: int = Field(description="1-based line in merge.body where its first marker stands.")
    base: str = Field(description="The lines as they were in base_revision.")
    mine: str = Field(description="The lines as this request had them.")
    theirs: str = Field(description="The lines as current_revision has them.")


class FieldMergeOut(BaseModel):
    base: FieldValue
    mine: FieldValue
    theirs: FieldValue
    changed_by: Literal["nobody", "mine", "theirs", "both", "conflict"]
    merged: FieldValue = Field(description="The value to send; null while it is a conflict.")


class MergeOut(BaseModel):
    """The edit merged three-way (base_revision, current_revision, this request).

    When ``clean``, PUT ``body`` and the ``merged`` fields with base_revision set to
    current_revision. Otherwise ``body`` holds each conflict between the lines
    ``<<<<<<< mijn versie``, ``||||||| basis``, ``=======`` and ``>>>>>>> hun versie``:
    resolve every one (``conflicts``) before saving.
    """

    clean: bool
    base_revision: int | None = Field(description="null when base_revision names no earlier one.")
    current_revision: int
    body: str
    conflicts: list[MergeConflictOut]
    fields: dict[str, FieldMergeOut] = Field(
        description="title, audience, channel, category, tags, language"
    )


class ConflictProblem(Problem):
    """409: the document moved on since base_revision; ``merge`` says how the edit merges."""

    current_revision: int
    merge: MergeOut | None = None
