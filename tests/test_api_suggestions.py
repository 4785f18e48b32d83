"""/api/v1 for comments and suggestions: a document's comments with their status (agents and
up, documents they read), the inbox list, close with a reason and accept into a revision
(editors; for anyone else they do not exist)."""

import pytest

from kb.audit.models import AuditEvent
from kb.auth.models import SYSTEM, User
from kb.documents import service as documents
from kb.documents.models import Document
from kb.documents.schemas import DocumentCreate
from kb.extensions import db
from kb.feedback.models import Comment


def _doc(slug: str) -> Document:
    return db.session.scalars(db.select(Document).where(Document.slug == slug)).one()


@pytest.fixture
def setup(app, make_user, token_for):
    """An agent, an editor and a supervisor with tokens; an internal article, a draft and a
    policy document (supervisors edit it), each with one suggestion by the agent."""
    from types import SimpleNamespace

    from kb.feedback import service as feedback
    from kb.feedback.schemas import CommentCreate

    people = {role: make_user(role) for role in ("agent", "editor", "supervisor")}
    ids = {}
    with app.app_context():
        for name, fields in (("open", {}), ("draft", {}), ("policy", {"category": "beleid"})):
            data = {
                "kind": "article",
                "audience": "internal",
                "category": "facturen",
                "title": f"Artikel {name}",
                "body": "Tekst.",
                **fields,
            }
            doc = documents.create_document(SYSTEM, DocumentCreate.model_validate(data))
            documents.publish(doc, SYSTEM)
            agent = db.session.get_one(User, people["agent"].id)
            ids[name] = feedback.add_comment(
                doc, agent, CommentCreate(body=f"Voorstel {name}", kind="suggestion")
            ).id
            ids[f"{name}-slug"] = doc.slug
        documents.unpublish(_doc(ids["draft-slug"]), SYSTEM)
    return SimpleNamespace(
        ids=ids, tokens={role: token_for(user) for role, user in people.items()}, people=people
    )


def test_comments_of_a_document_carry_their_status(client, setup):
    slug = setup.ids["open-slug"]
    assert client.get(f"/api/v1/documents/{slug}/comments").status_code == 401
    response = client.get(f"/api/v1/documents/{slug}/comments", headers=setup.tokens["agent"])
    assert response.status_code == 200
    [item] = response.get_json()["items"]
    assert item["id"] == setup.ids["open"] and item["body"] == "Voorstel open"
    assert (item["status"], item["reason"], item["handled_by"]) == ("open", "", None)
    assert item["kind"] == "suggestion" and item["revision"] == 1
    assert item["author"] == setup.people["agent"].email
    # A draft does not exist for an agent; editors read it.
    draft = setup.ids["draft-slug"]
    assert (
        client.get(f"/api/v1/documents/{draft}/comments", headers=setup.tokens["agent"]).status_code
        == 404
    )
    editor = client.get(f"/api/v1/documents/{draft}/comments", headers=setup.tokens["editor"])
    assert [i["body"] for i in editor.get_json()["items"]] == ["Voorstel draft"]


def test_the_inbox_list_is_for_editors(client, setup):
    assert client.get("/api/v1/suggestions").status_code == 404
    assert client.get("/api/v1/suggestions", headers=setup.tokens["agent"]).status_code == 404
    response = client.get("/api/v1/suggestions?status=open", headers=setup.tokens["editor"])
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 3
    assert {i["slug"] for i in body["items"]} == {
        setup.ids["open-slug"],
        setup.ids["draft-slug"],
        setup.ids["policy-slug"],
    }
    bad = client.get("/api/v1/suggestions?status=weg", headers=setup.tokens["editor"])
    assert bad.status_code == 422


def test_close_needs_a_reason_and_is_audited(app, client, setup):
    cid, url = setup.ids["open"], f"/api/v1/suggestions/{setup.ids['open']}/close"
    editor = setup.tokens["editor"]
    assert client.post(url, json={"reason": "x"}, headers=setup.tokens["agent"]).status_code == 404
    assert client.post(url, json={"reason": "x"}).status_code == 404
    response = client.post(url, json={"reason": "  "}, headers=editor)
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert client.post(url, json={}, headers=editor).status_code == 422
    response = client.post(url, json={"reason": "Staat al in stap 2."}, headers=editor)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["reason"]) == ("closed", "Staat al in stap 2.")
    assert body["handled_by"] == setup.people["editor"].email
    open_now = client.get("/api/v1/suggestions", headers=editor).get_json()
    assert cid not in [i["id"] for i in open_now["items"]]
    closed = client.get("/api/v1/suggestions?status=closed", headers=editor).get_json()
    assert [i["id"] for i in closed["items"]] == [cid]
    with app.app_context():
        event = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "comment.closed")
        ).one()
        assert event.target_id == str(cid) and event.actor_id == setup.people["editor"].id


def test_accept_needs_an_existing_revision(app, client, setup):
    url = f"/api/v1/suggestions/{setup.ids['open']}/accept"
    editor = setup.tokens["editor"]
    response = client.post(url, json={"revision": 9}, headers=editor)
    assert response.status_code == 422 and "revision" in response.get_json()["errors"]
    assert client.post(url, json={"revision": 1}, headers=setup.tokens["agent"]).status_code == 404
    response = client.post(url, json={"revision": 1}, headers=editor)
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["accepted_revision"]) == (
        "accepted",
        1,
    )
    agent_view = client.get(
        f"/api/v1/documents/{setup.ids['open-slug']}/comments", headers=setup.tokens["agent"]
    ).get_json()
    assert agent_view["items"][0]["status"] == "accepted"
    with app.app_context():
        assert db.session.get_one(Comment, setup.ids["open"]).accepted_revision == 1


def test_editors_cannot_handle_a_supervisors_document(client, setup):
    url = f"/api/v1/suggestions/{setup.ids['policy']}/close"
    response = client.post(url, json={"reason": "Nee."}, headers=setup.tokens["editor"])
    assert response.status_code == 403
    response = client.post(url, json={"reason": "Nee."}, headers=setup.tokens["supervisor"])
    assert response.status_code == 200
    assert (
        client.post(
            "/api/v1/suggestions/99999/close", json={"reason": "x"}, headers=setup.tokens["editor"]
        ).status_code
        == 404
    )


def test_the_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/documents/{slug}/comments"]
    assert "post" in paths["/api/v1/documents/{slug}/comments"]
    assert "get" in paths["/api/v1/suggestions"]
    assert "post" in paths["/api/v1/suggestions/{comment_id}/close"]
    assert "post" in paths["/api/v1/suggestions/{comment_id}/accept"]
