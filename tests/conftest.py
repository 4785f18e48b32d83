"""Fixtures: a fresh app and database per test, on SQLite and (when configured) PostgreSQL.

Set KB_TEST_DATABASE_URL (e.g. postgresql+psycopg://root@127.0.0.1:5432/test) to run every
database-backed test on PostgreSQL as well. Tests there use their own schema, never `public`.
"""

import os
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from kb import create_app
from kb.extensions import db

PG_URL = os.environ.get("KB_TEST_DATABASE_URL", "")
PG_SCHEMA = f"kb_test_{os.getpid()}"  # one per run, so parallel runs never collide
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])
PASSWORD = "geheim-wachtwoord-1"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def pg_url_for_schema(schema: str) -> str:
    base = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1) if "+psycopg" not in PG_URL else PG_URL
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def reset_pg_schema(schema: str) -> None:
    engine = sa.create_engine(pg_url_for_schema("public"))
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    engine.dispose()


def drop_pg_schema(schema: str) -> None:
    engine = sa.create_engine(pg_url_for_schema("public"))
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def pg_url():
    """The PostgreSQL URL for tests (own schema), or skip when none is configured."""
    if not PG_URL:
        pytest.skip("KB_TEST_DATABASE_URL is not set")
    return pg_url_for_schema(PG_SCHEMA)


@pytest.fixture(scope="session")
def _pg_tables():
    """Create the PostgreSQL schema once per session; tests then truncate."""
    if not PG_URL:
        yield None
        return
    reset_pg_schema(PG_SCHEMA)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": pg_url_for_schema(PG_SCHEMA)})
    with app.app_context():
        db.create_all()
        names = [t.name for t in db.metadata.sorted_tables]
        db.engine.dispose()
    yield names
    drop_pg_schema(PG_SCHEMA)


class CSRFClient(FlaskClient):
    """A test client that posts forms with the CSRF token of its own session."""

    def csrf_token(self) -> str:
        page = self.get("/").get_data(as_text=True)
        return CSRF_META.search(page).group(1)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def app(backend, tmp_path, request):
    overrides = {"TESTING": True, "KB_DATA_DIR": str(tmp_path / "data"), "SERVER_NAME": None}
    if backend == "postgres":
        tables = request.getfixturevalue("_pg_tables")
        overrides["SQLALCHEMY_DATABASE_URI"] = pg_url_for_schema(PG_SCHEMA)
    app = create_app(overrides)
    app.test_client_class = CSRFClient
    with app.app_context():
        if backend == "postgres":
            db.session.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            db.session.commit()
        else:
            db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app) -> CSRFClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create a user through the service; returns plain data, not an ORM object."""
    from kb.auth import service

    counter = iter(range(1, 10_000))

    def make(role: str = "editor", email: str | None = None, password: str = PASSWORD):
        email = email or f"{role}{next(counter)}@example.test"
        with app.app_context():
            user = service.create_user(None, email, role, password, name=role.capitalize())
            return SimpleNamespace(id=user.id, email=user.email, role=role, password=password)

    return make


@pytest.fixture
def make_document(app):
    """Create (and by default publish) a document through the service; returns its slug."""
    from kb.documents import service

    def make(title: str = "Factuur betalen", body: str = "Betaal uw factuur op tijd.",
             publish: bool = True, **fields):
        data = {"kind": "article", "audience": "public", "category": "facturen", "title": title,
                "body": body, **fields}
        with app.app_context():
            doc = service.create_document(None, data)
            if publish:
                service.publish(doc, None)
            return doc.slug

    return make


@pytest.fixture
def token_for(app):
    from kb.auth import service
    from kb.auth.models import User

    def issue(user) -> dict:
        with app.app_context():
            token = service.issue_token(None, db.session.get(User, user.id))
        return {"Authorization": f"Bearer {token}"}

    return issue


def login(client: CSRFClient, user, password: str | None = None):
    """Log in through the real form, as a person would."""
    return client.post_form(
        "/inloggen", {"email": user.email, "password": password or user.password}
    )


@pytest.fixture
def login_as(client, make_user):
    """Log the test client in as a new user of the given role; returns that user."""

    def do(role: str):
        user = make_user(role)
        response = login(client, user)
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return user

    return do
