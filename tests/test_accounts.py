"""Admins manage accounts: (de)activate, one-time password, invitation link, last sign-in;
password rules in Dutch; every write audited without secrets; the own account page."""

import json
import re
from datetime import timedelta

import pytest

from kb.auth.models import User
from kb.db import utcnow
from kb.extensions import db
from tests.auth_helpers import audit_events, errors
from tests.helpers import CSRF_META, login

NEW = "mijn-eigen-wachtwoord-9"


@pytest.fixture
def admin_client(app, client, make_user):
    admin = make_user("admin")
    login(client, admin)
    client.admin = admin
    return client


def _row(client, email: str) -> str:
    page = client.get("/beheer/gebruikers").get_data(as_text=True)
    return page.split(f'data-email="{email}"')[1].split("</tr>")[0]


def test_admin_deactivates_and_reactivates_an_account(app, admin_client, make_user, token_for):
    user = make_user("agent")
    headers = token_for(user)
    agent = app.test_client()
    login(agent, user)
    response = admin_client.post_form(f"/beheer/gebruikers/{user.id}/uitschakelen")
    assert response.headers["Location"].endswith(f"/beheer/gebruikers/{user.id}")
    assert "inactief" in _row(admin_client, user.email)
    # At once: his open session and his token stop working, and he cannot sign in.
    assert "/inloggen" in agent.get("/console").headers["Location"]
    assert app.test_client().get("/api/v1/documents", headers=headers).status_code == 401
    assert login(app.test_client(), user).status_code == 422

    admin_client.post_form(f"/beheer/gebruikers/{user.id}/inschakelen")
    assert "actief" in _row(admin_client, user.email)
    assert "inactief" not in _row(admin_client, user.email)
    assert login(app.test_client(), user).headers["Location"] == "/console"
    actions = [(e.action, e.detail) for e in audit_events(app, "user.set_active")]
    assert actions == [
        ("user.set_active", {"active": False}),
        ("user.set_active", {"active": True}),
    ]


def test_an_admin_cannot_deactivate_or_demote_himself(app, admin_client):
    admin = admin_client.admin
    page = admin_client.get(f"/beheer/gebruikers/{admin.id}").get_data(as_text=True)
    assert "U kunt uw eigen account niet uitschakelen." in page
    assert "Account uitschakelen" not in page
    admin_client.post_form(f"/beheer/gebruikers/{admin.id}/uitschakelen")
    admin_client.post_form(f"/beheer/gebruikers/{admin.id}/rol", {"role": "agent"})
    assert admin_client.get("/beheer/gebruikers").status_code == 200  # still an admin
    assert "inactief" not in _row(admin_client, admin.email)
    assert audit_events(app, "user.set_active") == []
    assert audit_events(app, "user.set_role") == []


def test_one_time_password_must_be_replaced_after_signing_in(app, admin_client, make_user):
    user = make_user("agent")
    other = app.test_client()
    login(other, user)
    response = admin_client.post_form(
        f"/beheer/gebruikers/{user.id}/eenmalig-wachtwoord", {"password": "tijdelijk-wachtw-5"}
    )
    assert "Eenmalig wachtwoord ingesteld" in admin_client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert "eenmalig wachtwoord" in _row(admin_client, user.email)
    assert "Uitloggen" not in other.get("/").get_data(as_text=True)  # his session ended

    user.password = "tijdelijk-wachtw-5"
    client = app.test_client()
    assert login(client, user).headers["Location"].endswith("/account")
    # Every page leads to the account page until he has chosen his own password.
    assert client.get("/console").headers["Location"].endswith("/account")
    page = client.get("/account").get_data(as_text=True)
    assert "eenmalig wachtwoord" in page
    token = CSRF_META.search(page).group(1)  # "/" leads to the account page too
    client.post(
        "/account/wachtwoord",
        data={"current": user.password, "password": NEW, "confirm": NEW, "csrf_token": token},
    )
    assert client.get("/console").status_code == 200
    events = audit_events(app)
    assert "user.set_one_time_password" in [e.action for e in events]
    dumped = json.dumps([e.detail for e in events])
    assert "tijdelijk-wachtw-5" not in dumped and NEW not in dumped


def test_invitation_link_lets_the_user_choose_a_password_once(app, admin_client):
    response = admin_client.post_form(
        "/beheer/gebruikers/nieuw",
        {"email": "nieuw@example.test", "name": "Nieuw", "role": "agent", "password": ""},
    )
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    link = re.search(r'<code class="invite-link">([^<]+)</code>', page).group(1)
    path = "/" + link.split("/", 3)[3]
    assert path.startswith("/uitnodiging/")
    assert response.headers["Cache-Control"] == "no-store"
    assert "uitgenodigd" in _row(admin_client, "nieuw@example.test")

    guest = app.test_client()
    assert "Kies een wachtwoord voor nieuw@example.test" in guest.get(path).get_data(as_text=True)
    response = guest.post_form(path, {"password": "kort", "confirm": "kort"})
    assert response.status_code == 422 and "minstens 10 tekens" in " ".join(errors(response))
    response = guest.post_form(path, {"password": NEW, "confirm": NEW})
    assert response.headers["Location"] == "/console"
    assert "Uitloggen" in guest.get("/").get_data(as_text=True)
    # Used: the link no longer works; the password does.
    assert app.test_client().get(path).status_code == 404
    newcomer = type("U", (), {"email": "nieuw@example.test", "password": NEW})
    assert login(app.test_client(), newcomer).headers["Location"] == "/console"
    secret = path.rsplit("/", 1)[1]
    assert secret not in json.dumps([(e.target_id, e.detail) for e in audit_events(app)])
    assert [e.action for e in audit_events(app, "user.invite")] == ["user.invite"]


def test_an_expired_invitation_does_not_work(app, admin_client, make_user):
    user = make_user("agent")
    response = admin_client.post_form(f"/beheer/gebruikers/{user.id}/uitnodiging")
    link = re.search(r'<code class="invite-link">([^<]+)</code>', response.get_data(as_text=True))
    path = "/" + link.group(1).split("/", 3)[3]
    with app.app_context():
        row = db.session.get(User, user.id)
        row.invite_expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert "verlopen" in response.get_data(as_text=True)
    guest = app.test_client()
    guest.get("/")
    assert guest.post_form(path, {"password": NEW, "confirm": NEW}).status_code == 404


def test_admin_sees_last_sign_in(app, admin_client, make_user):
    user = make_user("agent")
    assert "nog nooit" in _row(admin_client, user.email)
    login(app.test_client(), user)
    row = _row(admin_client, user.email)
    assert "nog nooit" not in row and re.search(r"\d{2}-\d{2}-\d{4}|\d{1,2}[-/]\d", row)


@pytest.mark.parametrize(
    "password, message",
    [
        ("kort-1", "Een wachtwoord heeft minstens 10 tekens."),
        ("aaaaaaaaaaaa", "te makkelijk te raden"),
        ("Wachtwoord123", "wordt veel gebruikt"),
        ("xx-nieuwkomer-xx", "mag uw e-mailadres niet bevatten"),
    ],
)
def test_password_rules_have_a_clear_dutch_message(app, admin_client, password, message):
    response = admin_client.post_form(
        "/beheer/gebruikers/nieuw",
        {"email": "nieuwkomer@example.test", "role": "agent", "password": password},
    )
    assert response.status_code == 422
    assert any(message in e for e in errors(response))
    assert "Minstens 10 tekens, niet het e-mailadres" in response.get_data(as_text=True)


def test_own_password_change_checks_the_current_one_and_the_rules(app, client, make_user):
    user = make_user("agent")
    login(client, user)
    page = client.get("/account").get_data(as_text=True)
    assert "Mijn account" in page and user.email in page
    response = client.post_form(
        "/account/wachtwoord", {"current": "fout-fout-fout", "password": NEW, "confirm": NEW}
    )
    assert response.status_code == 422
    assert "Uw huidige wachtwoord klopt niet." in errors(response)
    response = client.post_form(
        "/account/wachtwoord",
        {"current": user.password, "password": "1234567890", "confirm": "1234567890"},
    )
    assert any("veel gebruikt" in e for e in errors(response))
    response = client.post_form(
        "/account/wachtwoord", {"current": user.password, "password": NEW, "confirm": NEW + "x"}
    )
    assert "De twee wachtwoorden zijn niet gelijk." in errors(response)
    assert audit_events(app, "user.set_password") == []
    client.post_form(
        "/account/wachtwoord", {"current": user.password, "password": NEW, "confirm": NEW}
    )
    events = audit_events(app, "user.set_password")
    assert [(e.actor_id, e.target_id) for e in events] == [(user.id, str(user.id))]
    client.post_form("/uitloggen")
    user.password = NEW
    assert login(client, user).headers["Location"] == "/console"


def test_account_pages_need_a_sign_in_and_admin_pages_an_admin(app, client, make_user):
    assert "/inloggen" in client.get("/account").headers["Location"]
    user = make_user("supervisor")
    login(client, user)
    assert client.get("/account").status_code == 200
    assert client.get(f"/beheer/gebruikers/{user.id}").status_code == 404
    assert client.post_form(f"/beheer/gebruikers/{user.id}/ontgrendelen").status_code == 404


def test_guessing_the_current_password_on_the_account_page_is_throttled(app, client, make_user):
    user = make_user("agent")
    login(client, user)
    wrong = {"current": "raden-raden-1", "password": NEW, "confirm": NEW}
    statuses = [client.post_form("/account/wachtwoord", wrong).status_code for _ in range(11)]
    assert statuses == [422] * 10 + [429]
