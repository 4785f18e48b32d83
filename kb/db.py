"""Declarative base with a naming convention, UTC timestamps and the unit of work."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import g
from sqlalchemy import DateTime, MetaData, TypeDecorator, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: SQLite keeps no zone, PostgreSQL would shift it."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use kb.db.utcnow()")
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite for several web workers: WAL lets readers run beside a writer, NORMAL sync is
    safe with WAL, and a busy timeout makes a worker wait for a lock instead of failing."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def refresh_statistics() -> None:
    """ANALYZE: the query planner's row counts per index, after a bulk change (an import, a
    reindex, a migration). SQLite keeps none on its own, and without them it guesses: at
    100 000 documents it read every published document through ix_documents_status to find
    20 slugs (19 ms instead of 0.2 ms; a search 35 instead of 9 ms). 0.1 s at that size."""
    from kb.extensions import db

    with db.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


def after_commit(action: Callable[[], None]) -> None:
    """Queue an action (e.g. indexing) to run once the current unit of work has committed.

    The same action queued twice runs once: an import of many documents syncs once.
    """
    queued = g.setdefault("kb_after_commit", [])
    if action not in queued:
        queued.append(action)


@contextmanager
def unit_of_work() -> Iterator[None]:
    """One transaction per use case: commit or roll back, then run after-commit actions.

    Nested calls join the outer unit, so a service may call another service.
    """
    from kb.extensions import db

    depth = g.get("kb_uow_depth", 0)
    g.kb_uow_depth = depth + 1
    try:
        yield
        if depth == 0:
            if g.get("idempotency_key_id") is not None:
                from kb.ops.idempotency import mark_work_done

                mark_work_done()  # in the work's own transaction: a retry knows it was done
            db.session.commit()
    except BaseException:
        if depth == 0:
            db.session.rollback()
            g.pop("kb_after_commit", None)
        raise
    finally:
        g.kb_uow_depth = depth
    if depth == 0:
        for action in g.pop("kb_after_commit", []):
            action()
