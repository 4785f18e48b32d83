"""Signing in and out: the per-account lock (counted in the database) and session generations.

Lock policy: after LOCK_AFTER wrong passwords in a row an account is locked for LOCK_FIRST;
each further wrong password after a lock doubles it, up to LOCK_MAX. Attempts during a lock
are refused without counting, so a stranger cannot keep extending it; the lock expires by
itself and an admin can lift it. A successful sign-in resets the count.
"""

import logging
from datetime import datetime, timedelta

from werkzeug.security import check_password_hash

from kb.audit import service as audit
from kb.auth.models import User
from kb.db import unit_of_work, utcnow
from kb.extensions import db

LOCK_AFTER = 5
LOCK_FIRST = timedelta(minutes=1)
LOCK_MAX = timedelta(minutes=15)
# Checked against when the e-mail is unknown, so a refusal takes as long either way.
_DUMMY_HASH = "scrypt:32768:8:1$AAAAAAAAAAAAAAAA$" + "0" * 128

log = logging.getLogger("kb.auth")


def lock_duration(failures: int) -> timedelta:
    """How long an account stays locked after its ``failures``-th wrong password in a row."""
    if failures < LOCK_AFTER:
        return timedelta(0)
    return min(LOCK_FIRST * 2 ** min(failures - LOCK_AFTER, 10), LOCK_MAX)


def _loggable(email: str) -> str:
    """The e-mail as typed when it looks like one; anything else may be a mistyped password."""
    from kb.auth.service import EMAIL_RE

    return email if EMAIL_RE.match(email) and len(email) <= 160 else "(geen e-mailadres)"


def authenticate(email: str, password: str, address: str = "") -> User | None:
    """The user with these credentials when he may sign in now, else None.

    Unknown e-mail, wrong password, inactive and locked accounts get the same None after the
    same password-hash work; each refusal is logged and audited (never the password).
    """
    from kb.auth.service import normalise_email

    email = normalise_email(email)
    user = db.session.scalar(db.select(User).where(User.email == email))
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        _refused(None, email, "unknown", address)
        return None
    now = utcnow()
    correct = user.check_password(password or "")  # always, so every answer takes as long
    if user.is_locked(now):
        _refused(user, email, "locked", address)
        return None
    if not correct:
        _refused(user, email, "password", address)
        return None
    if not user.is_active:
        _refused(user, email, "inactive", address)
        return None
    with unit_of_work():
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
        audit.record(user, "user.login", "user", user.id)
    return user


def _refused(user: User | None, email: str, reason: str, address: str) -> None:
    shown = _loggable(email)
    log.warning("Sign-in refused for %s from %s: %s", shown, address or "?", reason)
    with unit_of_work():
        detail: dict[str, object] = {"reason": reason, "address": address}
        if user is None:
            audit.record(None, "user.login_failed", "login", shown, **detail)
            return
        if reason == "password":
            until = _count_failure(user.id)
            if until is not None:
                detail["locked_until"] = until.isoformat(timespec="seconds")
                log.warning("Account %s locked until %s", shown, detail["locked_until"])
        audit.record(None, "user.login_failed", "user", user.id, **detail)


def _count_failure(user_id: int) -> datetime | None:
    """Add one failure in the database (atomic across workers); lock when due. The lock end."""
    db.session.execute(
        db.update(User)
        .where(User.id == user_id)
        .values(failed_logins=User.failed_logins + 1)
        .execution_options(synchronize_session=False)
    )
    failures = db.session.scalar(db.select(User.failed_logins).where(User.id == user_id)) or 0
    if failures < LOCK_AFTER:
        return None
    until = utcnow() + lock_duration(failures)
    db.session.execute(
        db.update(User)
        .where(User.id == user_id)
        .values(locked_until=until)
        .execution_options(synchronize_session=False)
    )
    return until


def throttled(email: str, address: str) -> None:
    """Log and audit a sign-in refused by the per-address throttle."""
    from kb.auth.service import normalise_email

    shown = _loggable(normalise_email(email))
    log.warning("Sign-in throttled for %s from %s", shown, address or "?")
    with unit_of_work():
        audit.record(None, "user.login_throttled", "login", shown, address=address)


def end_sessions(user: User) -> None:
    """Make every session of this user invalid (call inside a unit of work)."""
    user.session_generation = (user.session_generation or 0) + 1


def sign_out(user: User) -> None:
    """End this user's sessions: a copied cookie stops working too."""
    with unit_of_work():
        end_sessions(user)
        audit.record(user, "user.logout", "user", user.id)


def load_session_user(alt_id: str) -> User | None:
    """The user a session names, when active and the session's generation is current."""
    user_id, _, generation = (alt_id or "").partition(".")
    if not (user_id.isdigit() and generation.isdigit()):
        return None  # a session from before generations, or a forged id
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_generation != int(generation):
        return None
    return user
