"""IdempotencyKey: a POST or PUT to the API that a client may safely send again."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kb.db import utcnow
from kb.extensions import Model


class IdempotencyKey(Model):
    """One client key per user: the request it stood for and, once answered, the answer.

    ``work_done_at`` is set in the same transaction as the work itself (kb.db.unit_of_work),
    so a retry after a lost answer knows whether the work happened.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of method, path and body
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    work_done_at: Mapped[datetime | None]
    status_code: Mapped[int | None]  # None while the first request is still being handled
    content_type: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[str | None] = mapped_column(Text)
