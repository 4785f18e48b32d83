"""Every kind of write, done through the web or the API, leaves an audit event with actor,
action, target and time, written in the same transaction (a write that fails leaves none), and
no event holds a password, a token, an invitation secret or a ticket note's text."""

import json
import re
from types import SimpleNamespace

import pytest

from kb.audit.models import AuditEvent
from kb.auth.models import ApiToken
from kb.extensions import db
from tests.helpers import login

OTP = "Eenmalig-Geheim-4711"
WRONG = "Verkeerd-Wachtwoord-0815"
NOTE = "Klant belt terug over storing Kerkstraat 12"
TOKEN_NAME = "helpdesk-koppeling"


@pytest.fixture
def world(app, make_user, token_for):
    people = {r: make_user(r) for r in ("admin", "supervisor", "editor", "agent")}
    people["other"] = make_user("agent")
    headers = {r: token_for(u) for r, u in people.items()}
    admin = app.test_client()
    assert login(admin, people["admin"]).status_code in (302, 303)
    return SimpleNamespace(app=app, people=people, headers=headers, admin=admin)


def _events(app, after: int) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(db.select(AuditEvent).where(AuditEvent.id > after))
        return [
            SimpleNamespace(
                actor_id=e.actor_id,
                action=e.action,
                target_type=e.target_type,
                target_id=e.target_id,
                created_at=e.created_at,
                detail=e.detail,
            )
            for e in rows
        ]


def _last_id(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.max(AuditEvent.id))) or 0


class Writes:
    """Do one write, then require its event (actor, action, target, time)."""

    def __init__(self, app):
        self.app = app
        self.mark = _last_id(app)
        self.seen: list = []

    def expect(self, actor, action: str, target_type: str, target_id) -> None:
        new = _events(self.app, self.mark)
        self.mark = max([self.mark, *(_last_id(self.app),)])
        self.seen.extend(new)
        wanted = (getattr(actor, "id", None), action, target_type, str(target_id))
        found = [e for e in new if (e.actor_id, e.action, e.target_type, e.target_id) == wanted]
        assert found, f"no audit event {wanted}; got {[(e.action, e.target_id) for e in new]}"
        assert all(e.created_at is not None for e in found)


def _ok(response, *codes):
    assert response.status_code in (codes or (200, 201, 302, 303)), response.get_data(as_text=True)[
        :800
    ]
    return response


def test_every_kind_of_write_is_audited_without_secrets(world, client):
    app, p, h, admin = world.app, world.people, world.headers, world.admin
    w = Writes(app)

    # Documents: create, save, publish, restore (API).
    doc = {
        "kind": "article",
        "title": "Wachtwoord vergeten",
        "body": "Stap 1.",
        "audience": "internal",
        "category": "accounts",
    }
    slug = _ok(client.post("/api/v1/documents", json=doc, headers=h["editor"])).get_json()["slug"]
    w.expect(p["editor"], "document.create", "document", slug)
    _ok(
        client.put(
            f"/api/v1/documents/{slug}",
            json={"base_revision": 1, "body": "Stap 2."},
            headers=h["editor"],
        )
    )
    w.expect(p["editor"], "document.save", "document", slug)
    _ok(client.post(f"/api/v1/documents/{slug}/publish", json={}, headers=h["editor"]))
    w.expect(p["editor"], "document.publish", "document", slug)
    _ok(client.post(f"/api/v1/documents/{slug}/restore", json={"revision": 1}, headers=h["editor"]))
    w.expect(p["editor"], "document.save", "document", slug)

    # Category setting (web, admin): reviews required in this category from now on.
    _ok(
        admin.post_form(
            "/beoordelen/categorieen",
            {"category": "accounts", "review": "on", "description": "Accounts"},
        )
    )
    w.expect(p["admin"], "category.update", "category", "accounts")

    # Reviews: submit, approve (asking for acknowledgement), submit again, return (API).
    review = _ok(client.post(f"/api/v1/documents/{slug}/reviews", json={}, headers=h["editor"]))
    review_id = review.get_json()["id"]
    w.expect(p["editor"], "review.submit", "review", review_id)
    _ok(
        client.post(
            f"/api/v1/reviews/{review_id}/approve",
            json={"acknowledge": True},
            headers=h["supervisor"],
        )
    )
    w.expect(p["supervisor"], "review.approve", "review", review_id)
    _ok(
        client.put(
            f"/api/v1/documents/{slug}",
            json={"base_revision": 3, "body": "Stap 3."},
            headers=h["editor"],
        )
    )
    again = _ok(client.post(f"/api/v1/documents/{slug}/reviews", json={}, headers=h["editor"]))
    _ok(
        client.post(
            f"/api/v1/reviews/{again.get_json()['id']}/return",
            json={"comment": "Bron erbij."},
            headers=h["supervisor"],
        )
    )
    w.expect(p["supervisor"], "review.return", "review", again.get_json()["id"])

    # Acknowledge (API, agent).
    _ok(client.post(f"/api/v1/documents/{slug}/acknowledge", headers=h["agent"]))
    w.expect(p["agent"], "document.acknowledge", "document", slug)

    # A suggestion: comment (agent), close (editor).
    comment = _ok(
        client.post(
            f"/api/v1/documents/{slug}/comments",
            json={"body": "Stap 4 mist.", "kind": "suggestion"},
            headers=h["agent"],
        )
    )
    comment_id = comment.get_json()["id"]
    w.expect(p["agent"], "comment.create", "document", slug)
    _ok(
        client.post(
            f"/api/v1/suggestions/{comment_id}/close",
            json={"reason": "Staat er al."},
            headers=h["editor"],
        )
    )
    w.expect(p["editor"], "comment.closed", "comment", comment_id)

    # Owner change (web, admin).
    _ok(
        admin.post_form(
            f"/artikel/{slug}/redactie", {"owner": str(p["supervisor"].id), "verify_by": ""}
        )
    )
    w.expect(p["admin"], "document.owner", "document", slug)

    # Accounts (web, admin): role, deactivate, invitation, one-time password.
    other = p["other"]
    _ok(admin.post_form(f"/beheer/gebruikers/{other.id}/rol", {"role": "editor"}))
    w.expect(p["admin"], "user.set_role", "user", other.id)
    invited = _ok(admin.post_form(f"/beheer/gebruikers/{other.id}/uitnodiging")).get_data(
        as_text=True
    )
    secret = re.search(r"/uitnodiging/([A-Za-z0-9_\-]{20,})", invited).group(1)
    assert _ok(app.test_client().get(f"/uitnodiging/{secret}"), 200)  # the real secret
    w.expect(p["admin"], "user.invite", "user", other.id)
    _ok(admin.post_form(f"/beheer/gebruikers/{other.id}/eenmalig-wachtwoord", {"password": OTP}))
    w.expect(p["admin"], "user.set_one_time_password", "user", other.id)
    _ok(admin.post_form(f"/beheer/gebruikers/{other.id}/uitschakelen"))
    w.expect(p["admin"], "user.set_active", "user", other.id)

    # Tokens (web, admin's own): create, revoke.
    made = _ok(admin.post_form("/account/tokens", {"name": TOKEN_NAME}), 201).get_data(as_text=True)
    with app.app_context():
        token_row = db.session.scalar(db.select(ApiToken).filter_by(name=TOKEN_NAME))
        token_id = token_row.id
    token = re.search(r"\b(kb_[A-Za-z0-9_\-]{20,})", made).group(1)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/documents", headers=bearer).status_code == 200  # the real token
    w.expect(p["admin"], "token.create", "user", p["admin"].id)
    _ok(admin.post_form(f"/account/tokens/{token_id}/intrekken"))
    w.expect(p["admin"], "token.revoke", "user", p["admin"].id)

    # A failed sign-in (web, anonymous).
    stranger = app.test_client()
    _ok(login(stranger, p["agent"], WRONG), 200, 422)
    w.expect(None, "user.login_failed", "user", p["agent"].id)

    # Tickets (API, agent): create, note, resolve.
    ticket = _ok(
        client.post(
            "/api/v1/tickets",
            json={"external_ref": "ZD-4242", "subject": "Inloggen lukt niet", "channel": "phone"},
            headers=h["agent"],
        )
    )
    ticket_id = ticket.get_json()["id"]
    w.expect(p["agent"], "ticket.create", "ticket", ticket_id)
    _ok(client.post(f"/api/v1/tickets/{ticket_id}/notes", json={"body": NOTE}, headers=h["agent"]))
    w.expect(p["agent"], "ticket.note", "ticket", ticket_id)
    _ok(
        client.post(
            f"/api/v1/tickets/{ticket_id}/resolve", json={"document": slug}, headers=h["agent"]
        )
    )
    w.expect(p["agent"], "ticket.resolve", "ticket", ticket_id)

    # Article requests (API): create (agent), fulfil and reject (editor).
    wish = _ok(
        client.post("/api/v1/requests", json={"title": "Wachtwoord kwijt"}, headers=h["agent"])
    )
    w.expect(p["agent"], "request.create", "request", wish.get_json()["id"])
    _ok(
        client.post(
            f"/api/v1/requests/{wish.get_json()['id']}/fulfil",
            json={"document": slug},
            headers=h["editor"],
        )
    )
    w.expect(p["editor"], "request.fulfil", "request", wish.get_json()["id"])
    dull = _ok(client.post("/api/v1/requests", json={"title": "Iets anders"}, headers=h["agent"]))
    _ok(
        client.post(
            f"/api/v1/requests/{dull.get_json()['id']}/reject",
            json={"reason": "Dubbel."},
            headers=h["editor"],
        )
    )
    w.expect(p["editor"], "request.reject", "request", dull.get_json()["id"])

    # No event holds a secret used above.
    everything = json.dumps([e.detail for e in _events(app, 0)], ensure_ascii=False)
    everything += " ".join(e.target_id for e in _events(app, 0))
    page = admin.get("/beheer/audit?action=user.set_one_time_password").get_data(as_text=True)
    assert "Admin gaf Agent een eenmalig wachtwoord" in page
    roles = admin.get(f"/beheer/audit?action=user.set_role&target_type=user&target={other.email}")
    assert "Admin gaf Agent de rol redacteur" in roles.get_data(as_text=True)
    page += admin.get("/beheer/audit").get_data(as_text=True)
    for secret_text in (OTP, WRONG, NOTE, secret, token, p["agent"].password):
        assert secret_text not in everything
        assert secret_text not in page


def test_a_write_that_fails_leaves_no_event(world, client):
    app, h = world.app, world.headers
    doc = {
        "kind": "article",
        "title": "Retour",
        "body": "Stap 1.",
        "audience": "public",
        "category": "retour",
    }
    slug = _ok(client.post("/api/v1/documents", json=doc, headers=h["editor"])).get_json()["slug"]
    ticket = {"external_ref": "ZD-1", "subject": "Retour", "channel": "phone"}
    _ok(client.post("/api/v1/tickets", json=ticket, headers=h["agent"]))
    mark = _last_id(app)
    # A duplicate slug, a stale base revision and a duplicate ticket reference all fail.
    assert client.post(
        "/api/v1/documents", json={**doc, "slug": slug}, headers=h["editor"]
    ).status_code in (409, 422)
    stale = {"base_revision": 0, "body": "Andere tekst."}
    assert client.put(f"/api/v1/documents/{slug}", json=stale, headers=h["editor"]).status_code in (
        409,
        422,
    )
    assert client.post("/api/v1/tickets", json=ticket, headers=h["agent"]).status_code in (409, 422)
    assert [e.action for e in _events(app, mark)] == []
