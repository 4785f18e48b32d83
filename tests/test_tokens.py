"""API tokens: a user lists (name, created, last used), creates (shown once) and revokes his
own; an admin revokes anyone's; only hashes are stored; every write is audited."""

import json
import re

from kb.auth.models import ApiToken
from kb.extensions import db
from tests.auth_helpers import audit_events
from tests.helpers import login

TOKEN = re.compile(r'<code class="token-value">(kb_[^<]+)</code>')


def _create(client, name: str):
    response = client.post_form("/account/tokens", {"name": name})
    assert response.status_code == 201
    match = TOKEN.search(response.get_data(as_text=True))
    assert match
    return response, match.group(1)


def _rows(client) -> list[str]:
    page = client.get("/account").get_data(as_text=True)
    return re.findall(r'<tr data-token="\d+">(.*?)</tr>', page, re.S)


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_user_creates_lists_and_revokes_his_own_tokens(app, client, make_user):
    user = make_user("agent")
    login(client, user)
    assert "U heeft geen API-tokens." in client.get("/account").get_data(as_text=True)
    response, token = _create(client, "helpdesk-koppeling")
    assert response.headers["Cache-Control"] == "no-store"
    assert "maar één keer getoond" in response.get_data(as_text=True)
    # Shown once: the account page lists the token by name, never its value.
    page = client.get("/account").get_data(as_text=True)
    assert token not in page and "helpdesk-koppeling" in page
    (row,) = _rows(client)
    assert "nooit" in row  # not used yet

    api = app.test_client()
    assert api.get("/api/v1/documents", headers=_bearer(token)).status_code == 200
    (row,) = _rows(client)
    assert "nooit" not in row  # last used: now

    token_id = int(re.search(r"/account/tokens/(\d+)/intrekken", page).group(1))
    response = client.post_form(f"/account/tokens/{token_id}/intrekken")
    assert response.headers["Location"].endswith("/account")
    assert "is ingetrokken" in client.get("/account").get_data(as_text=True)
    assert _rows(client) == []
    assert api.get("/api/v1/documents", headers=_bearer(token)).status_code == 401

    actions = [
        (e.action, e.actor_id, e.detail["name"])
        for e in audit_events(app)
        if e.action.startswith("token.")
    ]
    assert actions == [
        ("token.create", user.id, "helpdesk-koppeling"),
        ("token.revoke", user.id, "helpdesk-koppeling"),
    ]
    assert token not in json.dumps([(e.target_id, e.detail) for e in audit_events(app)])


def test_tokens_are_stored_hashed(app, client, make_user):
    login(client, make_user("editor"))
    _, token = _create(client, "script")
    with app.app_context():
        stored = db.session.scalars(db.select(ApiToken.token_hash)).all()
    assert len(stored) == 1 and token not in stored[0] and token[3:] not in stored[0]


def test_a_user_cannot_revoke_someone_elses_token(app, client, make_user, token_for):
    owner = make_user("agent")
    headers = token_for(owner)
    with app.app_context():
        token_id = db.session.scalar(db.select(ApiToken.id))
    login(client, make_user("supervisor"))
    assert client.post_form(f"/account/tokens/{token_id}/intrekken").status_code == 404
    assert app.test_client().get("/api/v1/documents", headers=headers).status_code == 200
    # An admin revokes it from the owner's account page, not from his own.
    admin = app.test_client()
    login(admin, make_user("admin"))
    assert admin.post_form(f"/account/tokens/{token_id}/intrekken").status_code == 404
    other = make_user("agent")
    url = f"/beheer/gebruikers/{other.id}/tokens/{token_id}/intrekken"
    assert admin.post_form(url).status_code == 404  # not that user's token
    assert app.test_client().get("/api/v1/documents", headers=headers).status_code == 200
    assert [e for e in audit_events(app) if e.action == "token.revoke"] == []


def test_an_admin_sees_and_revokes_anyones_token(app, client, make_user):
    owner = make_user("agent")
    own = app.test_client()
    login(own, owner)
    _, token = _create(own, "rapportage")
    admin = make_user("admin")
    login(client, admin)
    page = client.get(f"/beheer/gebruikers/{owner.id}").get_data(as_text=True)
    assert "rapportage" in page and token not in page
    action = re.search(rf"/beheer/gebruikers/{owner.id}/tokens/(\d+)/intrekken", page).group(0)
    response = client.post_form(action)
    assert response.headers["Location"].endswith(f"/beheer/gebruikers/{owner.id}")
    assert "Geen API-tokens." in client.get(f"/beheer/gebruikers/{owner.id}").get_data(as_text=True)
    assert app.test_client().get("/api/v1/documents", headers=_bearer(token)).status_code == 401
    (event,) = audit_events(app, "token.revoke")
    assert (event.actor_id, event.target_id) == (admin.id, str(owner.id))


def test_cli_token_has_a_name_and_shows_in_the_account_page(app, client, runner, make_user):
    user = make_user("agent")
    result = runner.invoke(args=["user", "token", user.email, "--name", "nachtelijke-export"])
    assert result.exit_code == 0 and result.output.strip().startswith("kb_")
    login(client, user)
    (row,) = _rows(client)
    assert "nachtelijke-export" in row
