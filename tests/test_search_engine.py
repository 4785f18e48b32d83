"""What search keeps besides the index: per-app state (never shared by two apps in one
process) and the search log, written in a transaction of its own."""

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa

from kb import create_app, write_behind
from kb.db import utcnow
from kb.documents.models import Document
from kb.extensions import db
from kb.search import searching
from kb.search.log import searches_without_results
from kb.search.models import SearchLog, SearchOutbox
from tests.helpers import table_away

pytestmark = pytest.mark.search


def found(client, q):
    response = client.get("/api/v1/search", query_string={"q": q})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return [r["slug"] for r in response.get_json()["results"]]


@pytest.fixture
def other_app(tmp_path):
    """A second app in this process, with its own SQLite database and index."""
    other = create_app(
        {"TESTING": True, "SERVER_NAME": None, "KB_DATA_DIR": str(tmp_path / "other")}
    )
    with other.app_context():
        db.create_all()
    yield other
    other.extensions["kb_search"].close()
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_two_apps_in_one_process_keep_their_own_catch_up(app, client, other_app, make_document):
    """Each app catches up with its own outbox, whenever the other one last did."""
    app.config["KB_SEARCH_CATCH_UP_SECONDS"] = 3600  # at most once an hour, per app
    slug = make_document("Grutto", "Weidevogel.", publish=False)
    with app.app_context():
        # What a worker that died right after its commit leaves: a published document
        # and an outbox row, but no index update.
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        doc.status, doc.published_number, doc.published_title = "published", 1, doc.title
        db.session.add(SearchOutbox(document_id=doc.id))
        db.session.commit()
    assert found(other_app.test_client(), "grutto") == []  # the other app's own first check
    assert found(client, "grutto") == [slug]  # this app's first check is still due
    assert app.extensions["kb_search"] is not other_app.extensions["kb_search"]


def test_a_search_never_commits_the_callers_session(app, make_document):
    make_document("Storing melden", "Meld een storing.")
    with app.test_request_context(), db.session.no_autoflush:
        from flask_login import current_user

        db.session.add(SearchOutbox(document_id=424242))  # the caller's unfinished work
        response = searching.search(current_user, "storing")
        assert response.total == 1
        db.session.rollback()  # the caller changes its mind
    with app.app_context():
        assert (
            db.session.scalar(sa.select(SearchOutbox.id).where(SearchOutbox.document_id == 424242))
            is None
        )
        write_behind.flush()
        logged = db.session.execute(sa.select(SearchLog.query, SearchLog.result_count)).all()
        assert logged == [("storing", 1)]  # the log went in, in its own transaction


def test_a_failing_search_log_never_breaks_a_search(app, client, make_document, caplog):
    slug = make_document("Storing melden", "Meld een storing.")
    with table_away(app, "search_log"):
        assert found(client, "storing") == [slug]  # the log cannot be written meanwhile
        assert found(client, "melden") == [slug]
        with app.app_context(), caplog.at_level(logging.ERROR, logger="kb.write_behind"):
            write_behind.flush()  # as the timer would, a second later
        assert any("could not write 2 search_log" in r.getMessage() for r in caplog.records)
    found(client, "storing")
    with app.app_context():  # only the search after the repair is in the log
        write_behind.flush()
        assert db.session.scalar(sa.select(sa.func.count(SearchLog.id))) == 1


def test_searches_without_results_for_the_dashboard(app, client, make_document):
    make_document("Storing melden", "Meld een storing.")
    for q in ("hypotheek", "storing", "hypotheek", "jan@example.nl lening"):
        found(client, q)
    with app.app_context():
        assert searches_without_results(utcnow() - timedelta(hours=1)) == [
            ("hypotheek", 2),
            ("[e-mail] lening", 1),
        ]
        assert searches_without_results(utcnow() + timedelta(hours=1)) == []


def test_missing_search_tables_are_a_missing_index(app, runner, make_document, backend):
    if backend != "postgres-fts":
        pytest.skip("the PostgreSQL full-text backend's tables")
    make_document("Storing melden", "Meld een storing.")
    with app.app_context():
        db.session.execute(sa.text("ALTER TABLE search_entries RENAME TO search_entries_away"))
        db.session.commit()
    try:
        result = runner.invoke(args=["search", "check"])
        assert result.exit_code == 1
        assert "index missing: the search tables are missing" in result.output
    finally:
        with app.app_context():
            db.session.rollback()
            db.session.execute(sa.text("ALTER TABLE search_entries_away RENAME TO search_entries"))
            db.session.commit()
    assert runner.invoke(args=["search", "check"]).exit_code == 0
