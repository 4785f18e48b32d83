"""SearchOutbox (documents whose index entry is stale), SearchLog (no personal data) and
LearnedTerm (customers' words for a document, from the tickets it solved)."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kb.db import utcnow
from kb.extensions import db

if TYPE_CHECKING:  # db.Model is made at run time; for the type checker it is our Base
    from kb.db import Base as Model
else:
    Model = db.Model


class SearchOutbox(Model):
    """Written in the same transaction as the document change, so a crash loses nothing."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchState(Model):
    """Named facts about search shared by every host: this database's installation id, how
    far the change log was pruned and the PostgreSQL index's position in it
    (kb.search.cursor), and the synonym list (row ``synonyms``, kb.search.synonyms). A value
    is a JSON or plain text."""

    __tablename__ = "search_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchLog(Model):
    """One search: masked query, who searched (a role, never a person), hits and time."""

    __tablename__ = "search_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(16))
    result_count: Mapped[int]
    took_ms: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# Times a phrase must be seen with a document before it is searched: one odd ticket never
# changes search.
MIN_SEEN = 2


class LearnedTerm(Model):
    """A masked ticket subject seen with a document it was resolved with (kb.search.learned).

    Searched as the document's lowest-weight words once ``count`` reaches MIN_SEEN and until an
    editor removes it; a removed phrase stays removed however often it is seen again.
    """

    __tablename__ = "learned_terms"
    __table_args__ = (UniqueConstraint("document_id", "phrase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    phrase: Mapped[str] = mapped_column(String(200))  # masked and folded
    count: Mapped[int] = mapped_column(default=1)
    is_removed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchEntry(Model):
    """One document as the PostgreSQL backend indexes it (unused with Whoosh).

    The columns hold terms already analysed in Python; on PostgreSQL the migration adds
    generated tsvector columns over them with GIN indexes (see the search migration).
    """

    __tablename__ = "search_entries"

    document_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    slug: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16), default="")
    category: Mapped[str] = mapped_column(String(60), default="")
    tags: Mapped[str] = mapped_column(Text, default="")  # comma-separated
    revision: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    title_terms: Mapped[str] = mapped_column(Text, default="")
    tag_terms: Mapped[str] = mapped_column(Text, default="")
    body_terms: Mapped[str] = mapped_column(Text, default="")
    part_terms: Mapped[str] = mapped_column(Text, default="")
    title_words: Mapped[str] = mapped_column(Text, default="")
    words: Mapped[str] = mapped_column(Text, default="")  # space-separated vocabulary


class SearchWord(Model):
    """How many documents of a level contain a word: the vocabulary for typo corrections."""

    __tablename__ = "search_words"

    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    word: Mapped[str] = mapped_column(String(80), primary_key=True)
    doc_count: Mapped[int] = mapped_column(default=0)
