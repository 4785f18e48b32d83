"""An editor's screens in a browser: the category picker with "Nieuwe categorie…", the channel
shown only for scripts, the document list's filters and pages, a new document's local copy
offered back after a closed tab, and a suggestion beside the editor."""

import re

import pytest
from playwright.sync_api import expect

from kb.documents.models import Document
from kb.extensions import db

pytestmark = pytest.mark.browser

NEW_KEY = "kb:nieuw-document"


def stored_document(app, slug: str) -> Document | None:
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        if doc is not None:
            db.session.expunge(doc)
        return doc


def test_category_picker_with_a_new_category(page, make_user, make_document, log_in, app):
    make_document("Factuur betalen", category="facturen")
    log_in(page, make_user("editor"))
    page.get_by_role("link", name="Nieuw document").click()
    category = page.get_by_label("Categorie", exact=True)
    new_name = page.get_by_label("Nieuwe categorie")
    expect(category.locator("option")).to_have_text(
        ["— geen categorie —", "Facturen (facturen)", "Nieuwe categorie…"]
    )
    expect(new_name).to_be_hidden()

    # "Nieuwe categorie…" without a name: the server says what is missing.
    page.get_by_label("Titel").fill("Glasvezel aansluiten")
    category.select_option(label="Nieuwe categorie…")
    expect(new_name).to_be_visible()
    expect(new_name).to_be_focused()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Vul de naam van de nieuwe categorie in.")).to_be_visible()
    expect(page.get_by_label("Nieuwe categorie")).to_be_visible()
    expect(page.get_by_label("Titel")).to_have_value("Glasvezel aansluiten")

    # Typed, then changed their mind: an existing category, the typed name is not sent.
    page.get_by_label("Nieuwe categorie").fill("glasvezel")
    page.get_by_label("Categorie", exact=True).select_option("facturen")
    expect(page.get_by_label("Nieuwe categorie")).to_be_hidden()
    page.get_by_label("Categorie", exact=True).select_option("nieuw")
    expect(page.get_by_label("Nieuwe categorie")).to_have_value("glasvezel")
    page.get_by_role("button", name="Opslaan").click()
    expect(page).to_have_url(re.compile(r"/artikel/glasvezel-aansluiten$"))
    assert stored_document(app, "glasvezel-aansluiten").category == "glasvezel"

    # The new category is a choice from now on.
    page.goto("/documenten/nieuw")
    expect(page.get_by_label("Categorie", exact=True).locator("option")).to_contain_text(
        ["Glasvezel (glasvezel)"]
    )


def test_channel_only_for_scripts(page, make_user, log_in, app):
    log_in(page, make_user("editor"))
    page.goto("/documenten/nieuw")
    channel = page.get_by_label("Kanaal (alleen scripts)")
    audience = page.get_by_label("Zichtbaar voor")
    expect(channel).to_be_hidden()
    expect(audience).to_be_visible()

    page.get_by_label("Soort").select_option(label="Script")
    expect(channel).to_be_visible()
    expect(audience).to_be_hidden()
    expect(page.get_by_text("Scripts zijn altijd intern")).to_be_visible()
    channel.select_option(label="Chat")

    # Back to an article: the chosen channel goes with the hidden field, nothing is refused.
    page.get_by_label("Soort").select_option(label="Artikel")
    expect(channel).to_be_hidden()
    page.get_by_label("Titel").fill("Wifi instellen")
    page.get_by_role("button", name="Opslaan").click()
    expect(page).to_have_url(re.compile(r"/artikel/wifi-instellen$"))
    doc = stored_document(app, "wifi-instellen")
    assert (doc.kind, doc.channel) == ("article", None)

    # A script: the channel counts, the audience is internal.
    page.goto("/documenten/nieuw")
    page.get_by_label("Soort").select_option(label="Script")
    page.get_by_label("Titel").fill("Chat begroeting")
    page.get_by_label("Kanaal (alleen scripts)").select_option(label="Chat")
    page.get_by_role("button", name="Opslaan").click()
    expect(page).to_have_url(re.compile(r"/artikel/chat-begroeting$"))
    doc = stored_document(app, "chat-begroeting")
    assert (doc.kind, doc.channel, doc.audience) == ("script", "chat", "internal")

    # Editing shows the channel for the script, not for the article.
    page.goto("/artikel/chat-begroeting/bewerken")
    expect(page.get_by_label("Kanaal (alleen scripts)")).to_be_visible()
    expect(page.get_by_label("Zichtbaar voor")).to_have_count(0)
    page.goto("/artikel/wifi-instellen/bewerken")
    expect(page.get_by_label("Kanaal (alleen scripts)")).to_have_count(0)
    expect(page.get_by_label("Zichtbaar voor")).to_be_visible()


def test_document_list_filters_and_pages(page, make_user, make_document, log_in):
    for n in range(28):
        make_document(f"Storing {n:02d}", category="storingen", publish=n % 2 == 0)
    make_document("Factuur betalen", category="facturen")
    log_in(page, make_user("editor"))
    page.get_by_role("link", name="Documenten", exact=True).click()
    expect(page.locator("#doc-count")).to_contain_text("29 documenten")

    page.get_by_label("Zoek op titel of slug").fill("storing")
    page.get_by_label("Categorie").select_option("storingen")
    page.get_by_label("Status").select_option(label="Concept")
    page.get_by_label("Sorteren op").select_option(label="Titel")
    page.get_by_role("button", name="Filteren").click()
    expect(page.locator("#doc-count")).to_contain_text("14 documenten")
    titles = page.locator("table.documents tbody tr td:first-child > a")
    expect(titles).to_have_count(14)
    expect(titles.first).to_have_text("Storing 01")

    # Sorted by title, 25 a page: all drafts fit on one page; widen to every status.
    page.get_by_label("Status").select_option("")
    page.get_by_role("button", name="Filteren").click()
    expect(page.locator("#doc-count")).to_contain_text("28 documenten · pagina 1 van 2")
    expect(titles).to_have_count(25)
    page.get_by_role("link", name="Volgende").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(titles).to_have_text(["Storing 25", "Storing 26", "Storing 27"])
    # The filters came along.
    expect(page.get_by_label("Zoek op titel of slug")).to_have_value("storing")
    expect(page.get_by_label("Categorie")).to_have_value("storingen")
    expect(page.get_by_label("Sorteren op")).to_have_value("titel")
    page.get_by_role("link", name="Vorige").click()
    expect(titles.first).to_have_text("Storing 00")

    # Nothing found: said plainly, with a way back to everything.
    page.get_by_label("Zoek op titel of slug").fill("bestaat niet")
    page.get_by_role("button", name="Filteren").click()
    expect(page.get_by_text("Geen documenten gevonden.")).to_be_visible()
    page.get_by_role("link", name="Alle filters wissen").click()
    expect(page.locator("#doc-count")).to_contain_text("29 documenten")
    expect(page.get_by_label("Zoek op titel of slug")).to_have_value("")


def test_new_document_copy_is_offered_after_a_closed_tab(new_context, make_user, log_in, app):
    context = new_context()
    page = context.new_page()
    log_in(page, make_user("editor"))
    page.goto("/documenten/nieuw")
    page.get_by_label("Titel").fill("Storing op glasvezel")
    page.get_by_label("Soort").select_option(label="Script")
    page.get_by_label("Kanaal (alleen scripts)").select_option(label="Telefoon")
    page.get_by_label("Categorie", exact=True).select_option("nieuw")
    page.get_by_label("Nieuwe categorie").fill("glasvezel")
    page.locator("textarea[name=body]").fill("Vraag naar de **postcode**.")
    page.wait_for_function(
        "key => (JSON.parse(localStorage.getItem(key) || 'null') || {values: {}})"
        ".values.body === 'Vraag naar de **postcode**.'",
        arg=NEW_KEY,
    )
    # Leaving with unsaved work asks first (here: the person answers "leave").
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", on_dialog)
    page.get_by_role("link", name="Annuleren").click()
    expect(page).to_have_url(re.compile(r"/documenten$"))
    assert dialogs == ["beforeunload"]
    page.close()  # the tab is closed; nothing was saved

    page = context.new_page()
    page.goto("/documenten/nieuw")
    offer = page.locator("#draft-offer")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("Storing op glasvezel")
    # Offered, never applied by itself.
    expect(page.get_by_label("Titel")).to_have_value("")
    expect(page.locator("textarea[name=body]")).to_have_value("")
    offer.get_by_role("button", name="Terugzetten").click()
    expect(offer).to_be_hidden()
    expect(page.get_by_label("Titel")).to_have_value("Storing op glasvezel")
    expect(page.get_by_label("Soort")).to_have_value("script")
    expect(page.get_by_label("Kanaal (alleen scripts)")).to_be_visible()
    expect(page.get_by_label("Kanaal (alleen scripts)")).to_have_value("phone")
    expect(page.get_by_label("Nieuwe categorie")).to_have_value("glasvezel")
    expect(page.locator("textarea[name=body]")).to_have_value("Vraag naar de **postcode**.")
    expect(page.locator("#preview strong")).to_have_text("postcode")

    page.get_by_role("button", name="Opslaan").click()
    expect(page).to_have_url(re.compile(r"/artikel/storing-op-glasvezel$"))
    doc = stored_document(app, "storing-op-glasvezel")
    assert (doc.kind, doc.channel, doc.category) == ("script", "phone", "glasvezel")
    # Saved: the copy is gone, nothing is offered any more.
    page.wait_for_function("key => localStorage.getItem(key) === null", arg=NEW_KEY)
    page.goto("/documenten/nieuw")
    expect(page.get_by_label("Titel")).to_be_visible()
    expect(page.locator("#draft-offer")).to_be_hidden()


def test_new_document_copy_can_be_thrown_away(new_context, make_user, log_in):
    context = new_context()
    page = context.new_page()
    log_in(page, make_user("editor"))
    page.goto("/documenten/nieuw")
    page.get_by_label("Titel").fill("Weg ermee")
    page.wait_for_function("key => localStorage.getItem(key) !== null", arg=NEW_KEY)
    page.close()
    page = context.new_page()
    page.goto("/documenten/nieuw")
    page.locator("#draft-offer").get_by_role("button", name="Weggooien").click()
    expect(page.locator("#draft-offer")).to_be_hidden()
    expect(page.get_by_label("Titel")).to_have_value("")
    page.reload()
    expect(page.get_by_label("Titel")).to_be_visible()
    expect(page.locator("#draft-offer")).to_be_hidden()


def test_suggestion_beside_the_editor_is_accepted_on_save(
    page, make_person, make_document, log_in, app
):
    from kb.auth.models import User
    from kb.feedback import service
    from kb.feedback.models import Comment
    from kb.feedback.schemas import CommentCreate

    slug = make_document("Storing melden", "Bel ons.", category="storingen")
    agent = make_person("agent", "Anouk de Vries")
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        comment = service.add_comment(
            doc,
            db.session.get(User, agent.id),
            CommentCreate(kind="suggestion", body="Noem ook het storingsnummer 0800-1234568."),
        )
        comment_id = comment.id
    log_in(page, make_person("editor", "Eva Jansen"))
    page.goto(f"/artikel/{slug}/bewerken?voorstel={comment_id}")
    panel = page.get_by_role("complementary", name="Voorstel dat u overneemt")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Anouk de Vries")
    expect(panel).to_contain_text("Noem ook het storingsnummer 0800-1234568.")
    # Beside the text being edited, not below it.
    source = page.locator("textarea[name=body]").bounding_box()
    box = panel.bounding_box()
    assert source and box and box["x"] > source["x"] + source["width"] - 1

    page.locator("textarea[name=body]").fill("Bel ons: 0800-1234568.")
    page.get_by_role("button", name="Opslaan").click()
    expect(page).to_have_url(re.compile(rf"/artikel/{slug}$"))
    expect(
        page.get_by_text("Het voorstel van Anouk de Vries is overgenomen in revisie 2.")
    ).to_be_visible()
    with app.app_context():
        stored = db.session.get(Comment, comment_id)
        assert (stored.status, stored.accepted_revision) == ("accepted", 2)
