"""SearchClick: a result opened from the search page, to tell which searches help nobody.

Kept as small as the search log: the masked, normalised query, the document, the searcher's
role (never a person), the time. No user id, no IP, no session. Written by
kb.dashboard.searches.record_click, read by the search insights ("nobody opened a result").
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kb.db import utcnow
from kb.extensions import Model

MAX_QUERY = 200  # as SearchLog.query


class SearchClick(Model):
    __tablename__ = "search_clicks"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(MAX_QUERY))  # masked, then normalised
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    audience: Mapped[str] = mapped_column(String(16))  # "anonymous" or a role
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
