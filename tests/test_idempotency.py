"""Idempotency-Key on API POST and PUT: a retry gets the first answer, never a second change."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from kb.db import utcnow
from kb.documents.models import Document
from kb.extensions import db
from kb.ops.models import IdempotencyKey

BODY = {
    "kind": "article",
    "title": "Factuur betalen",
    "body": "Betaal op tijd.",
    "audience": "public",
    "category": "facturen",
}


@pytest.fixture
def editor(make_user, token_for):
    user = make_user("editor")
    return user, token_for(user)


def _create(client, headers, key, **fields):
    return client.post(
        "/api/v1/documents", json={**BODY, **fields}, headers={**headers, "Idempotency-Key": key}
    )


def _documents(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Document.id)))


def _age(app, key, **values):
    with app.app_context():
        db.session.execute(
            sa.update(IdempotencyKey).where(IdempotencyKey.key == key).values(**values)
        )
        db.session.commit()


def test_a_retried_create_answers_the_first_time_and_creates_once(app, client, editor):
    _, headers = editor
    first = _create(client, headers, "retry-create-1")
    again = _create(client, headers, "retry-create-1")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _documents(app) == 1
    other = _create(client, headers, "retry-create-2", title="Factuur niet betaald")
    assert other.status_code == 201 and other.get_json()["slug"] != first.get_json()["slug"]


def test_a_retried_edit_is_saved_once(app, client, editor):
    _, headers = editor
    slug = _create(client, headers, "make").get_json()["slug"]
    edit = {"base_revision": 1, "body": "Betaal binnen 14 dagen."}
    key = {**headers, "Idempotency-Key": "edit-once"}
    first = client.put(f"/api/v1/documents/{slug}", json=edit, headers=key)
    again = client.put(f"/api/v1/documents/{slug}", json=edit, headers=key)
    assert first.status_code == again.status_code == 200
    assert again.get_json()["revision"] == 2
    revisions = client.get(f"/api/v1/documents/{slug}/revisions", headers=headers).get_json()
    assert [r["number"] for r in revisions["revisions"]] == [2, 1]


def test_a_key_reused_for_another_body_is_422(app, client, editor):
    _, headers = editor
    assert _create(client, headers, "same-key").status_code == 201
    other = _create(client, headers, "same-key", title="Iets anders")
    assert other.status_code == 422
    assert other.content_type == "application/problem+json"
    assert _documents(app) == 1


def test_keys_belong_to_one_user(app, client, editor, make_user, token_for):
    _, headers = editor
    second = token_for(make_user("editor"))
    assert _create(client, headers, "shared-key").status_code == 201
    theirs = _create(client, second, "shared-key", title="Factuur kwijt")
    assert theirs.status_code == 201 and theirs.headers.get("Idempotent-Replayed") is None
    assert _documents(app) == 2


def test_a_duplicate_while_the_first_is_in_progress_gets_409(app, client, editor):
    user, headers = editor
    body = _create(client, headers, "in-flight").get_json()
    # The state a first request leaves while it runs (or after its worker died): claimed,
    # no answer yet.
    _age(app, "in-flight", status_code=None, body=None, work_done_at=None)
    busy = _create(client, headers, "in-flight")
    assert busy.status_code == 409
    assert "in behandeling" in busy.get_json()["detail"]
    assert busy.headers["Retry-After"] == "1"
    assert _documents(app) == 1
    assert body["slug"]


def test_after_a_worker_died_the_retry_knows_whether_the_work_was_done(app, client, editor):
    _, headers = editor
    _create(client, headers, "died-after")
    # The worker died after its transaction committed, before the answer was kept.
    _age(app, "died-after", status_code=None, body=None, created_at=utcnow() - timedelta(minutes=5))
    retry = _create(client, headers, "died-after")
    assert retry.status_code == 409
    assert "uitgevoerd" in retry.get_json()["detail"]
    assert _documents(app) == 1

    _create(client, headers, "died-before", title="Factuur kwijt")
    with app.app_context():  # undo the work: as if the worker died before its commit
        db.session.execute(sa.delete(Document).where(Document.slug != "factuur-betalen"))
        db.session.commit()
    _age(
        app,
        "died-before",
        status_code=None,
        body=None,
        work_done_at=None,
        created_at=utcnow() - timedelta(minutes=5),
    )
    taken_over = _create(client, headers, "died-before", title="Factuur kwijt")
    assert taken_over.status_code == 201, taken_over.get_json()
    assert _documents(app) == 2


def test_a_key_older_than_a_day_is_forgotten(app, client, editor):
    _, headers = editor
    _create(client, headers, "yesterday")
    _age(app, "yesterday", created_at=utcnow() - timedelta(hours=25))
    with app.app_context():  # the document went since, so doing the request again shows
        db.session.execute(sa.delete(Document))
        db.session.commit()
    later = _create(client, headers, "yesterday")
    assert later.status_code == 201 and later.headers.get("Idempotent-Replayed") is None
    assert _documents(app) == 1


def test_concurrent_duplicates_do_the_work_once(app, editor):
    _, headers = editor
    barrier = threading.Barrier(4)
    answers = []

    def send():
        client = app.test_client()
        barrier.wait()
        response = _create(client, headers, "at-once")
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _documents(app) == 1
    created = [body for status, body in answers if status == 201]
    assert created and all(body == created[0] for body in created)
    assert all(status == 201 or "in behandeling" in body["detail"] for status, body in answers)
