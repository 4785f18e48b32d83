"""Fixtures: a fresh app and database per test, on SQLite and (when configured) PostgreSQL.

Set KB_TEST_DATABASE_URL (e.g. postgresql+psycopg://root@127.0.0.1:5432/test) to run every
database-backed test on PostgreSQL as well. Tests there use their own schema, never `public`.

What makes a test's setup cheap (measured; every test still starts from an empty database):
- SQLite: the tables are made once per process and each test gets a copy of that file.
- PostgreSQL: the schema is migrated once per process; between tests only the tables that
  hold rows are emptied and every sequence restarts at 1 (TRUNCATE of every table took
  0.2-1 s a test). Commits do not wait for the WAL to reach the disk (synchronous_commit
  off: other connections see a commit at once, only a crash of the server could lose it).
- Templates are compiled once per process (a shared Jinja bytecode cache), not per app.
- Passwords are hashed with scrypt at a lower work factor (test_password_hash_cost checks
  the production one); the stored format and the checking code are the app's own.
"""

import os
import shutil
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from jinja2 import BytecodeCache
from werkzeug.security import generate_password_hash

import kb.auth.models
from kb import create_app
from kb.auth.models import SYSTEM
from kb.extensions import db
from tests.helpers import (
    PASSWORD,
    PG_URL,
    CSRFClient,
    drop_pg_schema,
    login,
    pg_url_for_schema,
    reset_pg_schema,
)

ROOT = Path(__file__).resolve().parents[1]
PG_SCHEMA = f"kb_test_{os.getpid()}"  # one per run, so parallel runs never collide
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])
# A work factor of 2**10 instead of werkzeug's 2**15: 2 ms a hash or check instead of 0.1 s.
TEST_PASSWORD_METHOD = "scrypt:1024:8:1"


def pg_test_url() -> str:
    """The app's URL for the test schema; commits do not wait for the WAL flush."""
    return pg_url_for_schema(PG_SCHEMA) + "%20-csynchronous_commit%3Doff"


class _SharedBytecode(BytecodeCache):
    """Compiled templates kept in memory for every app of this process (keyed by the
    template's name and source checksum, so an edited template is compiled again)."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_BYTECODE = _SharedBytecode()


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing():
    """Users' passwords hashed at TEST_PASSWORD_METHOD; checking reads the cost from the
    stored hash, so signing in works unchanged."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            kb.auth.models,
            "generate_password_hash",
            partial(generate_password_hash, method=TEST_PASSWORD_METHOD),
        )
        yield


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
    from flask_migrate import upgrade

    reset_pg_schema(PG_SCHEMA)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": pg_test_url()})
    with app.app_context():
        upgrade()  # the migrations, so PostgreSQL-only search columns exist too
        names = [t.name for t in db.metadata.sorted_tables]
        db.engine.dispose()
    yield names
    drop_pg_schema(PG_SCHEMA)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    """An SQLite file with every table (db.create_all), made once per process."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    app = create_app({"TESTING": True, "KB_DATA_DIR": str(folder)})
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()  # the last connection checkpoints the WAL into the file
    path = folder / "kb.sqlite"
    assert path.exists() and not path.with_name("kb.sqlite-wal").exists()
    return path


def _empty_pg_tables(tables: list[str]) -> None:
    """Every table empty and every sequence back at 1, as TRUNCATE ... RESTART IDENTITY
    leaves them; only the tables holding rows are touched (children before parents)."""
    probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM {t})" for t in tables)
    filled = set(db.session.scalars(sa.text(probe)))
    try:
        for table in reversed(tables):
            if table in filled:
                db.session.execute(sa.text(f"DELETE FROM {table}"))
        db.session.execute(
            sa.text(
                "SELECT setval(c.oid, 1, false) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
            )
        )
        db.session.commit()
    except sa.exc.DBAPIError:  # a constraint the order above does not satisfy
        db.session.rollback()
        db.session.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        db.session.commit()


def pytest_generate_tests(metafunc):
    """Database backends for every test; search tests also run on PostgreSQL full-text."""
    if "backend" in metafunc.fixturenames:
        params = list(BACKENDS)
        if PG_URL and metafunc.definition.get_closest_marker("search"):
            params.append("postgres-fts")
        # Browser journeys test the pages; what differs between databases is tested below
        # the browser on both. KB_BROWSER_POSTGRES=1 drives the browser on PostgreSQL too.
        in_browser = "tests/browser/" in str(metafunc.definition.path).replace("\\", "/")
        if in_browser and os.environ.get("KB_BROWSER_POSTGRES") != "1":
            params = [p for p in params if p == "sqlite"]
        metafunc.parametrize("backend", params)


@pytest.fixture
def app(backend, tmp_path, request):
    # The synonym file editors extend from the insights page: a copy, never the repository's.
    synonyms = tmp_path / "synoniemen.txt"
    synonyms.write_bytes((ROOT / "content" / "synoniemen.txt").read_bytes())
    overrides = {
        "TESTING": True,
        "KB_DATA_DIR": str(tmp_path / "data"),
        "SERVER_NAME": None,
        "KB_SYNONYMS_FILE": str(synonyms),
    }
    if backend.startswith("postgres"):
        tables = request.getfixturevalue("_pg_tables")
        overrides["SQLALCHEMY_DATABASE_URI"] = pg_test_url()
        if backend == "postgres-fts":
            overrides["KB_SEARCH_BACKEND"] = "postgres"
    else:  # the file create_all would make, copied
        (tmp_path / "data").mkdir()
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), tmp_path / "data/kb.sqlite")
    app = create_app(overrides)
    app.test_client_class = CSRFClient
    app.jinja_env.bytecode_cache = TEMPLATE_BYTECODE
    if backend.startswith("postgres"):
        with app.app_context():
            _empty_pg_tables(tables)
    yield app
    app.extensions["kb_write_behind"].flush()  # before its database goes
    search = app.extensions.get("kb_search")
    if search is not None and hasattr(search, "close"):
        search.close()  # the Whoosh backend keeps its index files open between searches
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def sibling_app(app):
    """Make another app on this test's database and search backend, as a second host or a
    differently configured server would be: ``sibling_app(KB_DATA_DIR=..., ...)``. Each is
    closed after the test."""
    made = []

    def make(**overrides):
        other = create_app(
            {
                "TESTING": True,
                "SERVER_NAME": None,
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "KB_SEARCH_BACKEND": app.config["KB_SEARCH_BACKEND"],
                "KB_SYNONYMS_FILE": app.config["KB_SYNONYMS_FILE"],
                **overrides,
            }
        )
        other.test_client_class = CSRFClient
        made.append(other)
        return other

    yield make
    for other in made:
        other.extensions["kb_write_behind"].flush()
        search = other.extensions.get("kb_search")
        if search is not None:
            search.close()
        with other.app_context():
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
            user = service.create_user(SYSTEM, email, role, password, name=role.capitalize())
            return SimpleNamespace(id=user.id, email=user.email, role=role, password=password)

    return make


@pytest.fixture
def make_document(app):
    """Create (and by default publish) a document through the service; returns its slug."""
    from kb.documents import service
    from kb.documents.schemas import DocumentCreate

    def make(
        title: str = "Factuur betalen",
        body: str = "Betaal uw factuur op tijd.",
        publish: bool = True,
        **fields,
    ):
        data = {
            "kind": "article",
            "audience": "public",
            "category": "facturen",
            "title": title,
            "body": body,
            **fields,
        }
        with app.app_context():
            doc = service.create_document(SYSTEM, DocumentCreate.model_validate(data))
            if publish:
                service.publish(doc, SYSTEM)
            return doc.slug

    return make


@pytest.fixture
def token_for(app):
    from kb.auth import service
    from kb.auth.models import User

    def issue(user) -> dict:
        with app.app_context():
            token = service.issue_token(SYSTEM, db.session.get(User, user.id))
        return {"Authorization": f"Bearer {token}"}

    return issue


@pytest.fixture
def login_as(client, make_user):
    """Log the test client in as a new user of the given role; returns that user."""

    def do(role: str):
        user = make_user(role)
        response = login(client, user)
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return user

    return do
