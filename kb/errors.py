"""Domain exceptions and the app-wide handlers: problem+json under /api/, Dutch pages elsewhere."""

from typing import TYPE_CHECKING

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from pydantic import ValidationError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, SecurityError

if TYPE_CHECKING:
    from kb.documents.merge import DocumentMerge


OUT_OF_RANGE = "22003"  # PostgreSQL's numeric_value_out_of_range


class DomainError(Exception):
    status = 400
    title = "Bad Request"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does."""

    status = 404
    title = "Not Found"


class Unauthorized(DomainError):
    """The caller must identify itself first (log in, or send a bearer token)."""

    status = 401
    title = "Unauthorized"


class Forbidden(DomainError):
    """The caller may read the thing but not do this to it."""

    status = 403
    title = "Forbidden"


class Invalid(DomainError):
    """Input failed validation; ``errors`` maps field names to messages."""

    status = 422
    title = "Unprocessable Content"

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


def invalid_from(exc: ValidationError) -> Invalid:
    """An input model's validation errors as Invalid, one Dutch message per field."""
    errors: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        name = ".".join(str(part) for part in err["loc"]) or "body"
        errors.setdefault(name, _message(err))
    return Invalid(errors)


def _message(err) -> str:
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if kind == "missing":
        return _("Dit veld is verplicht.")
    if kind == "string_too_short":
        return _("Dit veld mag niet leeg zijn.")
    if kind == "string_too_long":
        return _("Hoogstens %(n)d tekens.", n=ctx.get("max_length", 0))
    if kind == "too_long":
        return _("Hoogstens %(n)d.", n=ctx.get("max_length", 0))
    if kind in ("enum", "literal_error"):
        return _("Kies een van: %(options)s.", options=ctx.get("expected", ""))
    if kind in ("int_parsing", "int_type"):
        return _("Geef een geheel getal.")
    if kind in ("greater_than_equal", "less_than_equal"):
        return _(
            "Geef een getal van %(ge)s tot %(le)s.", ge=ctx.get("ge", 1), le=ctx.get("le", "…")
        )
    if kind == "extra_forbidden":
        return _("Onbekend veld.")
    if kind in ("bool_type", "bool_parsing"):
        return _("Geef true of false.")
    # Custom rules raise their own (Dutch) message as a ValueError.
    return str(ctx.get("error") or err["msg"])


class Conflict(DomainError):
    """The document moved on since ``base``; ``current`` is the revision number it is at now.

    ``merge`` is the edit merged three-way with the current revision, when the service made one.
    """

    status = 409
    title = "Conflict"

    def __init__(
        self,
        current: int,
        base: int | None = None,
        detail: str = "",
        merge: "DocumentMerge | None" = None,
    ) -> None:
        self.current = current
        self.base = base
        self.merge = merge
        super().__init__(
            detail
            or f"The document is at revision {current}, not {base}: "
            f"reload revision {current}, merge your changes and save with base_revision={current}."
        )


class TooManyRequests(DomainError):
    """The caller did this too often; it may again after ``retry_after`` seconds."""

    status = 429
    title = "Too Many Requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """Temporarily unable to answer (e.g. the search index is being built); retry later."""

    status = 503
    title = "Service Unavailable"
    retry_after = 30  # seconds


def wants_problem_json() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, title: str, detail: str = "", **extra):
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = jsonify(body)
    response.status_code = status
    response.content_type = "application/problem+json"
    return response


def _rollback() -> None:
    from kb.extensions import db

    db.session.rollback()


# A clearer ``detail`` than Werkzeug's generic description, for the statuses bad input causes.
def _http_detail(exc: HTTPException) -> str:
    if exc.code == 413:
        limit = request.max_content_length
        size = f" ({limit} bytes)" if limit else ""
        return f"The request body is larger than the server accepts{size}; send less."
    if exc.code == 429:
        return (
            f"Too many requests from this client ({exc.description}); "
            "try again after the number of seconds in Retry-After."
        )
    return exc.description or ""


def handle_http(exc: HTTPException):
    _rollback()
    if wants_problem_json():
        response = problem(exc.code or 500, exc.name, _http_detail(exc))
        allowed = getattr(exc, "valid_methods", None)  # MethodNotAllowed only
        if exc.code == 405 and allowed:
            response.headers["Allow"] = ", ".join(allowed)
        return response
    if isinstance(exc, SecurityError):  # a Host not in KB_TRUSTED_HOSTS: no URLs for a page
        return exc.get_response()
    code = exc.code or 500
    template = (
        f"errors/{code}.html"
        if code in (400, 403, 404, 405, 413, 414, 429)
        else "errors/generic.html"
    )
    return render_template(template, error=exc), code


def handle_domain(exc: DomainError):
    _rollback()
    if wants_problem_json():
        extra: dict[str, object] = {}
        if isinstance(exc, Invalid):
            extra["errors"] = exc.errors
        if isinstance(exc, Conflict):
            extra["current_revision"] = exc.current
        missing = "Nothing here that the caller may see." if exc.status == 404 else ""
        detail = exc.detail or missing
        response = problem(exc.status, exc.title, detail, **extra)
    else:
        template = (
            f"errors/{exc.status}.html" if exc.status in (403, 404, 429) else "errors/generic.html"
        )
        response = current_app.make_response((render_template(template, error=exc), exc.status))
    if isinstance(exc, Unavailable | TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def handle_overflow(exc: Exception):
    """A number from the request beyond what the database binds (SQLite: 2**63; PostgreSQL:
    its column type), e.g. a page or revision number read from a query string or a form
    field: bad input, a 400. Any other DataError stays a server error."""
    if isinstance(exc, DataError) and getattr(exc.orig, "sqlstate", None) != OUT_OF_RANGE:
        raise exc
    _rollback()
    if wants_problem_json():
        return problem(400, "Bad Request", "A number in the request is too large.")
    error = DomainError(_("Een getal in dit verzoek is te groot."))
    return render_template("errors/400.html", error=error), 400


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(DomainError, handle_domain)
    app.register_error_handler(OverflowError, handle_overflow)
    app.register_error_handler(DataError, handle_overflow)
