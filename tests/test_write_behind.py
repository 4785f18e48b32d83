"""Read counts and the search log are written behind the request (kb.write_behind): all the
rows of a second in one statement each, by a timer when nobody reads them back, at once
when this process reads them, never by a forked child that inherited them."""

import os
import time

import sqlalchemy as sa
from sqlalchemy import event

from kb import write_behind
from kb.documents.models import DocumentView
from kb.extensions import db
from kb.search.models import SearchLog

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}


def rows(app, model) -> int:
    """Rows in the table as another process sees them: no flush of this process first."""
    with app.app_context(), db.engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_seconds_reads_and_searches_are_one_statement_each(app, client, make_document):
    slug = make_document("Router herstarten", "Trek de stekker eruit.")
    other = make_document("Modem resetten", "Houd de knop ingedrukt.")
    for path in [f"/artikel/{slug}"] * 3 + [f"/artikel/{other}", "/zoeken?q=stekker"] * 2:
        assert client.get(path, headers=BROWSER).status_code == 200
    assert rows(app, DocumentView) == 0 and rows(app, SearchLog) == 0  # not yet written

    written: list[str] = []
    with app.app_context():
        listener = lambda *args: written.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            write_behind.flush()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len(written) == 2, written  # one upsert, one insert
        views = db.session.scalars(sa.select(DocumentView.views).order_by(DocumentView.views))
        assert list(views) == [2, 3]
    assert rows(app, SearchLog) == 2


def test_nobody_reading_them_back_the_timer_writes_them(app, client, make_document):
    app.extensions["kb_write_behind"].seconds = 0.05
    slug = make_document("Router herstarten", "Trek de stekker eruit.")
    client.get(f"/artikel/{slug}", headers=BROWSER)
    deadline = time.monotonic() + 30  # a busy machine may start the timer late
    while rows(app, DocumentView) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rows(app, DocumentView) == 1


def test_a_forked_child_leaves_the_parents_rows_to_the_parent(app, client, make_document):
    slug = make_document("Router herstarten", "Trek de stekker eruit.")
    client.get(f"/artikel/{slug}", headers=BROWSER)
    child = os.fork()
    if child == 0:  # what a gunicorn worker forked from a serving process would do
        try:
            write_behind._flush_all()
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    assert rows(app, DocumentView) == 0
    with app.app_context():
        write_behind.flush()
    assert rows(app, DocumentView) == 1
