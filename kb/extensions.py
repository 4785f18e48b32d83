"""Flask extensions, created unbound and bound to the app in init_app()."""

from functools import cache
from typing import TYPE_CHECKING

from flask import Flask, current_app, g, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from kb.db import Base

db = SQLAlchemy(model_class=Base)
if TYPE_CHECKING:  # db.Model is made at run time; to a type checker it is the typed Base
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


def _client_key() -> str:
    """The throttle's key: the client's address within this instance's namespace.

    The namespace keeps kb instances (and test runs) that share one Redis apart; it is read per
    request because Flask-Limiter keeps the first app's key prefix for every later app.
    """
    return f"{current_app.config.get('KB_RATELIMIT_NAMESPACE', 'kb')}/{get_remote_address()}"


limiter = Limiter(key_func=_client_key, default_limits=[])
babel = Babel()

LOCALES = ("nl", "en")
# The anonymous visitor's choice from the footer switch: a preference, not tracking (no id, no
# expiry beyond a year, never sent anywhere). Signed-in users keep theirs in users.language.
LANGUAGE_COOKIE = "kb_lang"


@cache
def _offered() -> tuple[str, ...]:
    """Dutch, plus every other locale that has a compiled catalogue: a browser asking for
    English must not get Dutch text with English dates."""
    from kb import ROOT

    folder = ROOT / "kb" / "translations"
    return ("nl",) + tuple(
        code for code in LOCALES[1:] if (folder / code / "LC_MESSAGES" / "messages.mo").exists()
    )


def offered_locales() -> tuple[str, ...]:
    """The interface languages this installation can show (Dutch always)."""
    return _offered()


# English pages follow British conventions (1 Nov 2026, 22:16): an American 11/1/26 would read as
# 11 January to a Dutch team. Same catalogue (en); only dates and numbers differ.
FORMAT_LOCALES = {"en": "en_GB"}


def _select_locale() -> str:
    """The account's setting, else the footer switch's cookie, else the browser's
    Accept-Language, else Dutch; only ever a locale that is offered."""
    code = chosen_language()
    return FORMAT_LOCALES.get(code, code)


def chosen_language() -> str:
    """The interface language of this request, as a code of LOCALES."""
    if not request:
        return "nl"
    from flask_login import current_user

    offered = _offered()
    user = g.get("api_user") or current_user  # a bearer token's user, else the session's
    chosen = getattr(user, "language", None) if user.is_authenticated else None
    if chosen in offered:
        return chosen
    return visitor_language(request)


def visitor_language(req) -> str:
    """The language a request asks for without an account's setting: the footer switch's
    cookie, else the browser's Accept-Language, else Dutch (a werkzeug Request: also usable
    before Flask's request context exists, kb.page_cache.Hits)."""
    offered = _offered()
    cookie = req.cookies.get(LANGUAGE_COOKIE)
    if cookie in offered:
        return cookie
    return req.accept_languages.best_match(offered, default="nl")


def _vary_on_language(response):
    """Pages are in the language the request asked for: shared caches must keep them apart."""
    if request.endpoint != "static" and len(_offered()) > 1:
        response.vary.update(("Accept-Language", "Cookie"))
    return response


def init_app(app: Flask) -> None:
    from kb import MIGRATIONS, PACKAGE

    db.init_app(app)
    # Beside the kb package in a checkout, inside it in a wheel (kb.MIGRATIONS).
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=str(PACKAGE / "translations"),
    )
    app.after_request(_vary_on_language)
