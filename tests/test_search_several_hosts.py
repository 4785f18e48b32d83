"""Several hosts on one database: every host's index follows the change log on its own.

Host A is the usual test app; host B is a second app on the same database with a data
folder of its own (its own Whoosh index), as a second server behind a load balancer is.
Each runs on SQLite and PostgreSQL with Whoosh, and on PostgreSQL full-text search.
"""

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from kb.db import utcnow
from kb.documents.models import Document
from kb.extensions import db
from kb.search import cursor as cursors
from kb.search import service as search
from kb.search.models import SearchOutbox

pytestmark = pytest.mark.search


@pytest.fixture
def app(app):
    app.config["KB_SEARCH_CATCH_UP_SECONDS"] = 0
    return app


@pytest.fixture
def host_b(app, tmp_path, sibling_app):
    """A second app on host A's database, with its own data folder."""
    return sibling_app(KB_DATA_DIR=str(tmp_path / "host-b"), KB_SEARCH_CATCH_UP_SECONDS=0)


def found(client, q, headers=None):
    response = client.get("/api/v1/search", query_string={"q": q}, headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [r["slug"] for r in response.get_json()["results"]]


def test_a_publish_on_one_host_is_found_on_the_other(
    app, host_b, make_document, make_user, token_for
):
    b = host_b.test_client()
    slug = make_document("Grutto", "Weidevogel in het voorjaar.")
    assert found(b, "grutto") == [slug]  # B builds its index from the database
    editor = token_for(make_user("editor"))
    a = app.test_client()
    a.put(
        f"/api/v1/documents/{slug}",
        headers=editor,
        json={"base_revision": 1, "title": "Grutto en tureluur"},
    )
    assert a.post(f"/api/v1/documents/{slug}/publish", headers=editor, json={}).status_code == 200
    assert found(b, "tureluur") == [slug]  # B's next search applies A's change
    assert a.post(f"/api/v1/documents/{slug}/unpublish", headers=editor).status_code == 200
    assert found(b, "tureluur") == []
    with host_b.app_context():
        assert search.check() == []


def test_hosts_converge_with_the_default_catch_up_interval(
    app, host_b, make_document, make_user, token_for
):
    host_b.config["KB_SEARCH_CATCH_UP_SECONDS"] = 1.0
    b = host_b.test_client()
    make_document("Kievit", "Weidevogel.")
    found(b, "kievit")
    slug = make_document("Scholekster", "Strandvogel.")
    deadline = time.monotonic() + 10
    while found(b, "scholekster") != [slug] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert found(b, "scholekster") == [slug]


def test_both_hosts_publishing_at_once_end_up_with_the_same_index(
    app, host_b, make_document, make_user, token_for
):
    editor = token_for(make_user("editor"))
    slugs = [make_document(f"Vogel {n}", "Tekst.", publish=False) for n in range(12)]
    found(host_b.test_client(), "vogel")
    errors: list[str] = []

    def publish(host, mine):
        client = host.test_client()
        for slug in mine:
            response = client.post(f"/api/v1/documents/{slug}/publish", headers=editor, json={})
            if response.status_code != 200:
                errors.append(f"{slug}: {response.status_code}")

    threads = [
        threading.Thread(target=publish, args=(app, slugs[0::2])),
        threading.Thread(target=publish, args=(host_b, slugs[1::2])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for host in (app, host_b):
        assert sorted(found(host.test_client(), "vogel")) == sorted(slugs)
        with host.app_context():
            assert search.check() == []


def test_a_change_committed_late_with_a_lower_id_is_not_skipped(
    app, backend, make_document, make_user, token_for
):
    """PostgreSQL hands out ids at insert: a transaction that started first can commit its
    lower id after a later one was applied. The index must still apply it."""
    if backend == "sqlite":
        pytest.skip("SQLite runs one writer at a time: ids commit in order")
    slug = make_document("Lepelaar", "Vogel met een lepel.", publish=False)
    other = make_document("Kluut", "Vogel.", publish=False)
    editor = token_for(make_user("editor"))
    client = app.test_client()
    with app.app_context():
        doc_id = db.session.scalar(sa.select(Document.id).where(Document.slug == slug))
        slow = db.engine.connect()  # a slow request: its change is written, not committed
        slow.execute(
            sa.update(Document)
            .where(Document.id == doc_id)
            .values(status="published", published_number=1, published_title="Lepelaar")
        )
        slow.execute(sa.insert(SearchOutbox).values(document_id=doc_id))
    try:
        assert client.post(f"/api/v1/documents/{other}/publish", headers=editor, json={})
        assert found(client, "kluut") == [other]  # the later id is applied first
        assert found(client, "lepelaar") == []
    finally:
        slow.commit()
        slow.close()
    assert found(client, "lepelaar") == [slug]
    with app.app_context():
        assert search.check() == []


def test_an_index_without_a_position_is_rebuilt_not_empty(app, backend, make_document):
    """An index an older kb built (or another backend left) cannot know which changes it
    holds: it counts as missing and is rebuilt, never answered as "no results"."""
    slug = make_document("Tureluur", "Weidevogel.")
    client = app.test_client()
    assert found(client, "tureluur") == [slug]
    with app.app_context():
        if backend == "postgres-fts":
            db.session.execute(sa.text("DELETE FROM search_state WHERE name = 'index:postgres'"))
            db.session.execute(sa.text("DELETE FROM search_entries"))
            db.session.commit()
        else:
            for path in (search.backend().root).glob("*.cursor"):  # type: ignore[attr-defined]
                path.unlink()
        assert search.check()[0].startswith("index missing")
    assert found(client, "tureluur") == [slug]
    with app.app_context():
        assert search.check() == []


def test_an_index_of_another_database_is_rebuilt(app, make_document):
    slug = make_document("Bontbekplevier", "Strandvogel.")
    client = app.test_client()
    assert found(client, "bontbekplevier") == [slug]
    with app.app_context():
        db.session.execute(
            sa.delete(cursors.SearchState).where(cursors.SearchState.name == "installation")
        )
        db.session.commit()  # as if the app now pointed at a restored or other database
        assert "another database" in search.check()[0]
    assert found(client, "bontbekplevier") == [slug]
    with app.app_context():
        assert search.check() == []


def test_a_host_that_missed_pruned_changes_rebuilds(app, host_b, make_document, backend):
    if backend == "postgres-fts":
        pytest.skip("one index shared by every host: nobody misses a change")
    b = host_b.test_client()
    make_document("Wulp", "Weidevogel.")
    assert len(found(b, "wulp")) == 1  # B is in step
    late = make_document("Wulp en grutto", "Weidevogel.")  # B has not seen this one yet
    with app.app_context():
        app.config["KB_SEARCH_LOG_DAYS"] = 0
        db.session.execute(sa.update(SearchOutbox).values(created_at=utcnow() - timedelta(days=30)))
        assert cursors.prune([]) >= 1
        db.session.commit()
    with host_b.app_context():
        assert "missed changes" in search.check()[0]
    assert late in found(b, "grutto")
    with host_b.app_context():
        assert search.check() == []


def test_switching_backends_without_a_reindex_rebuilds_instead_of_finding_nothing(
    app, backend, make_document, tmp_path, sibling_app
):
    """An installation that searched with Whoosh on PostgreSQL switches to the PostgreSQL
    backend and forgets `kb search reindex`: searches still find, `search check` says why."""
    if backend != "postgres":
        pytest.skip("switching to the PostgreSQL backend needs PostgreSQL")
    slug = make_document("Zilverreiger", "Witte reiger.")
    assert found(app.test_client(), "zilverreiger") == [slug]
    switched = sibling_app(KB_DATA_DIR=str(tmp_path / "switched"), KB_SEARCH_BACKEND="postgres")
    with switched.app_context():
        assert "never built" in search.check()[0]
    assert found(switched.test_client(), "zilverreiger") == [slug]
    with switched.app_context():
        assert search.check() == []
