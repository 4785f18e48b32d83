"""`kb backup DIR` and `kb restore DIR`: a consistent copy of the whole installation and back.

A backup directory holds the database (SQLite: a copy made with SQLite's online backup API,
safe while kb runs; PostgreSQL: a `pg_dump` custom-format archive), the generated secret key
(when kb made one) and manifest.json (kb version, migration head, row counts per table).
Restore goes into an empty installation only, then rebuilds the search index.
"""

import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from flask import current_app
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import URL, make_url

from kb.extensions import db

MANIFEST = "manifest.json"
SQLITE_FILE = "kb.sqlite"
PG_FILE = "kb.pgdump"
SECRET_FILE = "secret_key"


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why and what to do."""


def _url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def kb_version() -> str:
    try:
        return version("kb")
    except PackageNotFoundError:
        return "unknown"


def row_counts() -> dict[str, int]:
    """Rows per kb table that exists in the database (alembic_version aside)."""
    present = set(inspect(db.engine).get_table_names())
    counts = {}
    for table in db.metadata.sorted_tables:
        if table.name in present:
            counts[table.name] = db.session.scalar(select(func.count()).select_from(table)) or 0
    db.session.rollback()
    return counts


def _libpq_url(url: URL) -> str:
    """The SQLAlchemy URL as libpq reads it (no driver suffix), password included."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_schemas(url: URL) -> list[str]:
    """Schemas named in the URL's search_path option (besides public): dump only those."""
    options = str(url.query.get("options", ""))
    for part in options.split():
        if part.startswith("-csearch_path="):
            names = part.split("=", 1)[1].split(",")
            return [n.strip() for n in names if n.strip() and n.strip() != "public"]
    return []


def _run(command: list[str], what: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed; install the PostgreSQL client tools "
            f"(e.g. apt-get install postgresql-client) to {what}"
        )
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["(no message)"])[0]
        raise BackupError(f"{command[0]} failed: {first}")


def backup(target: Path) -> dict:
    """Copy the database, secret key and a manifest into target (new or empty folder).

    Raises BackupError (target not empty, pg_dump missing or failing) or database errors.
    """
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; give a new or empty folder")
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    from kb.ops.health import database_revisions

    url = _url()
    manifest = {
        "kb_version": kb_version(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": url.get_backend_name(),
        "migration_head": sorted(database_revisions()),
        "counts": row_counts(),
    }
    db.session.rollback()
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database or "")
        copy = sqlite3.connect(target / SQLITE_FILE)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges"]
        command += [f"--schema={schema}" for schema in _pg_schemas(url)]
        _run([*command, f"--file={target / PG_FILE}", _libpq_url(url)], "back up PostgreSQL")
    else:
        raise BackupError(f"kb cannot back up a {url.get_backend_name()} database")
    secret = Path(current_app.config["KB_DATA_DIR"]) / SECRET_FILE
    if secret.exists():
        fd = os.open(target / SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secret.read_text())
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def restore(source: Path) -> dict:
    """Restore a backup made by backup() into this (empty) installation; rebuild search.

    Raises BackupError (no manifest, other database kind, installation not empty, tools
    missing) or database errors.
    """
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} holds no readable {MANIFEST}: is it a kb backup?") from exc
    url = _url()
    if manifest.get("database") != url.get_backend_name():
        raise BackupError(
            f"the backup is of a {manifest.get('database')} database, this installation uses "
            f"{url.get_backend_name()}"
        )
    filled = {name: n for name, n in row_counts().items() if n}
    if filled:
        names = ", ".join(sorted(filled)[:5])
        raise BackupError(f"this installation is not empty ({names} …): restore needs a new one")
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        backup_file = sqlite3.connect(source / SQLITE_FILE)
        live = sqlite3.connect(url.database or "")
        try:
            backup_file.backup(live)
        finally:
            live.close()
            backup_file.close()
    else:
        _drop_kb_tables()
        command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
        _run([*command, f"--dbname={_libpq_url(url)}", str(source / PG_FILE)], "restore")
    db.engine.dispose()
    _restore_secret(source)
    _upgrade_and_reindex()
    return manifest


def _drop_kb_tables() -> None:
    """Drop the empty tables a `kb db upgrade` made, so the archive can create its own."""
    with db.engine.begin() as conn:
        db.metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        conn.exec_driver_sql("DROP TEXT SEARCH CONFIGURATION IF EXISTS kb_dutch")
        conn.exec_driver_sql("DROP TEXT SEARCH DICTIONARY IF EXISTS kb_dutch_stem")
        # An archive of one schema (search_path in the URL) creates that schema itself;
        # dropping it without CASCADE fails if anything but kb's own objects is in it.
        for schema in _pg_schemas(_url()):
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}"')


def _restore_secret(source: Path) -> None:
    saved = source / SECRET_FILE
    if not saved.exists():
        return
    target = Path(current_app.config["KB_DATA_DIR"]) / SECRET_FILE
    target.unlink(missing_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(saved.read_text())


def _upgrade_and_reindex() -> None:
    from flask_migrate import upgrade

    from kb.ops.health import database_revisions, migration_heads
    from kb.search import service as search

    if database_revisions() != migration_heads():
        db.session.remove()
        upgrade()  # a backup from an older kb: bring it to this version's schema
    db.session.remove()
    search.rebuild()
