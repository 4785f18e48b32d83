"""Logging in and out: hashed passwords, CSRF on every form, throttled attempts."""

from tests.helpers import login


def test_login_and_logout(client, make_user):
    user = make_user("agent")
    response = login(client, user)
    assert response.headers["Location"] == "/console"  # an agent's workspace
    assert "Uitloggen" in client.get("/").get_data(as_text=True)
    client.post_form("/uitloggen")
    assert "Inloggen voor medewerkers" in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_with_a_message(client, make_user):
    user = make_user("agent")
    response = login(client, user, password="fout-wachtwoord")
    assert response.status_code == 422
    assert "Onbekend e-mailadres of onjuist wachtwoord." in response.get_data(as_text=True)
    response = client.post_form(
        "/inloggen", {"email": "niemand@example.test", "password": "x" * 12}
    )
    assert "Onbekend e-mailadres of onjuist wachtwoord." in response.get_data(as_text=True)


def test_login_redirects_only_to_local_pages(client, make_user):
    user = make_user("agent")
    response = client.post_form(
        "/inloggen?next=https://evil.example/", {"email": user.email, "password": user.password}
    )
    assert response.headers["Location"] == "/console"


def test_forms_without_csrf_token_are_refused(client, make_user, make_document):
    user = make_user("editor")
    response = client.post("/inloggen", data={"email": user.email, "password": user.password})
    assert response.status_code == 400
    login(client, user)
    slug = make_document("Iets", "Tekst.")
    assert client.post(f"/artikel/{slug}/depubliceren").status_code == 400
    assert client.get(f"/artikel/{slug}").status_code == 200  # still published
    assert client.get("/uitloggen").status_code == 405  # logging out is a POST


def test_login_attempts_are_throttled(client, make_user):
    user = make_user("agent")
    statuses = [login(client, user, password="fout-wachtwoord").status_code for _ in range(11)]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429
    assert "Even geduld" in login(client, user).get_data(as_text=True)


def test_inactive_user_cannot_log_in(app, client, make_user):
    from kb.auth import service
    from kb.auth.models import User
    from kb.extensions import db

    user = make_user("agent")
    with app.app_context():
        service.set_active(None, db.session.get(User, user.id), False)
    assert login(client, user).status_code == 422


def test_security_headers(client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
