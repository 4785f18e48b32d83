"""Admins manage accounts and roles in the browser and read the audit log; others get a 404."""

import re

import pytest

from tests.helpers import login


def test_admin_creates_user_and_changes_role(client, login_as):
    login_as("admin")
    response = client.post_form(
        "/beheer/gebruikers/nieuw",
        {
            "email": "nieuw@example.test",
            "name": "Nieuwe Collega",
            "role": "agent",
            "password": "lang-genoeg-3",
        },
    )
    assert response.headers["Location"].endswith("/beheer/gebruikers")
    page = client.get("/beheer/gebruikers").get_data(as_text=True)
    assert 'data-email="nieuw@example.test"' in page
    user_id = re.search(
        r'/beheer/gebruikers/(\d+)/rol"[^<]*\s*<input[^>]*>\s*'
        r'<select[^>]*aria-label="Rol van nieuw@example.test"',
        page,
    )
    assert user_id
    client.post_form(f"/beheer/gebruikers/{user_id.group(1)}/rol", {"role": "editor"})
    row = (
        client.get("/beheer/gebruikers")
        .get_data(as_text=True)
        .split('data-email="nieuw@example.test"')[1]
    )
    assert '<option value="editor" selected>' in row.split("</tr>")[0]
    audit = client.get("/beheer/audit").get_data(as_text=True)
    assert "user.create" in audit and "user.set_role" in audit
    client.post_form("/uitloggen")
    new_user = type("U", (), {"email": "nieuw@example.test", "password": "lang-genoeg-3"})
    assert (
        login(client, new_user).headers["Location"] == "/console"
    )  # an editor now, who works there


def test_duplicate_email_and_short_password_are_form_errors(client, login_as, make_user):
    existing = make_user("agent")
    login_as("admin")
    response = client.post_form(
        "/beheer/gebruikers/nieuw",
        {"email": existing.email, "role": "agent", "password": "lang-genoeg-3"},
    )
    assert response.status_code == 422
    assert "Er is al een account met dit e-mailadres." in response.get_data(as_text=True)
    response = client.post_form(
        "/beheer/gebruikers/nieuw",
        {"email": "ander@example.test", "role": "agent", "password": "kort"},
    )
    assert "minstens 10 tekens" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["agent", "editor", "supervisor"])
def test_non_admins_get_404(client, login_as, role):
    login_as(role)
    assert client.get("/beheer/gebruikers").status_code == 404
    assert client.get("/beheer/audit").status_code == 404


def test_every_write_leaves_an_audit_event(client, login_as, make_document):
    slug = make_document("Auditspoor", "Tekst.")
    login_as("admin")
    client.post_form(f"/artikel/{slug}/depubliceren")
    audit = client.get("/beheer/audit").get_data(as_text=True)
    for action in ("document.create", "document.publish", "document.unpublish", "user.login"):
        assert action in audit
