"""Helpers shared by the tests: PostgreSQL schemas, a CSRF-aware client and logging in."""

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask.testing import FlaskClient

PG_URL = os.environ.get("KB_TEST_DATABASE_URL", "")
PASSWORD = "geheim-wachtwoord-1"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def pg_url_for_schema(schema: str) -> str:
    base = PG_URL
    if "+psycopg" not in base:
        base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    sep = "&" if "?" in base else "?"
    # public stays on the path: that is where pg_trgm's functions live.
    return f"{base}{sep}options=-csearch_path%3D{schema}%2Cpublic"


def reset_pg_schema(schema: str) -> None:
    engine = sa.create_engine(pg_url_for_schema("public"))
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        # Extensions are per database: keep pg_trgm in public, which every test path has.
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    engine.dispose()


def drop_pg_schema(schema: str) -> None:
    engine = sa.create_engine(pg_url_for_schema("public"))
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


class CSRFClient(FlaskClient):
    """A test client that posts forms with the CSRF token of its own session."""

    def csrf_token(self) -> str:
        page = self.get("/").get_data(as_text=True)
        return CSRF_META.search(page).group(1)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


def login(client: CSRFClient, user, password: str | None = None):
    """Log in through the real form, as a person would."""
    return client.post_form(
        "/inloggen", {"email": user.email, "password": password or user.password}
    )


_CSRF_VALUES = re.compile(
    r'(name="csrf-token" content="|name="csrf_token" (?:type="hidden" )?value=")[^"]*"'
)


def without_csrf(html: str) -> str:
    """A page with every CSRF token blanked: each is signed anew, with the time, per page, so
    two renderings of the same page a second apart differ only there."""
    return _CSRF_VALUES.sub(r'\1"', html)


@contextmanager
def table_away(app, table: str) -> Iterator[None]:
    """While inside, ``table`` is missing (renamed), as a broken or locked table would be
    to a write; it is back afterwards."""
    from kb.extensions import db

    with app.app_context():
        db.session.execute(sa.text(f"ALTER TABLE {table} RENAME TO {table}_away"))
        db.session.commit()
    try:
        yield
    finally:
        with app.app_context():
            db.session.execute(sa.text(f"ALTER TABLE {table}_away RENAME TO {table}"))
            db.session.commit()
