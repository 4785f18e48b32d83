"""The OpenAPI document tells a client about Idempotency-Key on every POST and PUT, and what
the server does with it is what the document says: a retry gets the first answer."""

import pytest
import sqlalchemy as sa

from kb.documents.models import Document
from kb.extensions import db

BODY = {
    "kind": "article",
    "title": "Storing melden",
    "body": "Bel de storingslijn.",
    "audience": "public",
    "category": "storingen",
}


@pytest.fixture
def doc(client) -> dict:
    return client.get("/api/openapi.json").get_json()


def _writes(doc: dict):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in ("post", "put"):
                yield path, method, op


def test_every_post_and_put_documents_the_key_and_what_a_reused_key_answers(doc):
    writes = list(_writes(doc))
    assert len(writes) > 10  # documents, reviews, tickets, suggestions, ...
    for path, method, op in writes:
        headers = [p for p in op["parameters"] if p["in"] == "header"]
        assert [h["name"] for h in headers] == ["Idempotency-Key"], (method, path)
        assert headers[0]["required"] is False
        assert headers[0]["schema"]["maxLength"] == 200
        responses = op["responses"]
        assert "Idempotency-Key" in responses["409"]["description"], (method, path)
        assert "Retry-After" in responses["409"]["headers"], (method, path)
        assert "another request" in responses["422"]["description"], (method, path)
        success = next(code for code in responses if code.startswith("2"))
        assert "Idempotent-Replayed" in responses[success]["headers"], (method, path)
    for path, item in doc["paths"].items():
        for method in set(item) - {"post", "put"}:
            assert not any(p["in"] == "header" for p in item[method]["parameters"]), path


def test_a_conflict_with_its_own_shape_also_allows_the_plain_problem_of_a_reused_key(doc):
    edit = doc["paths"]["/api/v1/documents/{slug}"]["put"]
    schema = edit["responses"]["409"]["content"]["application/problem+json"]["schema"]
    refs = {option["$ref"].rsplit("/", 1)[1] for option in schema["anyOf"]}
    assert refs == {"ConflictProblem", "Problem"}


def test_a_retried_post_gets_the_first_answer_as_documented(app, client, make_user, token_for):
    headers = {**token_for(make_user("editor")), "Idempotency-Key": "5f0c7c1e-retry"}
    first = client.post("/api/v1/documents", json=BODY, headers=headers)
    again = client.post("/api/v1/documents", json=BODY, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 1
    other = client.post("/api/v1/documents", json={**BODY, "title": "Anders"}, headers=headers)
    assert other.status_code == 422
    assert other.content_type == "application/problem+json"
    bad = client.post(
        "/api/v1/documents", json=BODY, headers={**headers, "Idempotency-Key": "met spatie"}
    )
    assert bad.status_code == 400
