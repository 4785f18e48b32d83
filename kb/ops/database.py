"""Which database kb uses, said plainly: a required DATABASE_URL, a safe URL, one-line errors."""

import os
from collections.abc import Mapping

from flask import Flask
from sqlalchemy.engine import make_url

from kb.config import TRUE_WORDS, ConfigError


def require_database_url(overrides: Mapping | None = None) -> None:
    """With KB_REQUIRE_DATABASE_URL=1 a missing DATABASE_URL stops kb before it writes a new,
    empty SQLite file (a production host that lost its environment). Raises ConfigError."""
    overrides = overrides or {}
    flag = overrides.get("KB_REQUIRE_DATABASE_URL", os.environ.get("KB_REQUIRE_DATABASE_URL"))
    if str(flag or "").strip().lower() not in TRUE_WORDS:
        return
    if overrides.get("SQLALCHEMY_DATABASE_URI") or os.environ.get("DATABASE_URL", "").strip():
        return
    raise ConfigError(
        "DATABASE_URL is not set and KB_REQUIRE_DATABASE_URL=1: refusing to start on a new, "
        "empty SQLite database. Set DATABASE_URL (e.g. postgresql://kb:…@db.example/kb)"
    )


def safe_url(app: Flask) -> str:
    """The database URL without its password, for messages and logs."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    return url.render_as_string(hide_password=True)


def one_line(exc: BaseException) -> str:
    """A database error as one line: its kind and the driver's first line, no SQL, no traceback."""
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [""])[0]
    return f"{type(orig).__name__}: {first}" if first else type(orig).__name__
