"""record() and record_many(): add audit events to the current unit of work."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import get_timezone
from sqlalchemy import insert

from kb.audit.models import AuditEvent
from kb.extensions import db


def record(actor, action: str, target_type: str, target_id: Any, **detail: Any) -> AuditEvent:
    """Record a write; call inside the unit of work of the write it describes."""
    actor_id = getattr(actor, "id", None) if actor is not None else None
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        detail=detail,
    )
    db.session.add(event)
    return event


def record_many(actor, events: Iterable[tuple[str, str, Any, dict[str, Any]]]) -> None:
    """record() for many writes at once, (action, target_type, target_id, detail) each, in
    one statement (a bulk import's events)."""
    actor_id = getattr(actor, "id", None) if actor is not None else None
    rows = [
        {
            "actor_id": actor_id,
            "action": action,
            "target_type": target_type,
            "target_id": str(target_id),
            "detail": detail,
        }
        for action, target_type, target_id, detail in events
    ]
    if rows:
        db.session.execute(insert(AuditEvent), rows)


def recent(limit: int = 100, offset: int = 0) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
        )
    )


@dataclass(frozen=True)
class Filters:
    """What the audit page asks for; every part optional. Dates are local calendar days."""

    actor_id: int | None = None
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


def search(filters: Filters, limit: int, offset: int = 0) -> list[AuditEvent]:
    """Events matching ``filters``, newest first."""
    query = db.select(AuditEvent)
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.target_type:
        query = query.where(AuditEvent.target_type == filters.target_type)
    if filters.target_id:
        query = query.where(AuditEvent.target_id == filters.target_id)
    if filters.date_from is not None:
        query = query.where(AuditEvent.created_at >= _day_start(filters.date_from))
    if filters.date_to is not None:
        query = query.where(AuditEvent.created_at < _day_start(filters.date_to + timedelta(days=1)))
    query = query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    return list(db.session.scalars(query.limit(limit).offset(offset)))


def _day_start(day: date) -> datetime:
    """Midnight of ``day`` in the app's time zone, in UTC."""
    local = datetime.combine(day, time.min, tzinfo=get_timezone())
    return local.astimezone(UTC)


def target_key(target_type: str, text: str) -> str:
    """The stored target id for what an admin typed: a ticket's external reference or an
    account's e-mail address become their ids; anything else is taken as typed."""
    text = text.strip()
    if not text or text.isdigit():
        return text
    if target_type == "ticket":
        from kb.tickets.models import Ticket

        found = db.session.scalar(db.select(Ticket.id).where(Ticket.external_ref == text))
        return str(found) if found is not None else text
    if target_type == "user":
        from kb.auth.models import User

        found = db.session.scalar(db.select(User.id).where(User.email == text.lower()))
        return str(found) if found is not None else text
    return text
