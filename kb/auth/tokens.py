"""API tokens: issue (shown once, stored hashed), list, revoke, and look up a bearer token."""

import secrets
from datetime import timedelta

from flask_babel import gettext as _

from kb.audit import service as audit
from kb.auth.models import MAX_TOKEN_NAME, ApiToken, User, hash_token
from kb.db import unit_of_work, utcnow
from kb.documents.policy import Action, allowed
from kb.errors import NotFound
from kb.extensions import db

# How stale a token's last_used_at may be before a request writes it again.
TOKEN_USE_PRECISION = timedelta(minutes=5)


def issue_token(actor, user: User, name: str = "") -> str:
    """Create an API token and return it; only its hash is stored, so show it once."""
    token = "kb_" + secrets.token_urlsafe(32)
    name = (name or "").strip()[:MAX_TOKEN_NAME]
    with unit_of_work():
        row = ApiToken(user_id=user.id, token_hash=hash_token(token), name=name)
        db.session.add(row)
        db.session.flush()
        audit.record(actor, "token.create", "user", user.id, token_id=row.id, name=name)
    return token


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (name, created, last used; never the token)."""
    return list(
        db.session.scalars(
            db.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(actor, token_id: int, owner: User | None = None) -> ApiToken:
    """Revoke (delete) a token: the owner's own, or any token for an admin.

    ``owner``: the token must be this user's (a page about one account). Raises NotFound for
    an unknown token or one the actor may not revoke here (its existence does not leak).
    """
    row = db.session.get(ApiToken, token_id)
    own = row is not None and getattr(actor, "id", None) == row.user_id
    if (
        row is None
        or (owner is not None and row.user_id != owner.id)
        or not (own or allowed(actor, Action.MANAGE_USERS))
    ):
        raise NotFound(_("Dit token bestaat niet (meer)."))
    with unit_of_work():
        db.session.delete(row)
        audit.record(actor, "token.revoke", "user", row.user_id, token_id=row.id, name=row.name)
    return row


def user_for_token(token: str) -> User | None:
    """The active owner of ``token``, or None. Notes when the token was last used."""
    row = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or not row.user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_PRECISION:
        with unit_of_work():
            row.last_used_at = now
    return row.user
