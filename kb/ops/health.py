"""/healthz (the process answers) and /readyz (database, migrations and search index ready).

Both are cheap enough for a load balancer to call every few seconds: /healthz touches nothing,
/readyz runs one trivial query, reads one row of alembic_version and asks the search backend
whether its index is there. No sign-in; never cached.
"""

import logging
from functools import cache

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from kb.extensions import db

bp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)


@cache
def _migration_heads(directory: str) -> frozenset[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def migration_heads() -> frozenset[str]:
    """The revisions the code expects the database at (read from migrations/ once)."""
    return _migration_heads(current_app.extensions["migrate"].directory)


def database_revisions() -> frozenset[str]:
    """The revisions the database is at; raises what the database raises."""
    rows = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars()
    return frozenset(rows)


def _answer(code: int, **body: object):
    response = jsonify(body)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    return _answer(200, status="ok")


def readiness() -> str | None:
    """None when ready, else a short reason (English, for operators and load balancers)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("readyz: database unreachable: %s", type(exc).__name__)
        return "database unreachable"
    try:
        current = database_revisions()
    except Exception:
        return "database not migrated (run kb db upgrade)"
    finally:
        db.session.rollback()
    if current != migration_heads():
        return "database not at migration head (run kb db upgrade)"
    return _search_reason()


def _search_reason() -> str | None:
    from kb.search.backend import IndexMissing
    from kb.search.service import backend, index_cursor, rebuild_in_background

    try:
        index_cursor()  # built by this backend, for this database, not behind the pruned log
        backend().generation()
    except IndexMissing:
        rebuild_in_background()  # a new host builds its index; ready once it is there
        return "search index missing (being rebuilt)"
    except Exception as exc:
        log.warning("readyz: search index unusable: %s", type(exc).__name__)
        return "search index unusable"
    finally:
        db.session.rollback()
    return None


@bp.get("/readyz")
def readyz():
    reason = readiness()
    if reason:
        return _answer(503, status="unavailable", reason=reason)
    return _answer(200, status="ready")
