"""Request ids and one log line per request, on one stream (stderr), as text or JSON lines.

The request id comes from a well-formed incoming X-Request-Id (a proxy's) or is generated; it
is returned in X-Request-Id, stored as g.request_id, offered to templates as request_id() and
stamped on every log record made during the request. The request line holds method, path (no
query string), status, duration and request id: never bodies, tokens, passwords or e-mail
addresses (an address or an invitation secret in a path is masked).
"""

import json
import logging
import os
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from flask.wrappers import Response

from kb.config import ConfigError

LOGGER = "kb"  # Flask's app.logger for the app named "kb", parent of every kb.* logger
HEADER = "X-Request-Id"
VALID_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
EMAIL = re.compile(r"[^/@]+@[^/]+")
SECRET_ARGS = ("secret", "token")
FORMATS = ("text", "json")
request_log = logging.getLogger("kb.request")


def request_id() -> str:
    """This request's id ('' outside a request): for error pages and log records."""
    return g.get("request_id", "") if has_request_context() else ""


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extra fields."""

    FIELDS = ("method", "path", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        for name in self.FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def _log_format(app: Flask) -> str:
    fmt = str(app.config.get("KB_LOG_FORMAT") or os.environ.get("KB_LOG_FORMAT") or "text")
    if fmt not in FORMATS:
        raise ConfigError(f"KB_LOG_FORMAT must be text or json, not {fmt!r}")
    return fmt


def configure_logging(fmt: str) -> None:
    """One handler on the "kb" logger writing to stderr (replaced, never added twice)."""
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        if getattr(handler, "kb_ops", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.kb_ops = True  # type: ignore[attr-defined]
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    logger.disabled = False  # Alembic's fileConfig disables loggers that existed before it


def logged_path() -> str:
    """The path without query string; invitation secrets and e-mail addresses masked."""
    return mask(request.path, request.view_args)


def mask(path: str, view_args: dict | None = None) -> str:
    """``path`` with the secrets among ``view_args`` and any e-mail address masked."""
    for name in SECRET_ARGS:
        value = (view_args or {}).get(name)
        if isinstance(value, str) and value:
            path = path.replace(value, "***")
    return EMAIL.sub("***", path)


def new_request_id(incoming: str) -> str:
    """A well-formed incoming id (a proxy's), else a fresh one."""
    return incoming if VALID_ID.fullmatch(incoming) else uuid.uuid4().hex


def log_request(method: str, path: str, status: int, started: float | None, rid: str) -> None:
    """The request line; ``path`` already masked (logged_path), ``started`` a perf_counter."""
    duration = round((time.perf_counter() - started) * 1000, 1) if started else 0.0
    request_log.info(
        "%s %s %s %.1fms",
        method,
        path,
        status,
        duration,
        extra={
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": duration,
            "request_id": rid,
        },
    )


def _start() -> None:
    g.request_id = new_request_id(request.headers.get(HEADER, ""))
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    rid = g.get("request_id") or uuid.uuid4().hex
    response.headers[HEADER] = rid
    log_request(request.method, logged_path(), response.status_code, g.get("request_started"), rid)
    return response


def init_app(app: Flask) -> None:
    configure_logging(_log_format(app))
    # First in line, so every other hook and view (and the error pages) see the id.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
    app.add_template_global(request_id, "request_id")
