"""Document and Revision. A revision is written once and never changed."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, and_
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


class Document(Model):
    __tablename__ = "documents"

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
