"""An editor's screens: the category picker, the channel only for scripts, why a document is
not the editor's to edit, taking a suggestion into an edit, and a restore that meets a newer
save. The document list has its own file (test_editor_list.py)."""

import re
import threading
from html import unescape

import pytest
import sqlalchemy as sa

from kb.auth.models import SYSTEM, User
from kb.documents.models import Document
from kb.extensions import db
from kb.feedback.models import Comment, SuggestionStatus
from tests.helpers import login


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def doc_by_slug(app, slug: str) -> Document:
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        db.session.expunge(doc)
        return doc


def new_form(**fields) -> dict:
    data = {
        "title": "Glasvezel storing",
        "kind": "article",
        "audience": "internal",
        "channel": "",
        "category": "",
        "new_category": "",
        "tags": "",
        "body": "Tekst.",
        "message": "",
    }
    data.update(fields)
    return data


def edit_form(app, slug: str, **fields) -> dict:
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        current = doc.current
        data = {
            "title": current.title,
            "body": current.body,
            "category": current.category,
            "new_category": "",
            "tags": ", ".join(current.tags),
            "message": "",
            "base_revision": str(doc.current_number),
        }
        if doc.kind == "article":
            data["audience"] = current.audience
        else:
            data["channel"] = current.channel
    data.update(fields)
    return data


@pytest.fixture
def suggest(app):
    """An agent's suggestion on a document, through the feedback service; returns its id."""
    from kb.feedback import service
    from kb.feedback.schemas import CommentCreate

    def make(slug: str, author, body: str = "Noem ook het storingsnummer.") -> int:
        with app.app_context():
            doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
            user = db.session.get(User, author.id)
            comment = service.add_comment(doc, user, CommentCreate(kind="suggestion", body=body))
            return comment.id

    return make


def comment_state(app, comment_id: int) -> tuple[str, int | None, int | None]:
    with app.app_context():
        c = db.session.get(Comment, comment_id)
        return c.status, c.accepted_revision, c.handled_by_id


# ---- category: an existing one, or "Nieuwe categorie…" -------------------------------------


def test_new_form_offers_existing_categories_and_a_new_one(client, login_as, make_document):
    make_document("Factuur betalen", category="facturen")
    make_document("Storing melden", category="storingen", publish=False)
    login_as("editor")
    page = text(client.get("/documenten/nieuw"))
    select = re.search(r'<select[^>]*name="category".*?</select>', page, re.S).group(0)
    values = re.findall(r'<option[^>]*value="([^"]*)"', select)
    assert values == ["", "facturen", "storingen", "nieuw"]
    assert "Nieuwe categorie…" in select
    assert 'name="new_category"' in page


def test_new_category_is_taken_only_when_chosen(app, client, login_as, make_document):
    make_document("Factuur betalen", category="facturen")
    login_as("editor")
    response = client.post_form(
        "/documenten/nieuw", new_form(category="nieuw", new_category="glasvezel")
    )
    assert response.status_code in (302, 303)
    assert doc_by_slug(app, "glasvezel-storing").category == "glasvezel"
    # The new category is offered from now on.
    assert 'value="glasvezel"' in text(client.get("/documenten/nieuw"))


def test_existing_category_is_taken_from_the_select(app, client, login_as, make_document):
    make_document("Factuur betalen", category="facturen")
    login_as("editor")
    response = client.post_form("/documenten/nieuw", new_form(category="facturen"))
    assert response.status_code in (302, 303)
    assert doc_by_slug(app, "glasvezel-storing").category == "facturen"


@pytest.mark.parametrize(
    ("category", "typed", "message"),
    [
        ("nieuw", "", "Vul de naam van de nieuwe categorie in."),
        ("nieuw", "Glas & vezel", "Een categorie bestaat uit kleine letters, cijfers en '-'."),
        ("nieuw", "a" * 61, "Hoogstens 60 tekens."),
        ("facturen", "glasvezel", "Kies 'Nieuwe categorie…' in de lijst"),
    ],
)
def test_new_category_errors_are_clear_and_nothing_is_saved(
    app, client, login_as, make_document, category, typed, message
):
    make_document("Factuur betalen", category="facturen")
    login_as("editor")
    response = client.post_form(
        "/documenten/nieuw", new_form(category=category, new_category=typed)
    )
    assert response.status_code == 422
    page = text(response)
    assert message in page
    # The error sits at the new-category field, and what was typed stays.
    assert re.search(r'has-error">\s*<label for="new_category"', page)
    if typed:
        assert re.search(r'<input[^>]*name="new_category"[^>]*>', page).group(0).count(typed[:10])
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 1


def test_edit_form_selects_the_documents_category(app, client, login_as, make_document):
    slug = make_document("Factuur betalen", category="facturen")
    make_document("Storing", category="storingen")
    login_as("editor")
    page = text(client.get(f"/artikel/{slug}/bewerken"))
    assert re.search(r'<option selected value="facturen">|<option value="facturen" selected', page)
    response = client.post_form(
        f"/artikel/{slug}/bewerken",
        edit_form(app, slug, category="nieuw", new_category="betalen"),
    )
    assert response.status_code in (302, 303)
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        assert doc.current.category == "betalen"


# ---- the channel only for scripts ------------------------------------------------------------


def test_article_with_a_channel_and_script_without_are_refused(app, client, login_as):
    login_as("editor")
    response = client.post_form("/documenten/nieuw", new_form(channel="phone"))
    assert response.status_code == 422
    assert "Alleen scripts hebben een kanaal." in text(response)
    response = client.post_form("/documenten/nieuw", new_form(kind="script", channel=""))
    assert response.status_code == 422
    assert "Kies het kanaal van dit script." in text(response)
    response = client.post_form(
        "/documenten/nieuw", new_form(kind="script", channel="chat", audience="")
    )
    assert response.status_code in (302, 303)
    doc = doc_by_slug(app, "glasvezel-storing")
    assert (doc.kind, doc.channel, doc.audience) == ("script", "chat", "internal")


def test_edit_form_shows_the_channel_only_for_scripts(client, login_as, make_document):
    article = make_document("Factuur betalen")
    script = make_document(
        "Begroeting", kind="script", channel="phone", audience="internal", category="telefoon"
    )
    login_as("editor")
    page = text(client.get(f"/artikel/{article}/bewerken"))
    assert 'name="channel"' not in page and 'name="audience"' in page
    page = text(client.get(f"/artikel/{script}/bewerken"))
    assert 'name="channel"' in page and 'name="audience"' not in page
    assert "Scripts zijn altijd intern" in page


def test_saving_an_article_without_the_channel_field_keeps_it_an_article(
    app, client, login_as, make_document
):
    slug = make_document("Factuur betalen")
    login_as("editor")
    response = client.post_form(
        f"/artikel/{slug}/bewerken", edit_form(app, slug, body="Nieuwe tekst.")
    )
    assert response.status_code in (302, 303)
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        assert (doc.current.body, doc.current.channel) == ("Nieuwe tekst.", None)


# ---- a document the editor may not edit says why --------------------------------------------


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"category": "beleid", "audience": "internal"}, "Alleen supervisors bewerken beleid."),
        (
            {"kind": "script", "channel": "escalation", "audience": "internal"},
            "Alleen supervisors bewerken escalatiescripts.",
        ),
        ({"min_edit_role": "admin"}, "Alleen een beheerder mag dit document bewerken."),
    ],
)
def test_editor_is_told_why_a_document_is_not_editable(
    app, client, make_user, make_document, fields, reason
):
    slug = make_document("Compensatie bij storing", **fields)
    login(client, make_user("editor"))
    response = client.get(f"/artikel/{slug}/bewerken")
    assert response.status_code == 403
    page = text(response)
    assert reason in page
    assert f'href="/artikel/{slug}"' in page  # a way back, and to suggest a change
    assert 'name="body"' not in page
    # A post is refused the same way and changes nothing.
    response = client.post_form(f"/artikel/{slug}/bewerken", edit_form(app, slug, body="Gekaapt."))
    assert response.status_code == 403 and reason in text(response)
    response = client.post_form(f"/artikel/{slug}/archiveren", {})
    assert response.headers["Location"].endswith(f"/artikel/{slug}")
    assert reason in text(client.get(f"/artikel/{slug}"))
    doc = doc_by_slug(app, slug)
    assert (doc.current_number, doc.status) == (1, "published")


@pytest.mark.parametrize(("role", "status"), [("agent", 404), ("supervisor", 200)])
def test_other_roles_on_a_policy_document(client, login_as, make_document, role, status):
    slug = make_document("Compensatie", category="beleid", audience="internal")
    login_as(role)
    assert client.get(f"/artikel/{slug}/bewerken").status_code == status


# ---- taking a suggestion into an edit ------------------------------------------------------


def test_suggestion_is_shown_beside_the_editor_and_accepted_on_save(
    app, client, make_user, make_document, suggest
):
    slug = make_document("Storing melden", "Bel ons.")
    agent = make_user("agent")
    comment_id = suggest(slug, agent, "Noem ook het storingsnummer 0800-1234568.")
    editor = make_user("editor")
    login(client, editor)
    page = text(client.get(f"/artikel/{slug}/bewerken?voorstel={comment_id}"))
    panel = re.search(r'<aside class="suggestion-panel".*?</aside>', page, re.S).group(0)
    assert "Noem ook het storingsnummer 0800-1234568." in panel
    assert "Agent" in panel  # the author's name
    assert re.search(r"\d\d-\d\d-\d{4}", panel)  # and the date
    assert f'value="{comment_id}"' in re.search(r'<input[^>]*name="voorstel"[^>]*>', page).group(0)
    response = client.post_form(
        f"/artikel/{slug}/bewerken",
        edit_form(app, slug, body="Bel ons: 0800-1234568.", voorstel=str(comment_id)),
    )
    assert response.status_code in (302, 303)
    shown = text(client.get(response.headers["Location"]))
    assert "Het voorstel van Agent is overgenomen in revisie 2." in shown
    assert comment_state(app, comment_id) == ("accepted", 2, editor.id)


def test_saving_nothing_leaves_the_suggestion_open(
    app, client, login_as, make_document, make_user, suggest
):
    slug = make_document("Storing melden", "Bel ons.")
    comment_id = suggest(slug, make_user("agent"))
    login_as("editor")
    response = client.post_form(
        f"/artikel/{slug}/bewerken", edit_form(app, slug, voorstel=str(comment_id))
    )
    page = text(client.get(response.headers["Location"]))
    assert "Het voorstel blijft open." in page
    assert comment_state(app, comment_id)[0] == "open"


def test_a_suggestion_that_is_not_open_here_is_ignored_with_a_note(
    app, client, login_as, make_document, make_user, suggest
):
    slug = make_document("Storing melden", "Bel ons.")
    other = make_document("Factuur betalen")
    agent = make_user("agent")
    elsewhere = suggest(other, agent)
    settled = suggest(slug, agent, "Al gedaan.")
    with app.app_context():
        from kb.feedback import service

        service.settle(
            db.session.get(Comment, settled), SYSTEM, SuggestionStatus.CLOSED, reason="x"
        )
    login_as("editor")
    for raw in (str(elsewhere), str(settled), "99999", "abc", "99999999999999999999"):
        response = client.get(f"/artikel/{slug}/bewerken?voorstel={raw}")
        assert response.status_code == 200
        page = text(response)
        assert f"Voorstel {raw} staat niet open bij dit document" in page
        assert "suggestion-panel" not in page
        assert re.search(r'<input[^>]*name="voorstel"[^>]*value=""', page)
    # Sent anyway with a save: the save goes through, the other document's suggestion stays open.
    client.post_form(
        f"/artikel/{slug}/bewerken",
        edit_form(app, slug, body="Bel ons nu.", voorstel=str(elsewhere)),
    )
    assert comment_state(app, elsewhere)[0] == "open"
    assert doc_by_slug(app, slug).current_number == 2


def test_suggestion_survives_a_conflict_through_the_merge_page(
    app, client, make_user, make_document, suggest
):
    slug = make_document("Storing melden", "Regel een.\n\nRegel twee.\n\nRegel drie.")
    comment_id = suggest(slug, make_user("agent"))
    editor = make_user("editor")
    login(client, editor)
    client.get(f"/artikel/{slug}/bewerken?voorstel={comment_id}")
    stale = edit_form(app, slug, voorstel=str(comment_id))
    # Someone else saves meanwhile (revision 2), at the other end of the text.
    from kb.documents import service
    from kb.documents.schemas import DocumentUpdate

    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        service.save_revision(
            doc, SYSTEM, 1, DocumentUpdate(body="Regel een.\n\nRegel twee.\n\nRegel drie, nu.")
        )
    stale["body"] = "Regel een, met nummer.\n\nRegel twee.\n\nRegel drie."
    response = client.post_form(f"/artikel/{slug}/bewerken", stale)
    assert response.status_code == 409
    assert comment_state(app, comment_id)[0] == "open"
    # The merge page's own form: save the clean merge.
    merge_fields = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', text(response))
    )
    merge_fields.pop("csrf_token", None)
    body = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', text(response), re.S)
    data = {**merge_fields, "action": "opslaan", "message": ""}
    if body:
        data["body"] = body.group(1).lstrip("\n")
    response = client.post_form(f"/artikel/{slug}/samenvoegen", data)
    assert response.status_code in (302, 303), text(response)[:3000]
    assert comment_state(app, comment_id)[:2] == ("accepted", 3)
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        assert doc.current.body == "Regel een, met nummer.\n\nRegel twee.\n\nRegel drie, nu."


def test_a_plain_edit_later_does_not_take_a_suggestion_left_on_the_merge_page(
    app, client, login_as, make_document, make_user, suggest
):
    slug = make_document("Storing melden", "Een.\n\nTwee.")
    comment_id = suggest(slug, make_user("agent"))
    login_as("editor")
    stale = edit_form(app, slug, voorstel=str(comment_id), body="Een!\n\nTwee.")
    from kb.documents import service
    from kb.documents.schemas import DocumentUpdate

    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        service.save_revision(doc, SYSTEM, 1, DocumentUpdate(body="Een.\n\nTwee!"))
    assert client.post_form(f"/artikel/{slug}/bewerken", stale).status_code == 409
    # The editor walks away from the merge page and edits afresh, without the suggestion.
    client.get(f"/artikel/{slug}/bewerken")
    client.post_form(f"/artikel/{slug}/bewerken", edit_form(app, slug, body="Drie."))
    assert comment_state(app, comment_id)[0] == "open"


# ---- a restore that meets a newer save -----------------------------------------------------


def test_restore_meeting_a_newer_save_explains_and_loses_nothing(
    app, client, login_as, make_document
):
    from kb.documents import service
    from kb.documents.schemas import DocumentUpdate

    slug = make_document("Storing melden", "Versie een.")
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        service.save_revision(doc, SYSTEM, 1, DocumentUpdate(body="Versie twee."))
    login_as("editor")
    token = client.csrf_token()
    fired = threading.Event()

    def someone_saves_first(conn, cursor, statement, parameters, context, executemany):
        # Just before the restore's compare-and-swap, a colleague saves revision 3.
        if fired.is_set() or not statement.lstrip().upper().startswith("UPDATE DOCUMENTS"):
            return
        fired.set()
        with app.app_context():
            doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
            service.save_revision(
                doc, SYSTEM, 2, DocumentUpdate(body="Versie drie, van een collega.")
            )

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", someone_saves_first)
    try:
        response = client.post(
            f"/artikel/{slug}/herstel", data={"revision": "1", "csrf_token": token}
        )
    finally:
        sa.event.remove(engine, "before_cursor_execute", someone_saves_first)
    assert fired.is_set()
    assert response.status_code in (302, 303)
    assert response.headers["Location"].endswith(f"/artikel/{slug}/geschiedenis")
    page = text(client.get(response.headers["Location"]))
    assert (
        "Revisie 1 is niet teruggezet: intussen is het document opgeslagen als revisie 3." in page
    )
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        assert doc.current_number == 3
        assert doc.current.body == "Versie drie, van een collega."
    # Trying again now works: revision 4 with revision 1's text.
    response = client.post_form(f"/artikel/{slug}/herstel", {"revision": "1"})
    assert response.headers["Location"].endswith(f"/artikel/{slug}")
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        assert (doc.current_number, doc.current.body) == (4, "Versie een.")


def test_a_script_is_saved_without_the_audience_field(app, client, login_as, make_document):
    slug = make_document(
        "Begroeting", kind="script", channel="phone", audience="internal", category="telefoon"
    )
    login_as("editor")
    data = edit_form(app, slug, body="Goedemorgen, u spreekt met {{naam}}.", channel="chat")
    assert "audience" not in data
    response = client.post_form(f"/artikel/{slug}/bewerken", data)
    assert response.status_code in (302, 303)
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        assert (doc.current.channel, doc.current.audience) == ("chat", "internal")


def test_suggestions_are_taken_over_by_editors_only(app, client, make_user, make_document, suggest):
    slug = make_document("Compensatie", "Tien euro.", category="beleid", audience="internal")
    agent = make_user("agent")
    comment_id = suggest(slug, agent, "Vijftien euro sinds maart.")
    url = f"/artikel/{slug}/bewerken?voorstel={comment_id}"
    anonymous = client.get(url)
    assert anonymous.status_code in (302, 303, 404) and "Vijftien" not in text(anonymous)
    login(client, agent)
    assert client.get(url).status_code == 404
    login(client, make_user("editor"))
    response = client.get(url)  # a policy document: the editor is told why, sees no text
    assert response.status_code == 403 and "Vijftien euro" not in text(response)
    supervisor = make_user("supervisor")
    login(client, supervisor)
    assert "Vijftien euro sinds maart." in text(client.get(url))
    response = client.post_form(
        f"/artikel/{slug}/bewerken",
        edit_form(
            app, slug, body="Vijftien euro.", voorstel=str(comment_id), min_edit_role="supervisor"
        ),
    )
    assert response.status_code in (302, 303)
    assert comment_state(app, comment_id) == ("accepted", 2, supervisor.id)
