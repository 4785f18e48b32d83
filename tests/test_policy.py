"""The policy module: one table decides reading, editing and who edits what after a change."""

import contextlib

import pytest
import sqlalchemy as sa
from flask import abort

from kb.auth.models import SYSTEM, ApiToken, User
from kb.documents import policy
from kb.documents.models import Document
from kb.extensions import db
from tests.helpers import login


def _doc(app, slug: str) -> dict:
    with app.app_context():
        doc = db.session.scalar(sa.select(Document).where(Document.slug == slug))
        return {
            "category": doc.category,
            "channel": doc.channel,
            "min_edit_role": doc.min_edit_role,
            "revision": doc.current_number,
            "published": doc.published_number,
        }


def test_editor_cannot_move_a_document_into_beleid_and_keep_it(
    app, client, make_document, make_user, token_for
):
    slug = make_document("Coulance bij storing", "Regels.")
    headers = token_for(make_user("editor"))
    response = client.put(
        f"/api/v1/documents/{slug}",
        headers=headers,
        json={"base_revision": 1, "category": "beleid", "min_edit_role": "editor"},
    )
    assert response.status_code == 403
    assert _doc(app, slug) == {
        "category": "facturen",
        "channel": None,
        "min_edit_role": "editor",
        "revision": 1,
        "published": 1,
    }


def test_editor_cannot_move_a_script_into_escalation(app, client, make_document, make_user):
    slug = make_document(
        "Doorverbinden",
        "Stap.",
        kind="script",
        audience="internal",
        channel="phone",
        category="gesprekken",
    )
    login(client, make_user("editor"))
    response = client.post_form(
        f"/artikel/{slug}/bewerken",
        {
            "title": "Doorverbinden",
            "body": "Stap.",
            "audience": "internal",
            "channel": "escalation",
            "category": "gesprekken",
            "tags": "",
            "base_revision": "1",
        },
    )
    assert response.status_code == 422
    assert "alleen een supervisor" in response.get_data(as_text=True)
    assert _doc(app, slug)["channel"] == "phone"


def test_publishing_an_old_beleid_revision_is_for_supervisors(app, client, make_user, token_for):
    supervisor = token_for(make_user("supervisor"))
    editor = token_for(make_user("editor"))
    created = client.post(
        "/api/v1/documents",
        headers=supervisor,
        json={"kind": "article", "title": "Compensatie", "body": "Oud.", "category": "beleid"},
    ).get_json()
    assert created["min_edit_role"] == "supervisor"
    slug = created["slug"]
    # A supervisor hands it to the editors outside beleid and publishes that.
    response = client.put(
        f"/api/v1/documents/{slug}",
        headers=supervisor,
        json={"base_revision": 1, "category": "facturen", "min_edit_role": "editor"},
    )
    assert response.status_code == 200
    assert client.post(f"/api/v1/documents/{slug}/publish", headers=supervisor).status_code == 200
    response = client.post(
        f"/api/v1/documents/{slug}/publish", headers=editor, json={"revision": 1}
    )
    assert response.status_code == 403
    assert _doc(app, slug) == {
        "category": "facturen",
        "channel": None,
        "min_edit_role": "editor",
        "revision": 2,
        "published": 2,
    }
    # The supervisor may, and the document is the supervisors' again.
    response = client.post(
        f"/api/v1/documents/{slug}/publish", headers=supervisor, json={"revision": 1}
    )
    assert response.status_code == 200
    assert _doc(app, slug)["min_edit_role"] == "supervisor"


def test_a_supervisor_moving_a_document_into_beleid_gets_the_floor_not_the_form_value(
    app, client, make_document, make_user
):
    slug = make_document("Vergoeding", "Tekst.")
    login(client, make_user("supervisor"))
    response = client.post_form(
        f"/artikel/{slug}/bewerken",
        {
            "title": "Vergoeding",
            "body": "Tekst.",
            "audience": "public",
            "channel": "",
            "category": "beleid",
            "tags": "",
            "min_edit_role": "editor",  # the select as it was shown, untouched
            "base_revision": "1",
        },
    )
    assert "/artikel/" in response.headers["Location"]
    assert _doc(app, slug)["min_edit_role"] == "supervisor"


@pytest.mark.parametrize("role", [None, "agent", "editor", "supervisor", "admin"])
def test_search_levels_and_the_sql_gate_come_from_one_table(app, make_document, make_user, role):
    """Every document a role finds in search is one it reads, and the other way round."""
    make_document("Publiek", "Tekst.")
    make_document("Intern", "Tekst.", audience="internal")
    make_document("Script", "Tekst.", kind="script", audience="internal", channel="chat")
    make_document("Concept", "Tekst.", publish=False)
    archived = make_document("Oud", "Tekst.")
    user = make_user(role) if role else None
    with app.app_context():
        from kb.documents import service

        doc = db.session.scalar(sa.select(Document).where(Document.slug == archived))
        service.archive(doc, SYSTEM)
        reader = db.session.get(User, user.id) if user else None
        readable = set(db.session.scalars(policy.visible_documents(reader)))
        levels = policy.search_levels(reader, include_drafts=True)
        for doc in db.session.scalars(sa.select(Document)):
            level = policy.index_level(doc)
            if level is not None:
                assert (level in levels) == (doc in readable), (role, doc.slug)
        assert len(readable) == {None: 1, "agent": 3}.get(role, 5)


def test_search_results_are_checked_against_the_gate_again(app, client, make_document):
    """The index may lag the database: a document unpublished behind its back stays hidden."""
    slug = make_document("Verborgen zeearend", "De zeearend broedt in de polder.")
    assert slug in client.get("/api/v1/search?q=zeearend").get_data(as_text=True)
    with app.app_context():
        # No service, so no outbox row: only the gate can notice.
        db.session.execute(sa.update(Document).values(status="draft"))
        db.session.commit()
    body = client.get("/api/v1/search?q=zeearend+polder").get_json()
    assert [r["slug"] for r in body["results"]] == []


def test_editor_pages_are_never_stored_by_browsers(client, make_document, make_user):
    slug = make_document("Concepttekst", "Geheim.", publish=False)
    login(client, make_user("editor"))
    for url in (
        "/documenten",
        "/documenten/nieuw",
        f"/artikel/{slug}/bewerken",
        f"/artikel/{slug}/geschiedenis",
        f"/artikel/{slug}/revisie/1",
        f"/artikel/{slug}/vergelijk?van=1&naar=1",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers.get("Cache-Control") == "no-store", url


def test_error_page_renders_after_a_failed_statement(app, client, make_user):
    """The session is rolled back before an error page: on PostgreSQL a failed statement
    would otherwise break every query the page makes (a 500 instead of the 404 page)."""
    user = make_user("agent")

    @app.route("/_test/failed-statement")
    def failed_statement():
        # Code that swallows a database error, as code sometimes does.
        with contextlib.suppress(sa.exc.DBAPIError):
            db.session.execute(sa.text("SELECT * FROM no_such_table"))
        abort(404)

    login(client, user)
    response = client.get("/_test/failed-statement")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    # The page loads the signed-in user after the failed statement: it needs a clean session.
    assert "Pagina niet gevonden" in page and "Agent · Medewerker" in page


def test_an_inactive_users_token_is_refused(app, client, make_user, token_for):
    user = make_user("editor")
    headers = token_for(user)
    response = client.post(
        "/api/v1/documents", headers=headers, json={"kind": "article", "title": "Eerste"}
    )
    assert response.status_code == 201
    with app.app_context():
        assert db.session.scalar(sa.select(ApiToken.last_used_at)) is not None
        from kb.auth import service as accounts

        accounts.set_active(SYSTEM, db.session.get(User, user.id), False)
    response = client.post(
        "/api/v1/documents", headers=headers, json={"kind": "article", "title": "Tweede"}
    )
    assert response.status_code == 401
    assert client.get("/api/v1/documents/tweede", headers={}).status_code == 404


def test_an_admin_cannot_demote_or_disable_himself(app, make_user):
    from kb.auth import service as accounts
    from kb.errors import Forbidden

    admin = make_user("admin")
    with app.app_context():
        me = db.session.get(User, admin.id)
        with pytest.raises(Forbidden):
            accounts.set_role(me, me, "editor")
        with pytest.raises(Forbidden):
            accounts.set_active(me, me, False)
        other = db.session.get(User, make_user("admin").id)
        accounts.set_role(me, other, "editor")
        assert (me.role, other.role) == ("admin", "editor")


def test_votes_only_on_published_documents(client, make_document, make_user, token_for):
    slug = make_document("Concept met stem", "Tekst.", publish=False)
    headers = token_for(make_user("editor"))
    response = client.post(
        f"/api/v1/documents/{slug}/feedback", headers=headers, json={"helpful": True}
    )
    assert response.status_code == 404
    login(client, make_user("editor"))
    response = client.post_form(f"/artikel/{slug}/stem", {"helpful": "ja"})
    assert response.status_code == 404


def test_document_list_pages_and_filters_in_sql(client, make_document, make_user, token_for):
    for n in range(7):
        make_document(f"Factuur {n}", "Tekst.", tags=["factuur", f"nummer {n}"])
    make_document("Wifi", "Tekst.", tags=["wifi"], category="internet")
    make_document("Intern", "Tekst.", audience="internal", tags=["factuur"])
    body = client.get("/api/v1/documents?tag=factuur&limit=3&page=3").get_json()
    assert (body["total"], body["pages"], body["page"]) == (7, 3, 3)
    assert [d["slug"] for d in body["items"]] == ["factuur-6"]
    headers = token_for(make_user("agent"))
    body = client.get("/api/v1/documents?tag=factuur&limit=100", headers=headers).get_json()
    assert body["total"] == 8
    assert client.get("/api/v1/documents?tag=nummer%203").get_json()["total"] == 1
    # A tag is matched whole: "factuur" is not "factuur 1" and % is no wildcard.
    assert client.get("/api/v1/documents?tag=factu").get_json()["total"] == 0
    assert client.get("/api/v1/documents?tag=%25").get_json()["total"] == 0


def test_openapi_lists_every_channel_from_the_model(client):
    from kb.documents.models import Channel

    spec = client.get("/api/openapi.json").get_json()
    text = str(spec)
    assert all(f"'{c.value}'" in text for c in Channel)


def test_the_editors_list_pages_newest_first(app, client, make_document, make_user):
    from kb.documents.editing_list import PER_PAGE

    for n in range(PER_PAGE + 2):
        make_document(f"Document {n:02d}", "Tekst.", publish=n % 2 == 0)
    newest = f"Document {PER_PAGE + 1:02d}"
    login(client, make_user("editor"))
    first = client.get("/documenten").get_data(as_text=True)
    assert "Pagina 1 van 2" in first and f"{PER_PAGE + 2} documenten" in first
    assert newest in first and "Document 00" not in first
    second = client.get("/documenten?page=2").get_data(as_text=True)
    assert "Document 00" in second and newest not in second
    drafts = client.get("/documenten?status=draft").get_data(as_text=True)
    assert "Document 01" in drafts and "Document 02" not in drafts
