"""record(): add an audit event to the current unit of work."""

from typing import Any

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


def recent(limit: int = 100, offset: int = 0) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
        )
    )
