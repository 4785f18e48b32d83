"""Vote ("Was dit nuttig?") and Comment. Votes hold no personal data.

A "Nee" may carry one answer to "Wat zocht u?" (``Vote.wanted``): free text, masked like the
search log before it is stored, at most MAX_WANTED characters. It counts toward the demand of
article requests whose title shares its words (kb.tickets.article_requests.demand).
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.db import utcnow
from kb.extensions import Model


class CommentKind(StrEnum):
    COMMENT = "comment"
    SUGGESTION = "suggestion"


class SuggestionStatus(StrEnum):
    """What became of a comment or suggestion; its author sees it on the document."""

    OPEN = "open"
    ACCEPTED = "accepted"  # taken into a revision (accepted_revision)
    CLOSED = "closed"  # closed with a reason


COMMENT_KINDS = tuple(CommentKind)
SUGGESTION_STATUSES = tuple(SuggestionStatus)
MAX_REASON = 500
MAX_COMMENT = 5000
MAX_WANTED = 300  # "Wat zocht u?" after a "Nee"


class Vote(Model):
    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    revision_number: Mapped[int | None]
    is_helpful: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # What the reader was looking for, after a "Nee"; masked, "" when not answered.
    wanted: Mapped[str] = mapped_column(String(MAX_WANTED), default="", server_default="")


class Comment(Model):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16), default="comment")
    body: Mapped[str] = mapped_column(Text)
    revision_number: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=SuggestionStatus.OPEN, index=True)
    reason: Mapped[str] = mapped_column(String(MAX_REASON), default="", server_default="")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None]
    accepted_revision: Mapped[int | None]

    author = relationship("User", lazy="joined", foreign_keys=[author_id])
    handled_by = relationship("User", lazy="joined", foreign_keys=[handled_by_id])
