"""SearchOutbox (documents whose index entry is stale) and SearchLog (no personal data)."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kb.db import utcnow
from kb.extensions import db


class SearchOutbox(db.Model):
    """Written in the same transaction as the document change, so a crash loses nothing."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchLog(db.Model):
    """One search: masked query, who searched (a role, never a person), hits and time."""

    __tablename__ = "search_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(16))
    result_count: Mapped[int]
    took_ms: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
