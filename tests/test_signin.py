"""Signing in: the per-account lock counted in the database, shared by every worker, with one
answer for every refusal; it expires, an admin lifts it; refusals are logged and audited."""

import json
import logging
from datetime import timedelta

import pytest

from kb.auth import signin
from kb.auth.models import User
from kb.db import utcnow
from kb.extensions import db
from tests.auth_helpers import audit_events, dispose, errors, worker
from tests.helpers import login

WRONG = "niet-het-goede-wachtwoord"
REFUSED = "Onbekend e-mailadres of onjuist wachtwoord."


@pytest.fixture
def auth_log(caplog, monkeypatch):
    """Warnings of kb.auth. (Alembic's logging set-up, run by the PostgreSQL fixtures, turns
    loggers that existed before it off; a server never runs migrations in its own process.)"""
    monkeypatch.setattr(logging.getLogger("kb.auth"), "disabled", False)
    caplog.set_level(logging.WARNING, logger="kb.auth")
    return caplog


@pytest.fixture
def workers(app):
    """Two app instances on one database, as `make run`'s two gunicorn workers; the
    per-address throttle off, so that only the per-account lock is at work."""
    pair = [worker(app, RATELIMIT_ENABLED=False) for _ in range(2)]
    yield pair
    dispose(*pair)


def _expire_lock(app, email: str) -> None:
    """Let the lock's time pass (the clock is not ours to move): its end is now past."""
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        user.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()


def test_wrong_passwords_through_two_workers_lock_the_account(app, workers, make_user):
    user = make_user("agent")
    clients = [w.test_client() for w in workers]
    for attempt in range(25):
        response = login(clients[attempt % 2], user, password=WRONG)
        assert response.status_code == 422
    # The right password now is refused too, by either worker: the count is in the database.
    for client in clients:
        response = login(client, user)
        assert response.status_code == 422 and "Location" not in response.headers
        assert any(REFUSED in e for e in errors(response))
    assert "Uitloggen" not in clients[0].get("/").get_data(as_text=True)

    # The lock expires by itself: the owner signs in and lands on his console.
    _expire_lock(app, user.email)
    assert login(clients[1], user).headers["Location"] == "/console"


def test_unknown_email_wrong_password_and_locked_account_get_one_answer(app, workers, make_user):
    user = make_user("agent")
    client = workers[0].test_client()
    unknown = client.post_form("/inloggen", {"email": "niemand@example.test", "password": WRONG})
    wrong = login(client, user, password=WRONG)
    for _ in range(signin.LOCK_AFTER):
        login(client, user, password=WRONG)
    locked = login(client, user)  # the right password, during the lock
    answers = {(r.status_code, tuple(errors(r))) for r in (unknown, wrong, locked)}
    assert len(answers) == 1
    assert REFUSED in answers.pop()[1][0]


def test_attempts_during_a_lock_do_not_extend_it(app, workers, make_user):
    """A stranger hammering the account cannot keep its owner out past the lock's end."""
    user = make_user("agent")
    client = workers[0].test_client()
    for _ in range(signin.LOCK_AFTER):
        login(client, user, password=WRONG)
    with app.app_context():
        first = db.session.get(User, user.id).locked_until
    for _ in range(20):
        login(client, user, password=WRONG)
    with app.app_context():
        assert db.session.get(User, user.id).locked_until == first


def test_the_lock_grows_after_repeated_failures_up_to_a_cap():
    durations = [signin.lock_duration(n) for n in range(1, 30)]
    assert durations[: signin.LOCK_AFTER - 1] == [timedelta(0)] * (signin.LOCK_AFTER - 1)
    assert durations[signin.LOCK_AFTER - 1] == signin.LOCK_FIRST
    assert durations[signin.LOCK_AFTER] == 2 * signin.LOCK_FIRST
    assert max(durations) == signin.LOCK_MAX == durations[-1]
    assert durations == sorted(durations)


def test_a_wrong_password_after_a_lock_locks_again(app, workers, make_user, login_as):
    user = make_user("agent")
    client = workers[0].test_client()
    for _ in range(signin.LOCK_AFTER):
        login(client, user, password=WRONG)
    _expire_lock(app, user.email)
    login(client, user, password=WRONG)  # one more after the lock: locked at once, longer
    assert login(client, user).status_code == 422
    with app.app_context():
        row = db.session.get(User, user.id)
        assert row.failed_logins == signin.LOCK_AFTER + 1
        assert row.locked_until - utcnow() > signin.LOCK_FIRST


def test_an_admin_lifts_the_lock(app, client, workers, make_user):
    user = make_user("agent")
    other = workers[0].test_client()
    for _ in range(signin.LOCK_AFTER):
        login(other, user, password=WRONG)
    assert login(other, user).status_code == 422

    admin = make_user("admin")
    login(client, admin)
    page = client.get(f"/beheer/gebruikers/{user.id}").get_data(as_text=True)
    assert "geblokkeerd tot" in page
    response = client.post_form(f"/beheer/gebruikers/{user.id}/ontgrendelen")
    assert response.headers["Location"].endswith(f"/beheer/gebruikers/{user.id}")
    assert "geblokkeerd" not in client.get("/beheer/gebruikers").get_data(as_text=True)
    assert login(other, user).headers["Location"] == "/console"
    unlock = audit_events(app, "user.unlock")
    assert [(e.actor_id, e.target_id) for e in unlock] == [(admin.id, str(user.id))]


def test_a_successful_sign_in_resets_the_count(app, workers, make_user):
    user = make_user("agent")
    client = workers[0].test_client()
    for _ in range(signin.LOCK_AFTER - 1):
        login(client, user, password=WRONG)
    assert login(client, user).status_code in (302, 303)
    client.post_form("/uitloggen")
    for _ in range(signin.LOCK_AFTER - 1):
        login(client, user, password=WRONG)
    assert login(client, user).headers["Location"] == "/console"


def test_refused_sign_ins_are_logged_and_audited_without_the_password(
    app, workers, make_user, auth_log
):
    user = make_user("agent")
    client = workers[0].test_client()
    secret = "Geheim-Fout-Wachtwoord-42"
    client.post_form("/inloggen", {"email": "niemand@example.test", "password": secret})
    for _ in range(signin.LOCK_AFTER):
        login(client, user, password=secret)
    login(client, user)  # during the lock
    # A password typed into the e-mail field is never written down either.
    client.post_form("/inloggen", {"email": secret, "password": secret})

    events = audit_events(app, "user.login_failed")
    reasons = [e.detail["reason"] for e in events]
    assert reasons == ["unknown"] + ["password"] * signin.LOCK_AFTER + ["locked", "unknown"]
    assert events[0].target_id == "niemand@example.test"
    assert {e.target_id for e in events[1:-1]} == {str(user.id)}
    assert "locked_until" in events[signin.LOCK_AFTER].detail
    dumped = json.dumps([(e.target_id, e.detail) for e in events])
    assert secret.lower() not in dumped.lower() and user.password not in dumped
    assert all(e.actor_id is None for e in events)

    logged = auth_log.text
    assert "niemand@example.test" in logged and user.email in logged and "locked" in logged
    assert secret.lower() not in logged.lower() and user.password not in logged


def test_throttled_sign_ins_are_logged_and_audited(app, client, make_user, auth_log):
    """The per-address throttle (memory here; see test_throttle for Redis)."""
    user = make_user("agent")
    statuses = [
        client.post_form(
            "/inloggen", {"email": f"iemand{i}@example.test", "password": WRONG}
        ).status_code
        for i in range(10)
    ]
    assert statuses == [422] * 10
    response = login(client, user)
    assert response.status_code == 429
    assert "Even geduld" in response.get_data(as_text=True)
    throttled = audit_events(app, "user.login_throttled")
    assert len(throttled) == 1 and throttled[0].target_id == user.email
    assert throttled[0].detail["address"] == "127.0.0.1"
    assert user.password not in json.dumps(throttled[0].detail)
    assert "throttled" in auth_log.text and user.password not in auth_log.text


def test_successful_sign_in_is_recorded_as_last_sign_in(app, client, make_user):
    user = make_user("agent")
    login(client, user)
    with app.app_context():
        assert db.session.get(User, user.id).last_login_at is not None
    assert [e.actor_id for e in audit_events(app, "user.login")] == [user.id]
