"""Read-and-acknowledge in the API: POST /documents/{slug}/acknowledge and
GET /documents/{slug}/acknowledgements, per role, and how they appear in the OpenAPI document."""

import pytest

from kb.auth.models import SYSTEM, User
from kb.documents import service
from kb.documents.models import Document
from kb.documents.schemas import DocumentUpdate
from kb.extensions import db


@pytest.fixture
def publish(app):
    def do(slug: str, body: str | None = None, *, acknowledge: bool):
        with app.app_context():
            doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
            if body is not None:
                service.save_revision(doc, SYSTEM, doc.current_number, DocumentUpdate(body=body))
            service.publish(doc, SYSTEM, acknowledge=acknowledge)
            return doc.published_number

    return do


@pytest.fixture
def policy(make_document, publish):
    """An internal policy article asking agents to confirm revision 2."""
    slug = make_document("Compensatie bij storing", "Eén maand korting.", audience="internal")
    publish(slug, "Twee maanden korting bij een storing van meer dan een dag.", acknowledge=True)
    return slug


def ack(client, slug, headers):
    return client.post(f"/api/v1/documents/{slug}/acknowledge", headers=headers)


def overview(client, slug, headers):
    return client.get(f"/api/v1/documents/{slug}/acknowledgements", headers=headers)


def test_every_role_from_agent_confirms_once(client, policy, make_user, token_for):
    for role in ("agent", "editor", "supervisor", "admin"):
        headers = token_for(make_user(role))
        first = ack(client, policy, headers)
        assert first.status_code == 200, role
        body = first.get_json()
        assert body["required"] is True and body["revision"] == 2 and body["slug"] == policy
        assert body["acknowledged_at"]
        again = ack(client, policy, headers).get_json()
        assert again == body, role  # idempotent: the same revision and time


def test_nothing_to_confirm_is_200_with_required_false(client, make_document, make_user, token_for):
    slug = make_document("Werkwijze chat", "Antwoord binnen een minuut.", audience="internal")
    response = ack(client, slug, token_for(make_user("agent")))
    assert response.status_code == 200
    assert response.get_json() == {
        "slug": slug,
        "required": False,
        "revision": None,
        "acknowledged_at": None,
    }


def test_what_the_caller_may_not_read_is_404(app, client, policy, make_user, token_for):
    assert ack(client, policy, {}).status_code == 404  # anonymous: internal
    assert overview(client, policy, {}).status_code == 404
    assert ack(client, "bestaat-niet", token_for(make_user("agent"))).status_code == 404
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == policy))
        service.unpublish(doc, SYSTEM)
    agent = token_for(make_user("agent"))
    assert ack(client, policy, agent).status_code == 404
    assert overview(client, policy, agent).status_code == 404
    # A supervisor reads the draft: nothing is asked while it is not published.
    supervisor = token_for(make_user("supervisor"))
    assert overview(client, policy, supervisor).get_json()["revision"] is None
    assert ack(client, policy, supervisor).get_json()["required"] is False


def test_anonymous_on_a_public_article_must_sign_in(client, make_document, publish):
    slug = make_document("Storing melden", "Bel ons.")
    publish(slug, acknowledge=True)
    response = ack(client, slug, {})
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert overview(client, slug, {}).status_code == 401


def test_only_supervisors_and_up_see_who_confirmed(app, client, policy, make_user, token_for):
    agent, editor = make_user("agent"), make_user("editor")
    with app.app_context():
        db.session.get(User, agent.id).name = "Anouk Agent"
        db.session.get(User, editor.id).name = "Eva Editor"
        db.session.commit()
    for user in (agent, editor):
        response = overview(client, policy, token_for(user))
        assert response.status_code == 403, user.role
        assert response.headers["Content-Type"].startswith("application/problem+json")
    at = ack(client, policy, token_for(agent)).get_json()["acknowledged_at"]

    supervisor = make_user("supervisor")
    for user in (supervisor, make_user("admin")):
        body = overview(client, policy, token_for(user)).get_json()
        assert body["revision"] == 2
        assert body["acknowledged"] == [{"user_id": agent.id, "name": "Anouk Agent", "at": at}]
        pending = {p["user_id"]: p["name"] for p in body["pending"]}
        assert pending[editor.id] == "Eva Editor" and supervisor.id in pending
        assert agent.id not in pending
        assert set(body) == {"slug", "revision", "acknowledged", "pending"}


def test_republishing_with_the_flag_asks_again_through_the_api(
    client, policy, publish, make_user, token_for
):
    headers = token_for(make_user("agent"))
    assert ack(client, policy, headers).get_json()["revision"] == 2
    publish(policy, "Twee maanden korting.", acknowledge=False)  # revision 3: not asked again
    assert ack(client, policy, headers).get_json()["revision"] == 2
    publish(policy, "Drie maanden korting.", acknowledge=True)  # revision 4: asked again
    assert ack(client, policy, headers).get_json()["revision"] == 4


def test_the_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    post = paths["/api/v1/documents/{slug}/acknowledge"]["post"]
    assert "required: false" in post["summary"]
    get = paths["/api/v1/documents/{slug}/acknowledgements"]["get"]
    assert {"403", "404"} <= set(get["responses"])
