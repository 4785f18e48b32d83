"""The suggestion inbox in a real browser: an agent suggests a change on an article, an editor
finds it and another suggestion in the inbox from the menu, closes the other one with a reason,
sets the owner's verify-by date, and the agent reads both outcomes under the article and on
"Mijn voorstellen"."""

import os
import re

import pytest
from playwright.sync_api import expect

from kb.auth.models import User
from kb.documents.models import Document
from kb.extensions import db
from kb.feedback import service as feedback
from kb.feedback.schemas import CommentCreate

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("KB_SHOTS", "")  # a folder: save screenshots there to look at


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"inbox-{name}.png"), full_page=True)


def test_an_agent_suggests_an_editor_closes_another_and_the_agent_sees_both(
    app, new_context, make_person, make_document, log_in
):
    eva = make_person("editor", "Eva Redacteur")
    fatima = make_person("agent", "Fatima Agent")
    slug = make_document("Modem resetten", "Houd de resetknop tien seconden in.")
    with app.app_context():
        doc = db.session.scalars(db.select(Document).where(Document.slug == slug)).one()
        doc.owner_id = eva.id  # the seed document was made by kb itself
        db.session.commit()
        earlier = feedback.add_comment(
            doc,
            db.session.get_one(User, fatima.id),
            CommentCreate(body="Zet er een foto van de knop bij.", kind="suggestion"),
        )
        earlier_id = earlier.id

    agent = log_in(new_context().new_page(), fatima)
    agent.goto(f"/artikel/{slug}")
    comments = agent.locator("#reacties")
    comments.get_by_label("Soort").select_option(label="Voorstel tot wijziging")
    comments.get_by_label("Reactie").fill("Noem ook dat het lampje oranje knippert.")
    comments.get_by_role("button", name="Plaatsen").click()
    expect(agent.get_by_text("Uw reactie is geplaatst.")).to_be_visible()
    mine = agent.locator(".comment", has_text="lampje oranje")
    expect(mine.locator(".comment-status")).to_have_text("Status: open")
    expect(agent.locator("header nav")).not_to_contain_text("Inbox")
    _shot(agent, "1-agent-suggested")

    editor = log_in(new_context().new_page(), eva)
    inbox_link = editor.locator("header nav").get_by_role("link", name=re.compile("^Inbox"))
    expect(inbox_link.locator(".nav-count")).to_have_text("2")
    inbox_link.click()
    expect(editor.get_by_role("heading", name="Inbox: opmerkingen en voorstellen")).to_be_visible()
    group = editor.locator(f'[data-document="{slug}"]')
    expect(group.locator(".inbox-item")).to_have_count(2)
    newest, other = group.locator(".inbox-item").nth(0), group.locator(f"#reactie-{earlier_id}")
    expect(newest).to_contain_text("lampje oranje")  # newest first
    expect(newest.get_by_role("link", name="Overnemen in een bewerking")).to_have_attribute(
        "href", re.compile(rf"/artikel/{slug}/bewerken\?voorstel=\d+")
    )
    _shot(editor, "2-inbox")

    # Closing asks for a reason: the browser will not send an empty one.
    other.locator("summary", has_text="Sluiten").click()
    reason = other.get_by_label("Reden (de schrijver leest dit)")
    expect(reason).to_be_visible()
    other.get_by_role("button", name="Sluiten met deze reden").click()
    expect(editor).to_have_url(re.compile(r"/inbox$"))
    expect(reason).to_be_visible()  # still open, nothing sent
    reason.fill("Een foto veroudert snel; we beschrijven de knop in stap 1.")
    _shot(editor, "3-close-form")
    other.get_by_role("button", name="Sluiten met deze reden").click()
    expect(editor.get_by_text("Gesloten. De schrijver ziet uw reden")).to_be_visible()
    expect(group.locator(".inbox-item")).to_have_count(1)
    expect(editor.locator("header nav .nav-count")).to_have_text("1")

    # On the article: owner and verify-by date in the editor bar.
    group.get_by_role("link", name="Modem resetten").click()
    bar = editor.locator("#redactie")
    expect(bar).to_contain_text("Eigenaar: Eva Redacteur")
    expect(bar).to_contain_text("Geen controledatum")
    bar.locator("summary", has_text="Eigenaar of datum wijzigen").click()
    bar.get_by_label("Controleren vóór").fill("2030-03-01")
    bar.get_by_role("button", name="Opslaan").click()
    expect(editor.get_by_text("Eigenaar en controledatum opgeslagen.")).to_be_visible()
    expect(editor.locator("#redactie")).to_contain_text("Controleren vóór 1 maart 2030")
    _shot(editor, "4-editor-bar")

    agent.goto(f"/artikel/{slug}")
    closed = agent.locator(f"#reactie-{earlier_id}")
    expect(closed.locator(".comment-status")).to_have_text(
        "Status: gesloten door Eva Redacteur: "
        "Een foto veroudert snel; we beschrijven de knop in stap 1."
    )
    expect(mine.locator(".comment-status")).to_have_text("Status: open")
    expect(agent.locator("#reacties")).not_to_contain_text("Sluiten")
    _shot(agent, "5-agent-outcome")
    agent.locator("header nav").get_by_role("link", name="Mijn voorstellen").click()
    expect(agent.locator(".my-counts")).to_have_text("1 open · 0 overgenomen · 1 gesloten")
    items = agent.locator(".my-suggestions li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("Status: open")
    expect(items.nth(1)).to_contain_text("gesloten door Eva Redacteur")
    _shot(agent, "6-my-suggestions")
