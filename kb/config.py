"""Environment to Flask config: the documented variables, validated, plus the data folder."""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

SEARCH_BACKENDS = ("whoosh", "postgres")


class ConfigError(RuntimeError):
    """A setting from the environment is unusable; the message says which and why."""


def _secret_key(data_dir: Path) -> str:
    """Read the generated key from the data folder, creating it (mode 0600) on first run."""
    path = data_dir / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def _database_url(url: str) -> str:
    # Heroku-style URLs name the old driver; psycopg 3 is the one we install.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _trusted_hosts(value: str | None) -> list[str] | None:
    """KB_TRUSTED_HOSTS: comma-separated host names, ".example.org" with its subdomains.

    Unset or empty: every Host header is accepted (None for Flask's TRUSTED_HOSTS).
    """
    hosts = [host.strip().lower() for host in (value or "").split(",") if host.strip()]
    for host in hosts:
        if any(c in host for c in "/: @"):
            raise ConfigError(
                f"KB_TRUSTED_HOSTS takes host names without scheme or port, not {host!r}"
            )
    return hosts or None


def configure(app: Flask, overrides: Mapping | None = None) -> None:
    """Fill app.config from the documented environment variables, then apply overrides."""
    overrides = dict(overrides or {})
    env = os.environ
    data_dir = Path(overrides.get("KB_DATA_DIR") or env.get("KB_DATA_DIR") or app.instance_path)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"KB_DATA_DIR {data_dir} cannot be created: {exc}") from exc

    backend = overrides.get("KB_SEARCH_BACKEND") or env.get("KB_SEARCH_BACKEND") or "whoosh"
    if backend not in SEARCH_BACKENDS:
        raise ConfigError(
            f"KB_SEARCH_BACKEND must be one of {', '.join(SEARCH_BACKENDS)}, not {backend!r}"
        )
    database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'kb.sqlite'}"
    secret_key = env.get("SECRET_KEY") or None
    # A request whose Host is not listed gets 400 before any view runs (Flask's check).
    trusted_hosts = _trusted_hosts(overrides.get("KB_TRUSTED_HOSTS", env.get("KB_TRUSTED_HOSTS")))

    app.config.update(
        KB_DATA_DIR=str(data_dir),
        KB_SEARCH_BACKEND=backend,
        TRUSTED_HOSTS=trusted_hosts,
        SQLALCHEMY_DATABASE_URI=_database_url(database_url),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        BABEL_DEFAULT_LOCALE="nl",
        BABEL_DEFAULT_TIMEZONE="Europe/Amsterdam",
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        # Rendering runs in a helper process and is cut off after this many seconds.
        KB_RENDER_TIMEOUT=3.0,
        # Whoosh: rebuilds of at least this many documents write with two processes.
        KB_SEARCH_PARALLEL_FROM=2000,
        # A missing index with more documents than this is rebuilt in the background
        # (searches answer 503 meanwhile) rather than within a web request.
        KB_SEARCH_REBUILD_INLINE_MAX=2000,
    )
    app.config.update(overrides)
    if "SQLALCHEMY_DATABASE_URI" in overrides:
        app.config["SQLALCHEMY_DATABASE_URI"] = _database_url(overrides["SQLALCHEMY_DATABASE_URI"])
    app.config["SECRET_KEY"] = overrides.get("SECRET_KEY") or secret_key or _secret_key(data_dir)
