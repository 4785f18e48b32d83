"""/healthz and /readyz for load balancers, and KB_PROXY_COUNT."""

import os

import pytest
from flask import request, url_for
from flask_migrate import upgrade

from kb import create_app
from kb.extensions import db
from tests.helpers import PG_URL, drop_pg_schema, pg_url_for_schema, reset_pg_schema


def _app(tmp_path, **overrides):
    return create_app({"TESTING": True, "KB_DATA_DIR": str(tmp_path / "data"), **overrides})


def _close(app):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    search = app.extensions.get("kb_search")
    if search is not None:
        search.close()


def test_healthz_answers_even_when_the_database_is_unreachable(tmp_path):
    app = _app(tmp_path, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://kb@127.0.0.1:1/kb")
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.headers["Cache-Control"] == "no-store"
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["reason"] == "database unreachable"
    assert ready.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("kind", ["sqlite"] + (["postgres"] if PG_URL else []))
def test_readyz_waits_for_migrations_and_the_search_index(kind, tmp_path):
    schema = f"kb_ready_{os.getpid()}"
    url = {}
    if kind == "postgres":
        reset_pg_schema(schema)
        url = {"SQLALCHEMY_DATABASE_URI": pg_url_for_schema(schema)}
    app = _app(tmp_path, **url)
    client = app.test_client()
    try:
        assert client.get("/readyz").json["reason"].startswith("database not migrated")
        with app.app_context():
            upgrade(revision="37b99c20f277")  # one migration behind
        assert client.get("/readyz").json["reason"].startswith("database not at migration head")
        with app.app_context():
            upgrade()
            db.session.remove()
        first = client.get("/readyz")
        if first.status_code == 503:  # a new host: the index is being built in the background
            assert first.json["reason"].startswith("search index")
            with app.app_context():
                from kb.search import service as search

                search.rebuild()
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.json
        assert ready.json == {"status": "ready"}
    finally:
        _close(app)
        if kind == "postgres":
            drop_pg_schema(schema)


def _who(app):
    @app.get("/_test/who")
    def who():
        return {"addr": request.remote_addr, "url": url_for("ops.healthz", _external=True)}

    return app.test_client()


FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def test_one_proxy_is_believed_for_client_address_and_scheme(tmp_path):
    client = _who(_app(tmp_path, KB_PROXY_COUNT=1))
    seen = client.get("/_test/who", headers=FORWARDED).json
    assert seen["addr"] == "203.0.113.7"
    assert seen["url"].startswith("https://")


def test_without_proxies_forwarded_headers_are_ignored(tmp_path):
    client = _who(_app(tmp_path))
    seen = client.get("/_test/who", headers=FORWARDED).json
    assert seen["addr"] == "127.0.0.1"
    assert seen["url"].startswith("http://")
