"""JSON API under /api/v1: bearer tokens only (never the session cookie), so CSRF-exempt."""

from flask import Blueprint, g, request

from kb.auth import service as accounts
from kb.auth.models import Anonymous
from kb.errors import problem
from kb.extensions import csrf
from kb.ops import idempotency

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.before_request
def authenticate():
    header = request.headers.get("Authorization", "")
    g.api_user = Anonymous()
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    user = accounts.user_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        response = problem(401, "Unauthorized", "The bearer token is missing, unknown or revoked.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="kb"'
        return response
    g.api_user = user
    return None


@bp.before_request
def claim_idempotency_key():
    """A POST or PUT with Idempotency-Key: claimed here, or answered as the first time."""
    user = g.api_user
    return idempotency.before_request(user.id if user.is_authenticated else None)


bp.after_request(idempotency.after_request)


def api_user():
    return g.api_user


from kb.api import (  # noqa: E402,F401  (registers the routes)
    acknowledgements,
    documents,
    metrics,
    review,
    search,
    suggestions,
    tickets,
)
