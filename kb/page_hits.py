"""Cached anonymous pages answered in front of Flask: a WSGI layer around ``app.wsgi_app``.

A hit through Flask cost 0.67 ms of worker CPU against 0.27 ms for a hello-world page (10 000
documents, bench/pages_bench.py): the request context, a dozen hooks, Flask-Login loading an
anonymous user, the rate limiter's bookkeeping. What a hit needs is much less, and this layer
does only that, with Flask's own pieces where they exist:

- the same decision and key as kb.page_cache.serve_cached: a GET without Authorization whose
  session (opened by the app's own session interface) holds nothing but PLAIN_SESSION, keyed on
  the generation, kb.extensions.visitor_language, the host and the full path;
- the visitor's own CSRF token in the page, made as Flask-WTF makes it (the raw token in the
  session, signed with the same serializer and salt), and the session saved by the session
  interface, so a new visitor gets the same cookie a Flask hit would give;
- the headers the page had when it was stored (security headers, Vary, content type), a
  request id of its own, the request line in the log (kb.ops.requestlog), and the read or the
  search counted as the view would.

Anything else (another method, a signed-in or flashed session, a page not in the cache, an
error in here) goes to Flask unchanged, which fills the cache (kb.page_cache.store).
"""

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable

from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from werkzeug.exceptions import SecurityError

from kb.extensions import visitor_language
from kb.ops import requestlog
from kb.page_cache import PLAIN_SESSION, PageCache, after_hit, page_key

log = logging.getLogger(__name__)

CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's (flask_wtf.csrf.generate_csrf)


class Hits:
    """The WSGI layer; ``wsgi_app`` is the application it stands in front of."""

    def __init__(self, app: Flask, cache: PageCache, wsgi_app: Callable) -> None:
        self.app = app
        self.cache = cache
        self.wsgi_app = wsgi_app
        self.field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        self._signer: URLSafeTimedSerializer | None = None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and "HTTP_AUTHORIZATION" not in environ:
            try:
                answer = self.answer(environ)
            except SecurityError:  # an untrusted Host: Flask answers it
                answer = None
            except Exception:  # noqa: BLE001 - Flask serves the page as if it were not cached
                log.exception("the page cache could not answer; Flask serves the page")
                answer = None
            if answer is not None:
                headers, body = answer
                start_response("200 OK", headers)
                return [body]
        return self.wsgi_app(environ, start_response)

    def answer(self, environ: dict) -> tuple[list[tuple[str, str]], bytes] | None:
        """The cached page's headers and body, or None for Flask to serve the request."""
        started = time.perf_counter()
        app = self.app
        request = app.request_class(environ)
        if not self.cache.holds(request.full_path):
            return None
        if (trusted := app.config.get("TRUSTED_HOSTS")) is not None:
            request.trusted_hosts = trusted
        session = app.session_interface.open_session(app, request)
        if session is None or not session.keys() <= PLAIN_SESSION:
            return None
        generation = self.cache.generation
        value = generation.fresh()
        if value is None:
            with app.app_context():
                value = generation.current()
        key = page_key(value, visitor_language(request), request)
        entry = self.cache.get(key)
        if entry is None or entry.headers is None:
            return None
        body = entry.body
        if self.cache.placeholder in body:
            body = body.replace(self.cache.placeholder, self.csrf_token(session).encode())
        rid = requestlog.new_request_id(request.headers.get(requestlog.HEADER, ""))
        headers = [*entry.headers, (requestlog.HEADER, rid), ("Content-Length", str(len(body)))]
        if session.modified:  # a new visitor's CSRF token: the cookie Flask would set
            cookie = app.response_class()
            app.session_interface.save_session(app, session, cookie)
            headers += [(k, v) for k, v in cookie.headers.items() if k == "Set-Cookie"]
        after_hit(request, entry, app)
        requestlog.log_request("GET", requestlog.mask(request.path), 200, started, rid)
        return headers, body

    def csrf_token(self, session) -> str:
        """Flask-WTF's form token for this session, the raw token made first if it has none."""
        if self.field not in session:
            session[self.field] = hashlib.sha1(os.urandom(64)).hexdigest()
        if self._signer is None:  # the secret key as Flask-WTF reads it, once it is set
            secret = self.app.config.get("WTF_CSRF_SECRET_KEY") or self.app.secret_key
            if not secret:
                raise RuntimeError("A secret key is required to use CSRF.")
            self._signer = URLSafeTimedSerializer(secret, salt=CSRF_SALT)
        return self._signer.dumps(session[self.field])
