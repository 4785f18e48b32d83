"""Blueprint registration (an explicit list), template helpers, security and caching headers,
and the rules every request meets before a view runs.

Anonymous access to staff pages (enforced here, in ``anonymous_staff_page``):
- a per-document staff URL (any route with a ``<slug>``: /artikel/<slug>/bewerken,
  /geschiedenis, /revisie/..., /reactie, ...) answers an anonymous caller 404, the same page as
  a slug that does not exist, so nobody learns which slugs exist from it;
- a slug-independent staff page (/console, /tickets, /documenten, /beheer, ...) sends an
  anonymous caller to the login page, which gives nothing away (a page may answer 404
  instead, as /dashboard does for everyone below editor).
Signed-in users without the right get 404 from the page itself, as SPEC §2 says.

Caching (``cache_headers``): every answer to a signed-in user or a bearer-token caller, and
every page a view marks non-public (``g.no_store``), carries ``Cache-Control: no-store``. Public
answers to anonymous callers may be cached; static files are the same for everyone.
"""

from flask import Flask, g, redirect, request
from flask_login import current_user, login_url
from werkzeug.exceptions import BadRequest, RequestURITooLarge
from werkzeug.routing import IntegerConverter

from kb.extensions import login_manager

BLUEPRINTS = (
    "kb.auth.views:bp",
    "kb.documents.views:bp",
    "kb.documents.editing:bp",
    "kb.console.views:bp",
    "kb.tickets.views:bp",
    "kb.dashboard.views:bp",
    "kb.admin.views:bp",
    "kb.documents.review_views:bp",
    "kb.documents.ack_views:bp",
    "kb.feedback.views:bp",
    "kb.api:bp",
    "kb.api.openapi:bp",
)

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


MAX_INT = 2**31 - 1  # PostgreSQL `integer`, the type of every id
MAX_QUERY_STRING = 8 * 1024  # bytes; the longest field a page or the API reads is far shorter


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that matches only what an integer column holds: a larger number is a 404,
    not an overflow in the database."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_INT, signed=False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def register_blueprints(app: Flask) -> None:
    from importlib import import_module

    # Before any rule is added: a rule binds its converters when it is added.
    app.url_map.converters["int"] = BoundedIntConverter
    for spec in BLUEPRINTS:
        module, name = spec.split(":")
        app.register_blueprint(getattr(import_module(module), name))


def register_guards(app: Flask) -> None:
    """The first hooks of every request (before the extensions' own): bad input refused,
    then an anonymous public page answered from the page cache, ahead of the rate limiter's
    bookkeeping (no public page has a limit) and everything a view needs."""
    from kb import page_cache

    app.before_request(refuse_bad_input)
    page_cache.init_app(app)  # after refuse_bad_input: a refused request never reaches it


def register_filters(app: Flask) -> None:
    from kb.documents import forms
    from kb.documents.policy import Action, allowed
    from kb.i18n import FILTERS

    labels = {
        "kind": forms.KIND_LABELS,
        "audience": forms.AUDIENCE_LABELS,
        "channel": forms.CHANNEL_LABELS,
        "role": forms.ROLE_LABELS,
        "status": forms.STATUS_LABELS,
    }

    @app.context_processor
    def inject_permissions():
        return {
            "labels": labels,
            "can_edit": lambda doc=None: allowed(
                current_user, Action.EDIT if doc is not None else Action.CREATE, doc
            ),
            "sees_drafts": allowed(current_user, Action.READ_DRAFTS),
            "is_admin": allowed(current_user, Action.MANAGE_USERS),
            "is_agent": allowed(current_user, Action.COMMENT),
            "uses_console": allowed(current_user, Action.USE_CONSOLE),
        }

    app.jinja_env.filters.update(FILTERS)  # datetime, date, day_month, ago: localised

    app.after_request(cache_headers)
    login_manager.unauthorized_handler(anonymous_staff_page)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response


def refuse_bad_input() -> None:
    """What no view should ever see: an over-long query string (414), and NUL characters in
    the path, the query or a form (400; PostgreSQL cannot store or even compare them)."""
    if len(request.query_string) > MAX_QUERY_STRING:
        raise RequestURITooLarge(
            f"The query string is longer than {MAX_QUERY_STRING} bytes; send less."
        )
    texts = [request.path, *request.args.keys(), *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        texts += [*request.form.keys(), *request.form.values()]
    if any("\x00" in text for text in texts):
        raise BadRequest("The request contains a NUL character, which no field accepts.")


def anonymous_staff_page():
    """``login_required`` for an anonymous caller: see the module docstring for the rule."""
    from kb.errors import NotFound

    rule = request.url_rule
    if rule is not None and "slug" in rule.arguments:
        raise NotFound()  # exactly what a slug that does not exist answers
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def cache_headers(response):
    """``Cache-Control: no-store`` by the rule in the module docstring."""
    if request.path.startswith("/api/"):
        response.vary.add("Authorization")
    api_user = g.get("api_user")
    private = (
        g.get("no_store")
        or (api_user is not None and api_user.is_authenticated)
        or (not _is_static() and current_user.is_authenticated)
    )
    if private:
        response.headers["Cache-Control"] = "no-store"
    return response


def _is_static() -> bool:
    return request.endpoint == "static"
