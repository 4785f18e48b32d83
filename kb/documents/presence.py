"""Who else has a document's editor open ("Ook bezig met dit document: Anna (sinds 3 min)").

The editor page's script reports every minute through a CSRF-protected POST; a person not
heard from within WINDOW has left. Kept in the database, so every web worker and host sees
it. Not audited: it records no content, only who is looking, and it is rewritten every minute.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from kb.db import unit_of_work, utcnow
from kb.documents.models import Document, EditorPresence
from kb.extensions import db

WINDOW = timedelta(minutes=3)  # the page reports every HEARTBEAT seconds
HEARTBEAT = 60
FORGET = timedelta(days=1)


@dataclass(frozen=True)
class Present:
    name: str
    since: datetime
    minutes: int


def report(doc: Document, user, now: datetime | None = None) -> None:
    """``user`` has ``doc``'s editor open (just opened, or still). A return after more than
    WINDOW away counts as opening it again."""
    now = now or utcnow()
    for attempt in range(2):
        try:
            with unit_of_work():
                row = db.session.scalar(
                    select(EditorPresence).where(
                        EditorPresence.document_id == doc.id, EditorPresence.user_id == user.id
                    )
                )
                if row is None:
                    db.session.add(
                        EditorPresence(
                            document_id=doc.id, user_id=user.id, started_at=now, seen_at=now
                        )
                    )
                else:
                    if row.seen_at < now - WINDOW:
                        row.started_at = now
                    row.seen_at = now
                db.session.execute(
                    delete(EditorPresence).where(
                        EditorPresence.document_id == doc.id, EditorPresence.seen_at < now - FORGET
                    )
                )
                db.session.flush()
            return
        except IntegrityError:  # the same person's other tab inserted first: update it
            if attempt:
                raise


def leave(doc: Document, user) -> None:
    """``user`` is done editing ``doc`` (saved it)."""
    with unit_of_work():
        db.session.execute(
            delete(EditorPresence).where(
                EditorPresence.document_id == doc.id, EditorPresence.user_id == user.id
            )
        )


def others(doc: Document, user, now: datetime | None = None) -> list[Present]:
    """The other people with ``doc``'s editor open, longest first."""
    now = now or utcnow()
    rows = db.session.scalars(
        select(EditorPresence)
        .where(
            EditorPresence.document_id == doc.id,
            EditorPresence.user_id != user.id,
            EditorPresence.seen_at >= now - WINDOW,
        )
        .order_by(EditorPresence.started_at)
    )
    return [
        Present(
            row.user.display_name,
            row.started_at,
            max(int((now - row.started_at).total_seconds() // 60), 0),
        )
        for row in rows
    ]


def describe(present: list[Present]) -> str:
    """ "Ook bezig met dit document: Anna de Vries (sinds 3 min)", or "" when nobody is."""
    if not present:
        return ""
    names = ", ".join(
        _("%(name)s (sinds %(n)d min)", name=p.name, n=p.minutes)
        if p.minutes
        else _("%(name)s (zojuist begonnen)", name=p.name)
        for p in present
    )
    return _("Ook bezig met dit document: %(names)s", names=names)
