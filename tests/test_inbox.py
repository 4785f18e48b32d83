"""The suggestion inbox: who sees it, closing (with a reason) and reopening, what the author
sees afterwards, "Mijn voorstellen", the API, and that nothing of a document a user may not
read shows up in any list or count."""

import pytest

from kb.audit.models import AuditEvent
from kb.auth.models import SYSTEM, User
from kb.documents import service as documents
from kb.documents.models import Document
from kb.documents.schemas import DocumentCreate
from kb.extensions import db
from kb.feedback import inbox
from kb.feedback import service as feedback
from kb.feedback.models import Comment
from kb.feedback.schemas import AcceptInput, CloseInput, CommentCreate
from kb.tickets import article_requests
from kb.tickets.schemas import RequestCreate
from tests.helpers import login


def _user(user) -> User:
    return db.session.get_one(User, user.id)


def _doc(slug: str) -> Document:
    return db.session.scalars(db.select(Document).where(Document.slug == slug)).one()


def _comment(comment_id: int) -> Comment:
    return db.session.get_one(Comment, comment_id)


@pytest.fixture
def people(make_user):
    from types import SimpleNamespace

    return SimpleNamespace(
        agent=make_user("agent"), eva=make_user("editor"), boss=make_user("supervisor")
    )


@pytest.fixture
def write(app):
    """Create a published (or draft) document owned by ``owner``; returns its slug."""

    def make(owner, title: str, publish: bool = True, **fields) -> str:
        data = {"kind": "article", "audience": "internal", "category": "facturen", "title": title}
        with app.app_context():
            doc = documents.create_document(
                _user(owner), DocumentCreate.model_validate({"body": "Tekst.", **data, **fields})
            )
            if publish:
                documents.publish(doc, SYSTEM)
            return doc.slug

    return make


@pytest.fixture
def suggest(app):
    """``author`` comments on ``slug``; returns the comment's id."""

    def make(author, slug: str, body: str, kind: str = "suggestion") -> int:
        with app.app_context():
            comment = feedback.add_comment(
                _doc(slug), _user(author), CommentCreate(body=body, kind=kind)
            )
            return comment.id

    return make


def test_agents_and_visitors_have_no_inbox(client, people):
    assert client.get("/inbox").status_code in (302, 303)
    login(client, people.agent)
    assert client.get("/inbox").status_code == 404
    page = client.get("/").get_data(as_text=True)
    assert "Mijn voorstellen" in page and ">Inbox" not in page and "Mijn documenten" not in page


def test_the_inbox_groups_open_items_per_document_newest_first(app, client, people, write, suggest):
    older = write(people.eva, "Modem resetten")
    newer = write(people.boss, "Storing melden")
    first = suggest(people.agent, older, "Stap 2 klopt niet.")
    suggest(people.agent, newer, "Noem het storingsnummer.", kind="comment")
    last = suggest(people.agent, older, "Voeg een plaatje toe.")
    closed = suggest(people.agent, newer, "Al gedaan.")
    with app.app_context():
        feedback.close(_comment(closed), _user(people.boss), CloseInput(reason="Dubbel."))
    login(client, people.eva)
    page = client.get("/inbox").get_data(as_text=True)
    assert "3 open · 2 documenten" in page
    assert page.index(f'data-document="{older}"') < page.index(f'data-document="{newer}"')
    assert page.index(f'id="reactie-{last}"') < page.index(f'id="reactie-{first}"')
    assert "Al gedaan." not in page
    assert f"/artikel/{older}/bewerken?voorstel={first}" in page  # Overnemen in een bewerking
    nav = page.split("</nav>")[0]
    assert 'data-open="3"' in nav and "Mijn documenten" in nav
    # Only the editor's own documents.
    page = client.get("/inbox?mijn=1").get_data(as_text=True)
    assert "2 open · 1 document" in page and f'data-document="{newer}"' not in page
    # Handled ones, with their outcome and "Heropenen".
    page = client.get("/inbox?status=afgehandeld").get_data(as_text=True)
    assert "Al gedaan." in page and "gesloten door Supervisor" in page and "Heropenen" in page


def test_the_inbox_pages_by_document(app, client, people, write, suggest):
    slugs = [write(people.eva, f"Artikel {n:02d}") for n in range(inbox.PER_PAGE + 1)]
    for slug in slugs:
        suggest(people.agent, slug, "Klopt niet.")
    login(client, people.eva)
    first = client.get("/inbox").get_data(as_text=True)
    second = client.get("/inbox?page=2").get_data(as_text=True)
    assert first.count('class="inbox-doc"') == inbox.PER_PAGE
    assert second.count('class="inbox-doc"') == 1
    assert f'data-document="{slugs[0]}"' in second  # the oldest comes last
    assert "Pagina 1 van 2" in first and "Volgende" in first


def test_closing_needs_a_reason_and_the_author_sees_it(app, client, people, write, suggest):
    slug = write(people.eva, "Wachtwoord vergeten")
    cid = suggest(people.agent, slug, "Noem de wachtwoordeisen.")
    login(client, people.eva)
    client.post_form(f"/inbox/{cid}/sluiten", {"reason": "   "})
    page = client.get("/inbox").get_data(as_text=True)
    assert "Geef een reden op" in page and f'id="reactie-{cid}"' in page
    with app.app_context():
        assert _comment(cid).status == "open"
    response = client.post_form(
        f"/inbox/{cid}/sluiten", {"reason": "Staat al in stap 3.", "next": "/inbox?mijn=1"}
    )
    assert response.headers["Location"].endswith("/inbox?mijn=1")
    with app.app_context():
        comment = _comment(cid)
        assert (comment.status, comment.reason, comment.handled_by_id) == (
            "closed",
            "Staat al in stap 3.",
            people.eva.id,
        )
        [event] = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "comment.closed")
        ).all()
        assert (event.actor_id, event.target_id, event.detail["reason"]) == (
            people.eva.id,
            str(cid),
            "Staat al in stap 3.",
        )
    # An external "next" is not followed.
    other = suggest(people.agent, slug, "Nog iets.")
    response = client.post_form(
        f"/inbox/{other}/sluiten", {"reason": "Nee.", "next": "https://example.com/"}
    )
    assert response.headers["Location"].endswith("/inbox")

    agent = client.application.test_client()
    login(agent, people.agent)
    page = agent.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "gesloten door Editor" in page and "Staat al in stap 3." in page
    mine = agent.get("/mijn-voorstellen").get_data(as_text=True)
    assert "Noem de wachtwoordeisen." in mine and "Staat al in stap 3." in mine
    assert "0 open · 0 overgenomen · 2 gesloten" in mine


def test_reopening_puts_it_back(app, client, people, write, suggest):
    slug = write(people.eva, "Verhuizen")
    cid = suggest(people.agent, slug, "Noem de verhuisservice.")
    with app.app_context():
        feedback.close(_comment(cid), _user(people.eva), CloseInput(reason="Later."))
    login(client, people.eva)
    client.post_form(f"/inbox/{cid}/heropenen")
    with app.app_context():
        comment = _comment(cid)
        assert (comment.status, comment.reason, comment.handled_by_id) == ("open", "", None)
        assert db.session.scalar(
            db.select(AuditEvent.id).where(AuditEvent.action == "comment.open")
        )
    assert f'id="reactie-{cid}"' in client.get("/inbox").get_data(as_text=True)


def test_an_accepted_suggestion_names_revision_and_editor(app, client, people, write, suggest):
    slug = write(people.eva, "Router plaatsen")
    cid = suggest(people.agent, slug, "Zet de router hoger.")
    with app.app_context():
        feedback.accept(_comment(cid), _user(people.eva), AcceptInput(revision=1))
    login(client, people.agent)
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "overgenomen in revisie 1 door Editor" in page
    assert "Sluiten" not in page.split('id="reacties"')[1]  # agents do not handle


def test_only_those_who_may_edit_a_document_handle_its_comments(
    app, client, people, write, suggest
):
    policy = write(people.boss, "Compensatie", category="beleid")
    cid = suggest(people.agent, policy, "Noem het maximum.")
    login(client, people.eva)
    page = client.get("/inbox").get_data(as_text=True)
    assert f'id="reactie-{cid}"' in page and "Alleen wie dit document mag bewerken" in page
    assert client.post_form(f"/inbox/{cid}/sluiten", {"reason": "Nee."}).status_code == 403
    agent = client.application.test_client()
    login(agent, people.agent)
    assert agent.post_form(f"/inbox/{cid}/sluiten", {"reason": "Nee."}).status_code == 404
    with app.app_context():
        assert _comment(cid).status == "open"


def test_nothing_of_a_document_the_reader_cannot_read_is_listed_or_counted(
    app, client, people, write, suggest
):
    slug = write(people.eva, "Nieuwe tarieven")
    kept = write(people.eva, "Oude tarieven")
    hidden = suggest(people.agent, slug, "Geheime tekst van het concept.")
    suggest(people.agent, kept, "Zichtbaar voorstel.")
    with app.app_context():
        documents.unpublish(_doc(slug), SYSTEM)  # back to draft: agents no longer read it
        assert hidden not in [c.id for c in inbox.my_comments(_user(people.agent)).comments]
    login(client, people.agent)
    mine = client.get("/mijn-voorstellen").get_data(as_text=True)
    assert "Zichtbaar voorstel." in mine and "Geheime tekst" not in mine
    assert "Nieuwe tarieven" not in mine and "1 open" in mine
    assert client.get(f"/artikel/{slug}").status_code == 404


def test_a_closed_suggestion_no_longer_counts_as_demand(app, people, write, suggest):
    slug = write(people.eva, "Storing internet melden")
    cid = suggest(people.agent, slug, "Noem de storingspagina.")
    with app.app_context():
        wanted = article_requests.create_request(
            _user(people.agent), RequestCreate(title="Storing internet")
        ).id
        assert article_requests.demand([wanted])[wanted].suggestions == 1
        feedback.close(_comment(cid), _user(people.eva), CloseInput(reason="Staat er."))
        assert article_requests.demand([wanted])[wanted].suggestions == 0
