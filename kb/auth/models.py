"""User and ApiToken. Passwords and tokens are stored only as hashes."""

import hashlib
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from kb.db import utcnow
from kb.extensions import Model


class Role(StrEnum):
    """Roles in rising order: each has every right of the ones before it (SPEC §2)."""

    AGENT = "agent"
    EDITOR = "editor"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


ROLES: tuple[Role, ...] = tuple(Role)
MAX_EMAIL = 254
MAX_NAME = 120
MIN_PASSWORD = 10
MAX_PASSWORD = 200
MAX_TOKEN_NAME = 80


def role_rank(role: str | None) -> int:
    """0 for no role (anonymous), then 1 (agent) up to 4 (admin)."""
    return ROLES.index(Role(role)) + 1 if role in ROLES else 0


class User(UserMixin, Model):
    __tablename__ = "users"
    is_system = False

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(MAX_EMAIL), unique=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Part of the session's user id: raising it ends every session of this user (logout,
    # password change, deactivation), although Flask's sessions live in the browser.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Failed sign-ins since the last success, counted in the database so that every worker
    # and host sees them; `locked_until` is when the current lock ends.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    # A one-time password set by an admin: the user chooses his own after signing in.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # An invitation link (its hash; the link is shown once) and when it expires.
    invite_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invite_expires_at: Mapped[datetime | None]
    # The interface language the user chose (nl, en); None: the browser's Accept-Language.
    language: Mapped[str | None] = mapped_column(String(8))

    tokens: Mapped[list["ApiToken"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt

    def get_id(self) -> str:
        """Flask-Login's alternative id: the session names the generation it was made in."""
        return f"{self.id}.{self.session_generation}"

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@", 1)[0]

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class Anonymous(AnonymousUserMixin):
    role = None
    id = None
    display_name = ""
    is_system = False


class SystemActor:
    """kb itself (the content import, the CLI): every document right, no user id.

    Services take it where no person acts, so that skipping a check is explicit.
    """

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_system = True
    id = None
    role = Role.ADMIN
    email = "system"
    display_name = "kb"

    def __repr__(self) -> str:
        return "<SystemActor>"


SYSTEM = SystemActor()


def hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough to make a leaked table useless.
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(MAX_TOKEN_NAME), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")
