"""Sessions: renewed at sign-in, ended by logout (also a copied cookie), by a password change
and by deactivation; cookie flags; a strong SECRET_KEY or a generated one."""

import re

import pytest
from flask.sessions import SecureCookieSessionInterface

from kb import create_app
from kb.auth import service
from kb.auth.models import SYSTEM, User
from kb.config import ConfigError
from kb.extensions import db
from tests.helpers import CSRF_META, login


def _session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _with_cookie(app, value: str):
    """Another browser, holding a copy of someone's session cookie."""
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def _signed_in(client) -> bool:
    return "Uitloggen" in client.get("/").get_data(as_text=True)


def test_a_cookie_copied_before_logout_no_longer_works(app, client, make_user):
    user = make_user("agent")
    login(client, user)
    copied = _session_cookie(client)
    thief = _with_cookie(app, copied)
    assert thief.get("/console").status_code == 200  # the copy works while the session lives
    client.post_form("/uitloggen")
    thief = _with_cookie(app, copied)
    response = thief.get("/console")
    assert "/inloggen" in response.headers["Location"]
    assert not _signed_in(thief)


def test_session_and_csrf_token_are_renewed_at_sign_in(app, client, make_user):
    user = make_user("agent")
    before = client.get("/inloggen").get_data(as_text=True)
    token_before = CSRF_META.search(before).group(1)
    cookie_before = _session_cookie(client)
    client.post(
        "/inloggen",
        data={"email": user.email, "password": user.password, "csrf_token": token_before},
    )
    assert _signed_in(client)
    # The token from before the sign-in no longer passes: the session is a new one.
    response = client.post("/uitloggen", data={"csrf_token": token_before})
    assert response.status_code == 400
    assert _signed_in(client)
    # The cookie from before the sign-in is still an anonymous one.
    assert not _signed_in(_with_cookie(app, cookie_before))


def test_changing_the_password_ends_the_other_sessions(app, client, make_user):
    user = make_user("agent")
    login(client, user)
    elsewhere = app.test_client()
    login(elsewhere, user)
    response = client.post_form(
        "/account/wachtwoord",
        {
            "current": user.password,
            "password": "nieuw-sterk-wachtwoord-7",
            "confirm": "nieuw-sterk-wachtwoord-7",
        },
    )
    assert response.headers["Location"].endswith("/account")
    assert _signed_in(client)  # this session goes on
    assert not _signed_in(elsewhere)
    user.password = "nieuw-sterk-wachtwoord-7"
    assert login(elsewhere, user).headers["Location"] == "/console"


def test_deactivation_ends_sessions_and_tokens_at_once(app, client, make_user, token_for):
    user = make_user("agent")
    headers = token_for(user)
    login(client, user)
    assert client.get("/console").status_code == 200
    assert app.test_client().get("/api/v1/documents", headers=headers).status_code == 200
    with app.app_context():
        service.set_active(SYSTEM, db.session.get(User, user.id), False)
    assert "/inloggen" in client.get("/console").headers["Location"]
    assert app.test_client().get("/api/v1/documents", headers=headers).status_code == 401
    with app.app_context():
        service.set_active(SYSTEM, db.session.get(User, user.id), True)
    # Reactivated: he signs in again; the old session stays ended.
    assert not _signed_in(client)
    assert app.test_client().get("/api/v1/documents", headers=headers).status_code == 200


def test_a_session_from_before_generations_is_not_accepted(app, make_user):
    """A cookie naming only the user id (as sessions did before) signs nobody in."""
    user = make_user("admin")
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    forged = serializer.dumps({"_user_id": str(user.id), "_fresh": True})
    assert not _signed_in(_with_cookie(app, forged))
    assert _with_cookie(app, forged).get("/beheer/gebruikers").status_code != 200


def test_cookie_flags(app, client, make_user):
    header = login(client, make_user("agent")).headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Secure" not in header  # plain HTTP by default, as on a laptop


def test_secure_cookies_behind_https(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_SECURE_COOKIES", "1")
    app = create_app({"KB_DATA_DIR": str(tmp_path), "TESTING": True})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    with app.test_request_context("/"):
        from flask import session

        session["x"] = 1
        response = app.make_response("")
        app.session_interface.save_session(app, session, response)
    assert re.search(r"; Secure", response.headers["Set-Cookie"])
    monkeypatch.setenv("KB_SECURE_COOKIES", "misschien")
    with pytest.raises(ConfigError, match="KB_SECURE_COOKIES"):
        create_app({"KB_DATA_DIR": str(tmp_path)})


@pytest.mark.parametrize("weak", ["x", "geheim", "a" * 64, "0123456789" * 3])
def test_a_weak_secret_key_is_refused(tmp_path, monkeypatch, weak):
    monkeypatch.setenv("SECRET_KEY", weak)
    with pytest.raises(ConfigError, match="SECRET_KEY is too weak"):
        create_app({"KB_DATA_DIR": str(tmp_path)})
    monkeypatch.delenv("SECRET_KEY")
    with pytest.raises(ConfigError, match="too weak"):
        create_app({"KB_DATA_DIR": str(tmp_path), "SECRET_KEY": weak})
    (tmp_path / "secret_key").write_text(weak)
    with pytest.raises(ConfigError, match="too weak"):
        create_app({"KB_DATA_DIR": str(tmp_path)})


def test_without_a_key_a_strong_one_is_generated(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app({"KB_DATA_DIR": str(tmp_path)})
    key = (tmp_path / "secret_key").read_text()
    assert app.config["SECRET_KEY"] == key and len(key) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert create_app({"KB_DATA_DIR": str(tmp_path)}).config["SECRET_KEY"] == key
