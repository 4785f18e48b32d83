"""Document and Revision. A revision is written once and never changed."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from kb.auth.models import Role
from kb.db import utcnow
from kb.extensions import Model, db


class Kind(StrEnum):
    ARTICLE = "article"
    SCRIPT = "script"


class Audience(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class Channel(StrEnum):
    PHONE = "phone"
    CHAT = "chat"
    EMAIL = "email"
    SOCIAL = "social"
    ESCALATION = "escalation"
    VOICEMAIL = "voicemail"
    LETTER = "letter"
    IN_PERSON = "in-person"


class Status(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Language(StrEnum):
    NL = "nl"
    EN = "en"


class ReviewStatus(StrEnum):
    PENDING = "pending"  # waiting for a supervisor
    APPROVED = "approved"  # approved and published
    RETURNED = "returned"  # sent back to the editor with a comment
    WITHDRAWN = "withdrawn"  # the document moved on (a newer submission, or published otherwise)


KINDS = tuple(Kind)
AUDIENCES = tuple(Audience)
CHANNELS = tuple(Channel)
STATUSES = tuple(Status)
LANGUAGES = tuple(Language)

# Field limits: the columns, the forms and the input models all read them from here.
MAX_SLUG = 120
SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,118}[a-z0-9])?$"
MAX_TITLE = 200
MAX_BODY = 100_000
MAX_CATEGORY = 60
CATEGORY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,59}$"
MAX_TAGS = 20
MAX_TAG = 40
TAG_PATTERN = r"^\w[\w -]{0,39}$"
MAX_MESSAGE = 500
MAX_REVIEW_COMMENT = 1000
MAX_CATEGORY_DESCRIPTION = 300

POLICY_CATEGORY = "beleid"
VERSIONED = ("audience", "channel", "category", "tags", "language")


class Revision(Model):
    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    message: Mapped[str] = mapped_column(String(MAX_MESSAGE), default="")
    # Metadata is versioned with the text: a published document shows its published
    # revision's audience, category and tags until a newer revision is published.
    audience: Mapped[str] = mapped_column(String(16), default=Audience.PUBLIC)
    channel: Mapped[str | None] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(MAX_CATEGORY), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8), default=Language.NL)

    author = relationship("User", lazy="joined")

    @property
    def meta(self) -> dict:
        return {name: getattr(self, name) for name in VERSIONED}


ACK_PENDING = "ack_number IS NOT NULL"


class Document(Model):
    __tablename__ = "documents"
    # The few documents agents must acknowledge, newest first, without reading all of them
    # (the console's list: 23 ms at 100 000 documents without it, 0.8 ms with it).
    __table_args__ = (
        Index(
            "ix_documents_acknowledge",
            "published_at",
            sqlite_where=text(ACK_PENDING),
            postgresql_where=text(ACK_PENDING),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(MAX_SLUG), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    audience: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(MAX_CATEGORY), default="", index=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8), default=Language.NL)
    min_edit_role: Mapped[str] = mapped_column(String(16), default=Role.EDITOR)
    status: Mapped[str] = mapped_column(String(16), default=Status.DRAFT, index=True)
    # Denormalised from the current revision, so lists need no join.
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    # Kept apart so readers who may not see drafts never see a draft's title.
    published_title: Mapped[str | None] = mapped_column(String(MAX_TITLE))
    current_number: Mapped[int] = mapped_column(default=0)
    published_number: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    # Editorial ownership: who keeps the document true (default its creator), and by when it
    # must be checked again (None: no date). verified_at: when its owner last confirmed it.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    verify_by: Mapped[date | None] = mapped_column(index=True)
    verified_at: Mapped[datetime | None]
    # The revision agents must acknowledge ("agents moeten dit bevestigen" when it was
    # published); None: nothing to acknowledge.
    ack_number: Mapped[int | None]

    owner = relationship("User", lazy="joined", foreign_keys=[owner_id])
    revisions: Mapped[list[Revision]] = relationship(
        order_by=Revision.number, cascade="all, delete-orphan", passive_deletes=True
    )
    # Every document has revision 1 from its creation on, so there is always a current one.
    current: Mapped[Revision] = relationship(
        primaryjoin=lambda: and_(
            foreign(Revision.document_id) == Document.id,
            Revision.number == Document.current_number,
        ),
        viewonly=True,
        uselist=False,
    )
    published: Mapped[Revision | None] = relationship(
        primaryjoin=lambda: and_(
            foreign(Revision.document_id) == Document.id,
            Revision.number == Document.published_number,
        ),
        viewonly=True,
        uselist=False,
    )

    def revision(self, number: int) -> Revision | None:
        return db.session.scalar(
            db.select(Revision).where(Revision.document_id == self.id, Revision.number == number)
        )

    @property
    def has_unpublished_changes(self) -> bool:
        return self.status == Status.PUBLISHED and self.published_number != self.current_number

    def title_for(self, user_sees_drafts: bool) -> str:
        return self.title if user_sees_drafts else (self.published_title or self.title)

    @property
    def category_label(self) -> str:
        return self.category.replace("-", " ").capitalize()

    def __repr__(self) -> str:
        return f"<Document {self.slug} r{self.current_number} {self.status}>"


class DocumentTag(Model):
    """One of a document's live tags (``Document.tags``), a row each, so "shares a tag" is an
    index look-up instead of a scan of every document's JSON. Kept by ``tag_index.replace``
    wherever ``Document.tags`` is written."""

    __tablename__ = "document_tags"

    tag: Mapped[str] = mapped_column(String(MAX_TAG), primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class EditorPresence(Model):
    """Who has a document's editor open, for "Ook bezig met dit document". One row per
    document and editor, kept up to date by the editor page's heartbeat (presence.py)."""

    __tablename__ = "editor_presences"
    __table_args__ = (UniqueConstraint("document_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", lazy="joined")


class CategorySetting(Model):
    """Per-category editorial settings. A category without a row takes the defaults
    (policy.review_required: review on for `beleid`; escalation scripts always)."""

    __tablename__ = "category_settings"

    category: Mapped[str] = mapped_column(String(MAX_CATEGORY), primary_key=True)
    # None: the default for this category; True/False: a supervisor's explicit choice.
    review_required: Mapped[bool | None] = mapped_column(Boolean)
    description: Mapped[str] = mapped_column(
        String(MAX_CATEGORY_DESCRIPTION), default="", server_default=""
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Review(Model):
    """One revision submitted for review, and what a supervisor decided. The history shows
    who approved which revision from these rows."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    revision_number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.PENDING, index=True)
    # The editor asks that agents acknowledge the change once it is published.
    acknowledge: Mapped[bool] = mapped_column(default=False)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(String(MAX_REVIEW_COMMENT), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    comment: Mapped[str] = mapped_column(String(MAX_REVIEW_COMMENT), default="")

    document = relationship("Document", lazy="joined")
    submitted_by = relationship("User", lazy="joined", foreign_keys=[submitted_by_id])
    decided_by = relationship("User", lazy="joined", foreign_keys=[decided_by_id])


class Acknowledgement(Model):
    """An agent confirmed having read one revision of a script or policy."""

    __tablename__ = "acknowledgements"
    __table_args__ = (UniqueConstraint("document_id", "user_id", "revision_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    revision_number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", lazy="joined")


class DocumentView(Model):
    """How often a document was read on one day: the honest "most read" list. No person,
    address or cookie is stored; one row per document and day, counted up."""

    __tablename__ = "document_views"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True, index=True)
    views: Mapped[int] = mapped_column(default=0, server_default="0")
