"""The `kb` commands: accounts, tokens, demo; clear errors and non-zero exits."""

from kb.auth.models import ApiToken, User
from kb.extensions import db


def test_user_create_set_role_and_token(app, runner, client):
    result = runner.invoke(
        args=[
            "user",
            "create",
            "Sanne@Example.test",
            "--role",
            "agent",
            "--password",
            "lang-genoeg-1",
        ]
    )
    assert result.exit_code == 0 and "sanne@example.test (agent)" in result.output
    result = runner.invoke(args=["user", "set-role", "sanne@example.test", "editor"])
    assert result.exit_code == 0 and "is now editor" in result.output
    result = runner.invoke(args=["user", "token", "sanne@example.test"])
    token = result.output.strip()
    assert result.exit_code == 0 and token.startswith("kb_")
    with app.app_context():
        stored = db.session.scalars(db.select(ApiToken.token_hash)).all()
        user = db.session.scalar(db.select(User))
        assert token not in stored and len(stored) == 1  # only the hash is kept
        assert "lang-genoeg-1" not in user.password_hash and user.password_hash.startswith(
            "scrypt:"
        )
    response = client.post(
        "/api/v1/documents",
        headers={"Authorization": f"Bearer {token}"},
        json={"kind": "article", "title": "Via de CLI"},
    )
    assert response.status_code == 201


def test_password_is_prompted_hidden_when_omitted(app, runner):
    result = runner.invoke(
        args=["user", "create", "a@example.test", "--role", "admin"],
        input="lang-genoeg-2\nlang-genoeg-2\n",
    )
    assert result.exit_code == 0, result.output
    assert "lang-genoeg-2" not in result.output


def test_errors_are_clear_and_non_zero(runner):
    result = runner.invoke(
        args=["user", "create", "a@example.test", "--role", "koning", "--password", "x" * 12]
    )
    assert result.exit_code != 0 and "koning" in result.output
    result = runner.invoke(
        args=["user", "create", "geen-email", "--role", "agent", "--password", "x" * 12]
    )
    assert result.exit_code == 1 and "geldig e-mailadres" in result.output
    result = runner.invoke(
        args=["user", "create", "b@example.test", "--role", "agent", "--password", "kort"]
    )
    assert result.exit_code == 1 and "minstens 10 tekens" in result.output
    result = runner.invoke(args=["user", "set-role", "niemand@example.test", "editor"])
    assert result.exit_code == 1 and "niemand@example.test" in result.output
    result = runner.invoke(args=["user", "token", "niemand@example.test"])
    assert result.exit_code == 1


def test_demo_is_safe_to_run_twice(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin@demo.polderlink.example" in first.output
    with app.app_context():
        users = db.session.scalar(db.select(db.func.count(User.id)))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert "0 new, 0 updated" in second.output and "exist already" in second.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == users == 4


def test_demo_gives_every_document_an_owner_and_some_are_due(app, runner):
    from kb.documents.models import Document

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        docs = list(db.session.scalars(db.select(Document)))
        owners = {d.slug: d.owner.email for d in docs}
        assert docs and all(d.owner_id for d in docs)
        beleid = [d for d in docs if d.category == "beleid" or d.channel == "escalation"]
        assert beleid and all(owners[d.slug].startswith("supervisor@") for d in beleid)
        due = [d for d in docs if d.verify_by and d.verify_by < docs[0].created_at.date()]
        assert len(due) == 2  # so "Mijn documenten" has something to show on a first look


def test_console_script_runs_the_same_commands(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    kb = Path(sys.executable).with_name("kb")
    result = subprocess.run(
        [str(kb), "user", "--help"],
        capture_output=True,
        text=True,
        env={"KB_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0 and "create" in result.stdout and "token" in result.stdout
