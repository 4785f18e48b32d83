"""kb backup / kb restore: every table comes back row for row in a new installation."""

import os

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from kb import create_app
from kb.auth.models import SYSTEM, User
from kb.extensions import db
from tests.helpers import PG_URL, drop_pg_schema, pg_url_for_schema, reset_pg_schema

BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])


def _app(data_dir, url=None):
    overrides = {"TESTING": True, "KB_DATA_DIR": str(data_dir)}
    if url:
        overrides["SQLALCHEMY_DATABASE_URI"] = url
    app = create_app(overrides)
    with app.app_context():
        upgrade()
        db.session.remove()
    return app


def _fill(app) -> None:
    """Content of every kind a backup must keep, made through the services."""
    from kb.auth import service as accounts
    from kb.documents import acknowledge
    from kb.documents import service as documents
    from kb.documents.schemas import DocumentCreate
    from kb.feedback import service as feedback
    from kb.feedback.schemas import CommentCreate
    from kb.tickets import service as tickets
    from kb.tickets.schemas import TicketCreate

    with app.app_context():
        editor = accounts.create_user(
            SYSTEM, "editor@example.test", "editor", "geheim-wachtwoord-1"
        )
        agent = accounts.create_user(SYSTEM, "agent@example.test", "agent", "geheim-wachtwoord-1")
        accounts.issue_token(SYSTEM, agent)
        doc = documents.create_document(
            editor,
            DocumentCreate.model_validate(
                {
                    "kind": "article",
                    "audience": "internal",
                    "category": "facturen",
                    "title": "Factuur betalen",
                    "body": "Betaal uw factuur op tijd.",
                }
            ),
        )
        documents.publish(doc, editor)
        feedback.vote(doc, True)
        feedback.add_comment(doc, agent, CommentCreate(body="Klopt de termijn nog?"))
        acknowledge.acknowledge(doc, agent)
        tickets.create_ticket(
            agent,
            TicketCreate.model_validate(
                {"external_ref": "ZD-1001", "subject": "Factuur te hoog", "channel": "phone"}
            ),
        )
        db.session.remove()


def _rows(app) -> dict[str, list[tuple]]:
    with app.app_context():
        tables = {}
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            result = db.session.execute(sa.select(table).order_by(*order))
            tables[table.name] = [tuple(row) for row in result]
        db.session.remove()
        return tables


def _dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    search = app.extensions.get("kb_search")
    if search is not None:
        search.close()


@pytest.mark.parametrize("kind", BACKENDS)
def test_restore_into_a_new_installation_gives_back_every_row(kind, tmp_path):
    schema = f"kb_backup_{os.getpid()}"
    url = None
    if kind == "postgres":
        reset_pg_schema(schema)
        url = pg_url_for_schema(schema)
    source = _app(tmp_path / "one", url)
    _fill(source)
    before = _rows(source)
    for name in ("users", "api_tokens", "documents", "revisions", "votes", "comments"):
        assert before[name], name
    for name in ("tickets", "audit_events"):
        assert before[name], name

    result = source.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "backup" / "manifest.json").exists()
    _dispose(source)

    if kind == "postgres":  # a new, empty installation on the same database
        reset_pg_schema(schema)
    target = _app(tmp_path / "two", url)
    try:
        result = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
        assert result.exit_code == 0, result.output
        assert _rows(target) == before
        secret = (tmp_path / "two" / "secret_key").read_text()
        assert secret == (tmp_path / "one" / "secret_key").read_text()
        with target.app_context():  # the search index was rebuilt: the document is found
            from kb.search import service as search

            assert search.check() == []
            assert db.session.scalar(sa.select(sa.func.count(User.id))) == 2

        again = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
        assert again.exit_code != 0
        assert "not empty" in again.output
    finally:
        _dispose(target)
        if kind == "postgres":
            drop_pg_schema(schema)


def test_backup_refuses_a_folder_that_is_not_empty(tmp_path):
    app = _app(tmp_path / "one")
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "old.txt").write_text("x")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
    _dispose(app)
    assert result.exit_code != 0
    assert "not empty" in result.output
