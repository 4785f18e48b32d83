"""Account use cases: create users, roles, activation, passwords, invitations, unlocking.

Sign-in and sessions live in kb.auth.signin, API tokens in kb.auth.tokens; both are re-exported
here, so callers keep one entry point.
"""

import re
import secrets
from datetime import timedelta

from flask_babel import gettext as _

from kb.audit import service as audit
from kb.auth import passwords
from kb.auth.models import MAX_EMAIL, MAX_NAME, ROLES, Role, User, hash_token
from kb.auth.signin import authenticate, end_sessions, sign_out  # noqa: F401  (re-exported)
from kb.auth.tokens import (  # noqa: F401  (re-exported)
    TOKEN_USE_PRECISION,
    issue_token,
    revoke_token,
    tokens_of,
    user_for_token,
)
from kb.db import unit_of_work, utcnow
from kb.errors import Forbidden, Invalid, NotFound
from kb.extensions import db

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
INVITE_VALID = timedelta(days=7)


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


def get_user(email: str) -> User:
    """Raises NotFound when no account has this e-mail address."""
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(_("Geen account met e-mailadres %(email)s.", email=email))
    return user


def create_user(actor, email: str, role: str, password: str | None, name: str = "") -> User:
    """Create an account. Without a password it gets an unusable one (invite it next).

    Raises Invalid (e-mail, role, password rules, e-mail already in use).
    """
    email = normalise_email(email)
    if not EMAIL_RE.match(email) or len(email) > MAX_EMAIL:
        raise Invalid({"email": _("Geef een geldig e-mailadres.")})
    _check_role(role)
    if password is not None:
        passwords.check(password, email)
    with unit_of_work():
        if db.session.scalar(db.select(User.id).where(User.email == email)):
            raise Invalid({"email": _("Er is al een account met dit e-mailadres.")})
        user = User(email=email, role=role, name=(name or "").strip()[:MAX_NAME])
        user.set_password(password if password is not None else secrets.token_urlsafe(32))
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
    """(De)activate an account; deactivation ends its sessions (its tokens stop with it).

    Raises Forbidden when an admin would lock himself out.
    """
    if not active:
        _not_self(actor, user, _("U kunt uw eigen account niet uitschakelen."))
    with unit_of_work():
        user.is_active = active
        if not active:
            end_sessions(user)
        audit.record(actor, "user.set_active", "user", user.id, active=active)
    return user


def set_password(actor, user: User, password: str, one_time: bool = False) -> User:
    """Set a password; ends the user's sessions and revokes his API tokens.

    ``one_time``: an admin's password the user must replace after signing in. Raises Invalid
    when the password breaks a rule.
    """
    passwords.check(password, user.email)
    with unit_of_work():
        user.set_password(password)
        user.must_change_password = one_time
        user.invite_hash = None
        user.invite_expires_at = None
        user.failed_logins = 0
        user.locked_until = None
        end_sessions(user)
        revoked = len(user.tokens)
        for token in list(user.tokens):
            db.session.delete(token)
        action = "user.set_one_time_password" if one_time else "user.set_password"
        audit.record(actor, action, "user", user.id, tokens_revoked=revoked)
    return user


def change_own_password(user: User, current: str, new: str) -> User:
    """The user replaces his password. Raises Invalid when ``current`` is wrong or ``new``
    breaks a rule or equals the current one."""
    if not user.check_password(current or ""):
        raise Invalid({"current": _("Uw huidige wachtwoord klopt niet.")})
    if new == current:
        raise Invalid({"password": _("Kies een ander wachtwoord dan uw huidige.")})
    return set_password(user, user, new)


def unlock(actor, user: User) -> User:
    """Lift a sign-in lock and reset the failure count."""
    with unit_of_work():
        user.failed_logins = 0
        user.locked_until = None
        audit.record(actor, "user.unlock", "user", user.id)
    return user


def invite(actor, user: User) -> str:
    """Make an invitation link's secret (valid INVITE_VALID) and return it; stored hashed,
    so show it once. A new invitation replaces the previous one."""
    secret = secrets.token_urlsafe(32)
    with unit_of_work():
        user.invite_hash = hash_token(secret)
        user.invite_expires_at = utcnow() + INVITE_VALID
        audit.record(
            actor,
            "user.invite",
            "user",
            user.id,
            expires_at=user.invite_expires_at.isoformat(timespec="minutes"),
        )
    return secret


def user_for_invite(secret: str) -> User:
    """The active user this invitation is for. Raises NotFound when unknown, used or expired."""
    user = db.session.scalar(db.select(User).where(User.invite_hash == hash_token(secret or "")))
    expires = user.invite_expires_at if user is not None else None
    if user is None or not user.is_active or expires is None or expires <= utcnow():
        raise NotFound(_("Deze uitnodiging is verlopen of al gebruikt. Vraag een nieuwe aan."))
    return user


def accept_invite(secret: str, password: str) -> User:
    """The invited user chooses his password; the link stops working.

    Raises NotFound (see user_for_invite) or Invalid (password rules).
    """
    user = user_for_invite(secret)
    return set_password(user, user, password)


def get_by_id(user_id: int) -> User:
    """Raises NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("Dit account bestaat niet."))
    return user


def all_users() -> list[User]:
    return list(db.session.scalars(db.select(User).order_by(User.email)))
