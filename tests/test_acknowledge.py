"""Read-and-acknowledge on the pages: who is asked, the banner and its changes, confirming,
republishing with and without the flag, withdrawn documents, the console and the overview."""

import re

import pytest

from kb.audit.models import AuditEvent
from kb.auth.models import SYSTEM, User
from kb.documents import service
from kb.documents.models import Acknowledgement, Document
from kb.documents.schemas import DocumentUpdate
from kb.extensions import db
from tests.helpers import login

BODY = """## Begroeten

> Goedemiddag, u spreekt met Polderlink.

## Klantnummer

Vraag altijd naar het klantnummer.

## Afsluiten

Wens de klant een fijne dag."""

NEW = "Nieuw: lees dit en bevestig"
CHANGED = "Gewijzigd sinds u het las"
BUTTON = "Gelezen en begrepen"


@pytest.fixture
def script(make_document):
    """A published phone script that asks nothing yet."""
    return make_document(
        "Begroeting telefoon",
        BODY,
        kind="script",
        audience="internal",
        channel="phone",
        category="gesprekken",
    )


@pytest.fixture
def republish(app):
    """Save a new body (as kb itself) and publish it, with or without the flag."""

    def do(slug: str, body: str | None = None, *, acknowledge: bool):
        with app.app_context():
            doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
            if body is not None:
                service.save_revision(doc, SYSTEM, doc.current_number, DocumentUpdate(body=body))
            service.publish(doc, SYSTEM, acknowledge=acknowledge)
            return doc.published_number

    return do


def banner(client, slug: str) -> str:
    """The banner's HTML on the document page ('' when there is none)."""
    page = client.get(f"/artikel/{slug}")
    assert page.status_code == 200
    found = re.search(
        r'<section class="ack-banner".*?</section>', page.get_data(as_text=True), re.S
    )
    return found.group(0) if found else ""


def marked(html: str, tag: str) -> list[str]:
    """The texts the banner marks as removed (del) or added (ins)."""
    return re.findall(rf"<{tag}>(.*?)</{tag}>", html, re.S)


def confirm(client, slug: str):
    return client.post_form(f"/artikel/{slug}/bevestigen")


def test_every_signed_in_role_is_asked_and_customers_never(
    client, make_document, make_user, republish
):
    slug = make_document("Storing melden", "Bel het storingsnummer.", category="storingen")
    republish(slug, acknowledge=True)
    assert "ack-banner" not in client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Bevestigingen" not in client.get(f"/artikel/{slug}").get_data(as_text=True)
    for role in ("agent", "editor", "supervisor", "admin"):
        login(client, make_user(role))
        shown = banner(client, slug)
        assert NEW in shown and BUTTON in shown and 'name="csrf_token"' in shown, role
        client.post_form("/uitloggen")
    # Logged out again: a customer sees the article, not the question.
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Bel het storingsnummer." in page and NEW not in page


def test_confirming_records_the_published_revision_once_and_removes_the_banner(
    app, client, script, make_user, republish
):
    number = republish(script, "## Begroeten\n\nNieuwe groet.", acknowledge=True)
    agent = make_user("agent")
    login(client, agent)
    assert NEW in banner(client, script)

    response = confirm(client, script)
    assert response.headers["Location"].endswith(f"/artikel/{script}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Bevestigd: u hebt revisie {number} gelezen." in page
    assert banner(client, script) == ""
    confirm(client, script)  # a second click (another tab) changes nothing

    with app.app_context():
        acks = db.session.scalars(db.select(Acknowledgement)).all()
        assert [(a.user_id, a.revision_number) for a in acks] == [(agent.id, number)]
        events = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "document.acknowledge")
        ).all()
        assert [(e.actor_id, e.target_id, e.detail["revision"]) for e in events] == [
            (agent.id, script, number)
        ]


def test_confirming_needs_the_csrf_token(client, script, make_user, republish):
    republish(script, acknowledge=True)
    login(client, make_user("agent"))
    assert client.post(f"/artikel/{script}/bevestigen").status_code == 400
    assert NEW in banner(client, script)


def test_republishing_without_the_flag_does_not_ask_again(client, script, make_user, republish):
    republish(script, acknowledge=True)
    login(client, make_user("agent"))
    confirm(client, script)
    republish(script, BODY.replace("fijne dag", "prettige dag"), acknowledge=False)
    assert banner(client, script) == ""
    page = client.get(f"/artikel/{script}").get_data(as_text=True)
    assert "prettige dag" in page  # the page does show the new revision


def test_republishing_with_the_flag_shows_each_agent_what_changed_since_they_confirmed(
    client, script, make_user, republish
):
    republish(script, acknowledge=True)  # revision 1
    early, late = make_user("agent"), make_user("agent")
    login(client, early)
    confirm(client, script)  # early confirms revision 1
    client.post_form("/uitloggen")

    step2 = BODY.replace("Vraag altijd naar het klantnummer.", "Vraag altijd naar de postcode.")
    republish(script, step2, acknowledge=False)  # revision 2: nobody asked again
    login(client, late)
    assert NEW in banner(client, script)  # late never confirmed anything
    confirm(client, script)  # late confirms revision 2
    client.post_form("/uitloggen")

    step3 = step2.replace("Goedemiddag", "Goedendag")
    republish(script, step3, acknowledge=True)  # revision 3 asks again

    login(client, late)
    shown = banner(client, script)
    assert CHANGED in shown and "revisie 2 → 3" in shown
    assert "<del>Goedemiddag,</del><ins>Goedendag,</ins>" in shown
    assert "postcode" not in shown and "klantnummer" not in shown  # confirmed in revision 2
    assert "fijne dag" not in shown  # unchanged text stays out of the banner
    assert "@@" not in shown and "## " not in shown  # rendered, not a source diff
    client.post_form("/uitloggen")

    login(client, early)
    shown = banner(client, script)
    assert "revisie 1 → 3" in shown
    assert "<del>Goedemiddag,</del><ins>Goedendag,</ins>" in shown
    assert "klantnummer." in marked(shown, "del") and "postcode." in marked(shown, "ins")
    assert "fijne dag" not in shown
    # The page's own headings keep their anchors: the banner repeats no id.
    assert 'id="klantnummer"' not in shown


def test_withdrawn_documents_ask_nothing(app, client, script, make_user, republish):
    republish(script, acknowledge=True)
    agent, editor = make_user("agent"), make_user("editor")
    for withdraw in (service.unpublish, service.archive):
        with app.app_context():
            doc = db.session.scalar(db.select(Document).where(Document.slug == script))
            withdraw(doc, SYSTEM)
        login(client, agent)
        assert client.get(f"/artikel/{script}").status_code == 404
        assert confirm(client, script).status_code == 404
        assert script not in client.get("/console").get_data(as_text=True)
        client.post_form("/uitloggen")
        login(client, editor)  # reads drafts and archived documents, but is asked nothing
        assert banner(client, script) == ""
        client.post_form("/uitloggen")
        republish(script, acknowledge=False)  # published again: the old request still holds
        login(client, agent)
        assert NEW in banner(client, script)
        client.post_form("/uitloggen")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Acknowledgement)) == 0


def test_a_document_published_without_the_flag_asks_nothing(client, script, make_user):
    login(client, make_user("agent"))
    assert banner(client, script) == ""
    response = confirm(client, script)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dit document vraagt geen bevestiging." in page


def test_the_console_lists_what_the_agent_must_still_confirm(
    client, script, make_document, make_user, republish
):
    other = make_document("Wachtwoord vergeten", "Stuur een resetlink.", category="account")
    republish(script, acknowledge=True)
    draft = make_document("Nieuw beleid", "Nog niet af.", publish=False, audience="internal")
    with client.application.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == draft))
        doc.ack_number = 1  # asked once, but a draft: agents never see it
        db.session.commit()
    login(client, make_user("agent"))
    page = client.get("/console").get_data(as_text=True)
    section = re.search(r"Te bevestigen</h2>.*?</ol>", page, re.S).group(0)
    assert f'href="/artikel/{script}"' in section and "Begroeting telefoon" in section
    assert other not in section and draft not in section

    confirm(client, script)
    assert "Te bevestigen" not in client.get("/console").get_data(as_text=True)


def test_the_console_confirms_in_place(client, script, make_user, republish):
    republish(script, "## Begroeten\n\nGoedendag.", acknowledge=True)
    login(client, make_user("agent"))
    fragment = client.get(f"/console/document/{script}").get_data(as_text=True)
    assert NEW in fragment and f'action="/artikel/{script}/bevestigen"' in fragment
    response = client.post_form(f"/artikel/{script}/bevestigen", headers={"X-KB-Fragment": "1"})
    assert response.status_code == 200 and "Location" not in response.headers
    assert "Bevestigd: u hebt revisie 2 gelezen." in response.get_data(as_text=True)
    assert NEW not in client.get(f"/console/document/{script}").get_data(as_text=True)
    assert banner(client, script) == ""


def test_supervisors_see_who_confirmed_and_who_not_yet(app, client, script, make_user, republish):
    republish(script, acknowledge=True)
    done, waiting = make_user("agent"), make_user("agent")
    gone = make_user("agent")
    with app.app_context():
        db.session.get(User, done.id).name = "Daan Gedaan"
        db.session.get(User, waiting.id).name = "Wendy Wacht"
        db.session.get(User, gone.id).name = "Vera Vertrokken"
        db.session.get(User, gone.id).is_active = False  # left the team: not counted
        db.session.commit()
    login(client, done)
    assert "Bevestigingen:" not in client.get(f"/artikel/{script}").get_data(as_text=True)
    assert client.get(f"/artikel/{script}/bevestigingen").status_code == 403
    confirm(client, script)
    client.post_form("/uitloggen")

    login(client, make_user("editor"))
    assert client.get(f"/artikel/{script}/bevestigingen").status_code == 403
    client.post_form("/uitloggen")

    supervisor = make_user("supervisor")
    login(client, supervisor)
    page = client.get(f"/artikel/{script}").get_data(as_text=True)
    # Asked: the two active agents, the editor and the supervisor; one has confirmed.
    assert "Bevestigingen: 1 van 4" in page
    overview = client.get(f"/artikel/{script}/bevestigingen").get_data(as_text=True)
    pending, confirmed = overview.split("Nog niet bevestigd", 1)[1].split("<h2>Bevestigd", 1)
    assert "Daan Gedaan" in confirmed and "Wendy Wacht" in pending
    assert "Daan Gedaan" not in pending and "Vera Vertrokken" not in overview
    assert "%" not in overview


def test_anonymous_never_reaches_the_confirm_or_overview(app, client, script, republish):
    republish(script, acknowledge=True)
    for response in (
        client.get(f"/artikel/{script}/bevestigingen"),
        client.post_form(f"/artikel/{script}/bevestigen"),
    ):
        # The login page or the missing-page answer; never the script or its names.
        assert response.status_code in (302, 303, 404)
        assert response.status_code == 404 or "/inloggen" in response.headers["Location"]
        assert "Begroeting telefoon" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Acknowledgement)) == 0
