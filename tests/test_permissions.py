"""Roles and rights as SPEC §2: what a role may not read is a 404, in pages and API alike."""

import pytest

from tests.helpers import login

ROLES = ["anonymous", "agent", "editor", "supervisor", "admin"]


@pytest.fixture
def docs(make_document):
    return {
        "public": make_document("Publiek artikel", "Voor iedereen."),
        "internal": make_document(
            "Intern artikel", "Alleen medewerkers.", audience="internal", category="werkwijze"
        ),
        "script": make_document(
            "Begroeting telefoon",
            "Goedemorgen, {{klantnaam}}.",
            kind="script",
            audience="internal",
            channel="phone",
            category="telefoon",
        ),
        "draft": make_document("Concept artikel", "Nog niet klaar.", publish=False),
    }


def _as(role, client, make_user, token_for):
    if role == "anonymous":
        return {}
    user = make_user(role)
    login(client, user)
    return token_for(user)


EXPECTED = {  # document -> the least role that reads it (None: anonymous)
    "public": "anonymous",
    "internal": "agent",
    "script": "agent",
    "draft": "editor",
}


@pytest.mark.parametrize("role", ROLES)
def test_read_matrix_pages_and_api(role, client, docs, make_user, token_for):
    headers = _as(role, client, make_user, token_for)
    rank = ROLES.index(role)
    for name, slug in docs.items():
        allowed = rank >= ROLES.index(EXPECTED[name])
        page = client.get(f"/artikel/{slug}")
        api = client.get(f"/api/v1/documents/{slug}", headers=headers)
        expected = 200 if allowed else 404
        assert (page.status_code, api.status_code) == (expected, expected), (role, name)
    listed = {
        d["slug"]
        for d in client.get("/api/v1/documents?limit=100", headers=headers).get_json()["items"]
    }
    assert listed == {slug for name, slug in docs.items() if rank >= ROLES.index(EXPECTED[name])}


@pytest.mark.parametrize("role", ["anonymous", "agent"])
def test_history_diff_and_revisions_are_404_below_editor(role, client, docs, make_user, token_for):
    headers = _as(role, client, make_user, token_for)
    slug = docs["public"]
    for url in (
        f"/artikel/{slug}/geschiedenis",
        f"/artikel/{slug}/vergelijk?van=1&naar=1",
        f"/artikel/{slug}/revisie/1",
        f"/artikel/{slug}/bewerken",
        "/documenten",
    ):
        assert client.get(url).status_code in (404, 302, 303), url
        if role == "agent":
            assert client.get(url).status_code == 404, url
    for url in (
        f"/api/v1/documents/{slug}/revisions",
        f"/api/v1/documents/{slug}/diff?from=1&to=1",
        f"/api/v1/documents/{slug}?revision=1",
    ):
        assert client.get(url, headers=headers).status_code == 404, url


def test_policy_documents_need_a_supervisor_to_edit(client, make_document, make_user):
    slug = make_document("Compensatie", "Regels.", category="beleid", audience="internal")
    login(client, make_user("editor"))
    assert client.get(f"/artikel/{slug}").status_code == 200
    assert client.get(f"/artikel/{slug}/bewerken").status_code == 403
    client.post_form("/uitloggen")
    login(client, make_user("supervisor"))
    assert client.get(f"/artikel/{slug}/bewerken").status_code == 200


def test_escalation_scripts_default_to_supervisor(app, make_document):
    from kb.documents.models import Document
    from kb.extensions import db

    slug = make_document(
        "Escaleren naar teamleider",
        "Stappen.",
        kind="script",
        audience="internal",
        channel="escalation",
    )
    with app.app_context():
        assert (
            db.session.scalar(db.select(Document.min_edit_role).where(Document.slug == slug))
            == "supervisor"
        )


def test_supervisor_sets_min_edit_role_editor_cannot(client, make_document, make_user):
    slug = make_document("Opzeggen", "Tekst.")
    editor = make_user("editor")
    login(client, editor)
    page = client.get(f"/artikel/{slug}/bewerken").get_data(as_text=True)
    assert 'name="min_edit_role"' not in page
    client.post_form("/uitloggen")
    login(client, make_user("supervisor"))
    page = client.get(f"/artikel/{slug}/bewerken").get_data(as_text=True)
    assert 'name="min_edit_role"' in page
    form = {
        "title": "Opzeggen",
        "body": "Tekst.",
        "audience": "public",
        "channel": "",
        "category": "",
        "tags": "",
        "base_revision": "1",
    }
    # Not above one's own role: that would lock the supervisor out.
    response = client.post_form(f"/artikel/{slug}/bewerken", {**form, "min_edit_role": "admin"})
    assert response.status_code == 422
    assert "alleen een admin dit document bewerken" in response.get_data(as_text=True)
    response = client.post_form(
        f"/artikel/{slug}/bewerken", {**form, "min_edit_role": "supervisor"}
    )
    assert response.status_code in (302, 303)
    client.post_form("/uitloggen")
    login(client, editor)
    assert client.get(f"/artikel/{slug}/bewerken").status_code == 403
    assert (
        "Bewerken" not in client.get(f"/artikel/{slug}").get_data(as_text=True).split("<article")[0]
    )


def test_agents_comment_anonymous_cannot(client, make_document, make_user):
    slug = make_document("Wifi", "Tekst.")
    response = client.post_form(f"/artikel/{slug}/reactie", {"body": "Hallo", "kind": "comment"})
    assert response.status_code == 404  # per-document staff URLs: 404 for anonymous callers
    login(client, make_user("agent"))
    client.post_form(
        f"/artikel/{slug}/reactie", {"body": "Stap 2 klopt niet meer.", "kind": "suggestion"}
    )
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Stap 2 klopt niet meer." in page and "Hallo" not in page


def test_wiki_link_to_internal_document_does_not_leak_its_title(client, make_document):
    make_document("Geheime werkinstructie", "Intern.", audience="internal", slug="werkinstructie")
    slug = make_document("Publiek", "Zie [[werkinstructie]].")
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Geheime werkinstructie" not in page
    assert 'href="/artikel/werkinstructie"' not in page


def test_search_never_shows_what_the_caller_may_not_read(client, make_document, make_user):
    make_document("Publiek over modems", "Modem herstarten.")
    make_document("Intern over modems", "Modem xyzzygeheim.", audience="internal")
    make_document("Concept over modems", "Modem xyzzygeheim.", publish=False)
    page = client.get("/zoeken?q=xyzzygeheim").get_data(as_text=True)
    assert "Intern over modems" not in page and "Concept over modems" not in page
    assert "0 resultaten" in page
    login(client, make_user("agent"))
    page = client.get("/zoeken?q=xyzzygeheim").get_data(as_text=True)
    assert "Intern over modems" in page and "Concept over modems" not in page
