"""Environment to Flask config: the documented variables, validated, plus the data folder."""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

SEARCH_BACKENDS = ("whoosh", "postgres")
# A SECRET_KEY signs the session cookie: anyone who can guess it can forge any session.
MIN_SECRET_LENGTH = 32
MIN_SECRET_DISTINCT = 10
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("", "0", "false", "no", "off")


class ConfigError(RuntimeError):
    """A setting from the environment is unusable; the message says which and why."""


def _secret_key(data_dir: Path) -> str:
    """Read the generated key from the data folder, creating it (mode 0600) on first run."""
    path = data_dir / "secret_key"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it just now
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return _strong_secret(path.read_text().strip(), f"The secret key in {path}")


def _strong_secret(key: str, source: str) -> str:
    """Refuse a key that is short or made of few characters ('x', 'changeme', 'aaaa…')."""
    if len(key) < MIN_SECRET_LENGTH or len(set(key)) < MIN_SECRET_DISTINCT:
        raise ConfigError(
            f"{source} is too weak: use at least {MIN_SECRET_LENGTH} characters with at least "
            f"{MIN_SECRET_DISTINCT} different ones, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`, or unset SECRET_KEY "
            "to have kb generate one in KB_DATA_DIR"
        )
    return key


def _flag(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value or "").strip().lower()
    if word not in TRUE_WORDS + FALSE_WORDS:
        raise ConfigError(f"{name} must be 1 or 0 (true or false), not {value!r}")
    return word in TRUE_WORDS


def _redis_url(value: str | None) -> str:
    """KB_REDIS_URL for the login throttle's counters; unset: each worker counts in memory."""
    url = (value or "").strip()
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(
            f"KB_REDIS_URL must start with redis://, rediss:// or unix://, not {url!r}"
        )
    return url


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


CONTACT_SETTINGS = (
    "KB_CONTACT_PHONE",
    "KB_CONTACT_PHONE_HOURS",
    "KB_CONTACT_OUTAGE_PHONE",
    "KB_CONTACT_OUTAGE_HOURS",
    "KB_CONTACT_CHAT_URL",
    "KB_CONTACT_CHAT_HOURS",
    "KB_CONTACT_EMAIL",
    "KB_CONTACT_FORM_URL",
    "KB_CONTACT_FORM_HOURS",
    "KB_CONTACT_PAGE_URL",
)


def _number(name: str, raw: str | None, default: float, what: str, zero: bool = False) -> float:
    """A positive number (or zero where ``zero``: "off") from the environment, else default."""
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not (value > 0 or (zero and value == 0)) or value == float("inf"):
        kind = "zero or a positive" if zero else "a positive"
        raise ConfigError(f"{name} must be {kind} number of {what}, not {raw!r}")
    return value


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
    redis_url = _redis_url(overrides.get("KB_REDIS_URL", env.get("KB_REDIS_URL")))
    # Behind HTTPS the cookies must never travel over plain HTTP.
    secure = _flag(
        "KB_SECURE_COOKIES", overrides.get("KB_SECURE_COOKIES", env.get("KB_SECURE_COOKIES"))
    )

    app.config.update(
        KB_DATA_DIR=str(data_dir),
        KB_SEARCH_BACKEND=backend,
        TRUSTED_HOSTS=trusted_hosts,
        SQLALCHEMY_DATABASE_URI=_database_url(database_url),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        KB_REDIS_URL=redis_url,
        KB_SECURE_COOKIES=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        PREFERRED_URL_SCHEME="https" if secure else "http",
        BABEL_DEFAULT_LOCALE="nl",
        BABEL_DEFAULT_TIMEZONE="Europe/Amsterdam",
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        # Per-address login throttle: in Redis when configured, so all workers and hosts
        # share one count; otherwise in each worker's memory.
        RATELIMIT_ENABLED=True,  # explicit: Flask-Limiter keeps the last app's value
        RATELIMIT_STORAGE_URI=redis_url or "memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        # A Redis outage must not stop sign-in; the per-account lock still holds then.
        RATELIMIT_SWALLOW_ERRORS=True,
        # Keeps the counters of kb instances (or test runs) sharing one Redis apart.
        KB_RATELIMIT_NAMESPACE="kb",
        # Rendering runs in a helper process and is cut off after this many seconds.
        KB_RENDER_TIMEOUT=3.0,
        # Whoosh: rebuilds of at least this many documents write with two processes.
        KB_SEARCH_PARALLEL_FROM=2000,
        # A missing index with more documents than this is rebuilt in the background
        # (searches answer 503 meanwhile) rather than within a web request.
        KB_SEARCH_REBUILD_INLINE_MAX=2000,
        # Change-log rows older than this are pruned; a host whose index is older rebuilds.
        KB_SEARCH_LOG_DAYS=_number("KB_SEARCH_LOG_DAYS", env.get("KB_SEARCH_LOG_DAYS"), 7, "days"),
        # Anonymous public pages are kept per worker this long (0: no page cache), in at
        # most this much memory (kb.page_cache).
        KB_PAGE_CACHE_SECONDS=_number(
            "KB_PAGE_CACHE_SECONDS", env.get("KB_PAGE_CACHE_SECONDS"), 30, "seconds", zero=True
        ),
        KB_PAGE_CACHE_MB=_number(
            "KB_PAGE_CACHE_MB", env.get("KB_PAGE_CACHE_MB"), 8, "megabytes", zero=True
        ),
        # Read counts and the search log are written this long after the first of them, all
        # together (kb.write_behind; 0: each at once).
        KB_WRITE_BEHIND_SECONDS=_number(
            "KB_WRITE_BEHIND_SECONDS", env.get("KB_WRITE_BEHIND_SECONDS"), 1, "seconds", zero=True
        ),
    )
    # Customer contact channels (kb.documents.contact): unset keeps the built-in default,
    # an empty value hides the channel.
    app.config.update({key: env[key] for key in CONTACT_SETTINGS if key in env})
    app.config.update(overrides)
    if "SQLALCHEMY_DATABASE_URI" in overrides:
        app.config["SQLALCHEMY_DATABASE_URI"] = _database_url(overrides["SQLALCHEMY_DATABASE_URI"])
    if overrides.get("SECRET_KEY"):
        key = _strong_secret(str(overrides["SECRET_KEY"]), "SECRET_KEY")
    elif secret_key:
        key = _strong_secret(secret_key, "SECRET_KEY")
    else:
        key = _secret_key(data_dir)
    app.config["SECRET_KEY"] = key
