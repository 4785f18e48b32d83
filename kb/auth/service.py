"""Account use cases: create users, change roles, log in, issue and check API tokens."""

import re
import secrets
from datetime import timedelta

from flask_babel import gettext as _

from kb.audit import service as audit
from kb.auth.models import (
    MAX_EMAIL,
    MAX_NAME,
    MIN_PASSWORD,
    ROLES,
    ApiToken,
    Role,
    User,
    hash_token,
)
from kb.db import unit_of_work, utcnow
from kb.errors import Forbidden, Invalid, NotFound
from kb.extensions import db

# How stale a token's last_used_at may be before a request writes it again.
TOKEN_USE_PRECISION = timedelta(minutes=5)
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
# Checked against when the e-mail is unknown, so a login takes as long either way.
_DUMMY_HASH = "scrypt:32768:8:1$AAAAAAAAAAAAAAAA$" + "0" * 128


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise Invalid(
            {
                "role": _(
                    "Onbekende rol '%(role)s'; kies uit %(roles)s.",
                    role=role,
                    roles=", ".join(ROLES),
                )
            }
        )


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise Invalid(
            {"password": _("Een wachtwoord heeft minstens %(n)d tekens.", n=MIN_PASSWORD)}
        )


def get_user(email: str) -> User:
    """Raises NotFound when no account has this e-mail address."""
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(_("Geen account met e-mailadres %(email)s.", email=email))
    return user


def create_user(actor, email: str, role: str, password: str, name: str = "") -> User:
    """Create an account. Raises Invalid (e-mail, role, password, e-mail already in use)."""
    email = normalise_email(email)
    if not EMAIL_RE.match(email) or len(email) > MAX_EMAIL:
        raise Invalid({"email": _("Geef een geldig e-mailadres.")})
    _check_role(role)
    _check_password(password)
    with unit_of_work():
        if db.session.scalar(db.select(User.id).where(User.email == email)):
            raise Invalid({"email": _("Er is al een account met dit e-mailadres.")})
        user = User(email=email, role=role, name=(name or "").strip()[:MAX_NAME])
        user.set_password(password)
        db.session.add(user)
        db.session.flush()
        audit.record(actor, "user.create", "user", user.id, role=role)
    return user


def _not_self(actor, user: User, message: str) -> None:
    if getattr(actor, "id", None) is not None and actor.id == user.id:
        raise Forbidden(message)


def set_role(actor, user: User, role: str) -> User:
    """Change a user's role. Raises Invalid for an unknown role, Forbidden when an admin
    would demote himself (the last way back in would be the command line)."""
    _check_role(role)
    if role != Role.ADMIN:
        _not_self(actor, user, _("U kunt uw eigen beheerdersrol niet afnemen."))
    with unit_of_work():
        old, user.role = user.role, role
        audit.record(actor, "user.set_role", "user", user.id, old=old, new=role)
    return user


def set_active(actor, user: User, active: bool) -> User:
    """Raises Forbidden when an admin would lock himself out."""
    if not active:
        _not_self(actor, user, _("U kunt uw eigen account niet uitschakelen."))
    with unit_of_work():
        user.is_active = active
        audit.record(actor, "user.set_active", "user", user.id, active=active)
    return user


def set_password(actor, user: User, password: str) -> User:
    """Raises Invalid for a password that is too short."""
    _check_password(password)
    with unit_of_work():
        user.set_password(password)
        for token in list(user.tokens):
            db.session.delete(token)
        audit.record(actor, "user.set_password", "user", user.id)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Records the login."""
    from werkzeug.security import check_password_hash

    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not user.check_password(password or "") or not user.is_active:
        return None
    with unit_of_work():
        user.last_login_at = utcnow()
        audit.record(user, "user.login", "user", user.id)
    return user


def issue_token(actor, user: User) -> str:
    """Create an API token and return it; only its hash is stored, so show it once."""
    token = "kb_" + secrets.token_urlsafe(32)
    with unit_of_work():
        db.session.add(ApiToken(user_id=user.id, token_hash=hash_token(token)))
        audit.record(actor, "token.create", "user", user.id)
    return token


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


def all_users() -> list[User]:
    return list(db.session.scalars(db.select(User).order_by(User.email)))
