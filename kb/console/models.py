"""DocumentUse: how often the team opened a document in the console, per day; no person kept."""

from datetime import date

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kb.extensions import Model


class DocumentUse(Model):
    __tablename__ = "document_uses"
    __table_args__ = (UniqueConstraint("document_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    day: Mapped[date]
    opens: Mapped[int] = mapped_column(default=0)
