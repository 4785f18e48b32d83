"""Each index's place in the change log, so every index follows the database on its own.

The change log is the search_outbox table: a row per document change, written in the
change's own transaction. Rows are no longer consumed by whoever applies them first: every
index (each host's Whoosh folder, the shared PostgreSQL tables) keeps a Cursor, the highest
row id it applied plus the lower ids it has not seen yet. Those exist because ids are
handed out at insert and committed later: on PostgreSQL a transaction that began earlier can
commit a lower id after a higher one was applied. Such an id stays pending until it shows up
or GAP_SECONDS pass (a rolled-back transaction never fills its id).

Rows older than KB_SEARCH_LOG_DAYS are pruned (never the newest, so SQLite cannot hand an
id out twice); an index whose position is below the pruned mark missed changes and counts
as missing. So does an index built for another database (its installation id differs).
"""

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from kb.db import utcnow
from kb.extensions import db
from kb.search.backend import IndexMissing
from kb.search.models import SearchOutbox, SearchState

GAP_SECONDS = 900.0  # how long an unseen lower id may still be committed by a slow transaction
MAX_PENDING = 10_000  # unseen ids remembered at most (the newest are kept)
LOOKBACK = 1_000  # ids below the log's end a new index treats as possibly still in flight
LOG_DAYS = 7  # default age at which change-log rows are pruned
PRUNE_EVERY = 3600.0  # seconds between prunes per process

INSTALLATION, PRUNED = "installation", "log"


@dataclass
class Cursor:
    """How far one index has applied the change log of one database (``installation``)."""

    installation: str
    position: int = 0
    pending: dict[int, float] = field(default_factory=dict)  # unseen id -> first missed (epoch)

    def to_json(self) -> str:
        return json.dumps(
            {
                "installation": self.installation,
                "position": self.position,
                "pending": {str(k): v for k, v in sorted(self.pending.items())},
            }
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> "Cursor":
        """Raises IndexMissing for anything that is not a cursor this code wrote."""
        try:
            data: Any = json.loads(raw)
            return cls(
                installation=str(data["installation"]),
                position=int(data["position"]),
                pending={int(k): float(v) for k, v in dict(data.get("pending") or {}).items()},
            )
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise IndexMissing(f"unreadable index position: {exc}") from exc


def _state(name: str) -> dict[str, Any]:
    row = db.session.get(SearchState, name)
    if row is None:
        return {}
    try:
        value = json.loads(row.value)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def put_state(name: str, value: dict[str, Any]) -> None:
    """Set a search_state row in the caller's transaction."""
    row = db.session.get(SearchState, name)
    if row is None:
        db.session.add(SearchState(name=name, value=json.dumps(value), updated_at=utcnow()))
    else:
        row.value = json.dumps(value)
        row.updated_at = utcnow()


def installation_id() -> str:
    """This database's id, made on first use; an index records it to tell databases apart.

    Raises what the database raises (a concurrent first use is resolved, not raised).
    """
    found = _state(INSTALLATION).get("id")
    if found:
        return str(found)
    new = uuid.uuid4().hex
    try:
        with db.session.begin_nested():
            db.session.add(SearchState(name=INSTALLATION, value=json.dumps({"id": new})))
    except IntegrityError:  # another process made it first
        return str(_state(INSTALLATION)["id"])
    return new


def pruned_through() -> int:
    """Every change-log id up to this one may have been pruned."""
    return int(_state(PRUNED).get("pruned_through") or 0)


def usable(cursor: Cursor) -> Cursor:
    """``cursor`` if its index can follow this database; raises IndexMissing otherwise."""
    if cursor.installation != installation_id():
        raise IndexMissing("the index was built for another database")
    if cursor.position < pruned_through():
        raise IndexMissing("the index is older than the change log: it missed changes")
    return cursor


def start() -> Cursor:
    """The cursor for an index about to be built from the database as it is now.

    Read before the documents are: rows committed meanwhile are applied again after the
    build (applying a change twice is harmless). Ids just below the end may belong to
    transactions still in flight, so the missing ones among them stay pending.
    """
    end = db.session.scalar(select(func.max(SearchOutbox.id))) or 0
    seen = set(db.session.scalars(select(SearchOutbox.id).where(SearchOutbox.id > end - LOOKBACK)))
    now = time.time()
    pending = {i: now for i in range(max(1, end - LOOKBACK + 1), end + 1) if i not in seen}
    return Cursor(installation=installation_id(), position=end, pending=pending)


def _unseen(cursor: Cursor) -> Any:
    condition = SearchOutbox.id > cursor.position
    if cursor.pending:
        condition = or_(condition, SearchOutbox.id.in_(sorted(cursor.pending)))
    return condition


def has_changes(cursor: Cursor) -> bool:
    """Whether the log holds a row this index has not applied (one indexed query)."""
    return db.session.scalar(select(SearchOutbox.id).where(_unseen(cursor)).limit(1)) is not None


def changes(cursor: Cursor, limit: int) -> list[tuple[int, int]]:
    """(row id, document id) of the next ``limit`` rows this index has not applied."""
    rows = db.session.execute(
        select(SearchOutbox.id, SearchOutbox.document_id)
        .where(_unseen(cursor))
        .order_by(SearchOutbox.id)
        .limit(limit)
    ).all()
    return [(r[0], r[1]) for r in rows]


def advance(cursor: Cursor, applied: list[int], now: float | None = None) -> Cursor:
    """The cursor after applying the rows ``applied`` (ids, as changes() returned them).

    Ids below the new position that were not among them are not visible yet: pending.
    """
    now = time.time() if now is None else now
    seen = set(applied)
    pending = {i: t for i, t in cursor.pending.items() if i not in seen and now - t < GAP_SECONDS}
    top = max(seen | {cursor.position})
    # changes() returns the lowest unseen ids, so every id in between that it did not
    # return is uncommitted or rolled back. Only the newest MAX_PENDING are remembered.
    for i in range(max(cursor.position + 1, top - MAX_PENDING), top):
        if i not in seen:
            pending.setdefault(i, now)
    if len(pending) > MAX_PENDING:
        pending = dict(sorted(pending.items())[-MAX_PENDING:])
    return Cursor(installation=cursor.installation, position=top, pending=pending)


def prune(last: list[float]) -> int:
    """Delete change-log rows older than KB_SEARCH_LOG_DAYS, at most once per PRUNE_EVERY
    per process (``last`` holds this process's time of the last prune). Returns the rows
    deleted; commits nothing (the caller's transaction)."""
    now = time.monotonic()
    if last and now - last[0] < PRUNE_EVERY:
        return 0
    last[:] = [now]
    days = float(current_app.config.get("KB_SEARCH_LOG_DAYS", LOG_DAYS))
    cutoff = utcnow() - timedelta(days=days)
    newest = db.session.scalar(select(func.max(SearchOutbox.id)))
    if newest is None:
        return 0
    old = select(SearchOutbox.id).where(SearchOutbox.created_at < cutoff, SearchOutbox.id < newest)
    through = db.session.scalar(select(func.max(old.subquery().c.id)))
    if through is None:
        return 0
    result = db.session.execute(delete(SearchOutbox).where(SearchOutbox.id <= through))
    put_state(PRUNED, {"pruned_through": max(through, pruned_through())})
    return int(getattr(result, "rowcount", 0) or 0)
