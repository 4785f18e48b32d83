"""Two editors, two real browser sessions, one document. The second save meets the merge page:
edits that do not overlap are saved with one click keeping both; overlapping ones wait for a
choice per block. And a closed tab's unsaved text is offered back. Runs on SQLite and
PostgreSQL through the `app` fixture."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BASE = """# Modem resetten

Zet de modem uit.
Wacht tien seconden.
Zet de modem weer aan."""

# Anna changes the heading; Bram adds a paragraph at the end: no overlap.
ANNA_HEADING = BASE.replace("# Modem resetten", "# De modem opnieuw opstarten")
BRAM_PARAGRAPH = BASE + "\n\nBrandt het lampje na twee minuten nog rood? Bel de storingslijn."
BOTH = ANNA_HEADING + "\n\nBrandt het lampje na twee minuten nog rood? Bel de storingslijn."


def _documents(app, slug):
    from kb.documents.models import Document
    from kb.extensions import db

    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        return doc.current_number, [(r.author_id, r.body, r.message) for r in doc.revisions]


def _two_editors(new_context, make_person, log_in, slug):
    anna = make_person("editor", "Anna de Vries")
    bram = make_person("editor", "Bram Jansen")
    page_a = log_in(new_context().new_page(), anna)
    page_b = log_in(new_context().new_page(), bram)
    page_a.goto(f"/artikel/{slug}/bewerken")
    expect(page_a.get_by_text("U bewerkt revisie 1.")).to_be_visible()
    # Anna's editor has reported in; Bram opening the same editor sees her there.
    expect(page_a.locator("#presence")).to_be_hidden()
    page_b.goto(f"/artikel/{slug}/bewerken")
    expect(page_b.locator("#presence")).to_have_text(
        re.compile(
            r"^Ook bezig met dit document: Anna de Vries \((zojuist begonnen|sinds \d+ min)\)$"
        )
    )
    for page in (page_a, page_b):
        expect(page.locator("textarea[name=body]")).to_have_value(BASE)
    return anna, bram, page_a, page_b


def _save(page, slug, body, message):
    page.locator("textarea[name=body]").fill(body)
    page.get_by_label("Wat is er veranderd?").fill(message)
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(f"/artikel/{slug}/bewerken")
    ) as saved:
        page.get_by_role("button", name="Opslaan", exact=True).click()
    return saved.value.status


def test_edits_that_do_not_overlap_are_merged_and_saved_with_one_click(
    new_context, make_person, make_document, log_in, app
):
    slug = make_document("Modem resetten", BASE, category="internet")
    anna, bram, page_a, page_b = _two_editors(new_context, make_person, log_in, slug)

    assert _save(page_a, slug, ANNA_HEADING, "Duidelijker kop") in (302, 303, 200)
    expect(page_a.get_by_text("Opgeslagen als revisie 2.")).to_be_visible()

    # Bram still edits revision 1: his save meets the merge page, with both changes in it.
    assert _save(page_b, slug, BRAM_PARAGRAPH, "Lampje toegevoegd") == 409
    expect(page_b.get_by_role("heading", level=1)).to_have_text(
        "Iemand anders heeft dit document intussen gewijzigd"
    )
    expect(page_b.locator("#conflict")).to_contain_text(
        "U begon bij revisie 1, maar het document staat nu op revisie 2 (Anna de Vries)"
    )
    expect(page_b.locator("#merge-status")).to_contain_text("overlappen niet")
    theirs = page_b.locator(".merge .m-block.m-theirs")
    expect(theirs).to_have_count(1)
    expect(theirs.locator(".m-label")).to_have_text("Gewijzigd door Anna de Vries")
    expect(theirs.locator("del")).to_have_text("# Modem resetten")
    expect(theirs.locator("ins")).to_have_text("# De modem opnieuw opstarten")
    mine = page_b.locator(".merge .m-block.m-mine")
    expect(mine.locator(".m-label")).to_have_text("Uw wijziging")
    expect(mine.locator("ins")).to_contain_text("Bel de storingslijn.")
    expect(page_b.locator("input[type=radio]")).to_have_count(0)
    expect(page_b.get_by_label("Wat is er veranderd?")).to_have_value("Lampje toegevoegd")

    # One click.
    page_b.get_by_role("button", name="Samengevoegd opslaan").click()
    expect(page_b).to_have_url(re.compile(rf"/artikel/{slug}$"))
    expect(page_b.get_by_text("Opgeslagen als revisie 3.")).to_be_visible()
    article = page_b.locator("article")
    expect(article).to_contain_text("De modem opnieuw opstarten")  # Anna's heading stays
    expect(article).to_contain_text("Bel de storingslijn.")  # and Bram's paragraph is there

    page_b.locator(".editor-bar").get_by_role("link", name="Geschiedenis").click()
    rows = page_b.locator("table.history tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Bram Jansen")
    expect(rows.nth(0)).to_contain_text(
        "Lampje toegevoegd (samengevoegd met revisie 2 van Anna de Vries)"
    )
    expect(rows.nth(1)).to_contain_text("Anna de Vries")

    page_a.reload()
    expect(page_a.locator("article")).to_contain_text("Bel de storingslijn.")
    number, revisions = _documents(app, slug)
    assert number == 3
    assert [r[0] for r in revisions] == [None, anna.id, bram.id]
    assert revisions[2][1] == BOTH


def test_overlapping_edits_wait_for_a_choice_per_block(
    new_context, make_person, make_document, log_in, app
):
    slug = make_document("Modem resetten", BASE, category="internet")
    _, _, page_a, page_b = _two_editors(new_context, make_person, log_in, slug)
    _save(page_a, slug, BASE.replace("tien", "dertig"), "Langer wachten")
    expect(page_a.get_by_text("Opgeslagen als revisie 2.")).to_be_visible()
    assert _save(page_b, slug, BRAM_PARAGRAPH.replace("tien", "twintig"), "Lampje") == 409

    expect(page_b.locator("#merge-status")).to_contain_text("hetzelfde stuk gewijzigd")
    block = page_b.locator("fieldset#blok-0")
    expect(block.locator(".m-side.m-mine")).to_contain_text("Wacht twintig seconden.")
    expect(block.locator(".m-side.m-theirs")).to_contain_text("Wacht dertig seconden.")
    expect(block.locator(".m-side.m-theirs h3")).to_have_text("Versie van Anna de Vries")
    expect(page_b.locator("#merge-count")).to_have_text("Nog 1 keuze(s) te maken.")
    # His paragraph, which overlaps nothing, is already in.
    expect(page_b.locator(".merge .m-block.m-mine")).to_contain_text("Bel de storingslijn.")

    # Saving before choosing is refused: nothing saved, nothing lost.
    with page_b.expect_response(lambda r: r.url.endswith("/samenvoegen")) as refused:
        page_b.get_by_role("button", name="Samengevoegd opslaan").click()
    assert refused.value.status == 422
    expect(page_b.locator("#merge-error")).to_contain_text("kies eerst bij elk gemarkeerd blok")
    expect(page_b.locator("fieldset#blok-0 .error")).to_have_text("Kies welke versie blijft.")
    assert _documents(app, slug)[0] == 2

    page_b.locator("fieldset#blok-0").get_by_role("radio", name=re.compile("beide")).check()
    expect(page_b.locator("#merge-count")).to_have_text("Alle keuzes gemaakt.")
    expect(page_b.locator("fieldset#blok-0")).to_have_class(re.compile("m-decided"))
    page_b.get_by_role("button", name="Samengevoegd opslaan").click()
    expect(page_b.get_by_text("Opgeslagen als revisie 3.")).to_be_visible()
    number, revisions = _documents(app, slug)
    assert number == 3
    assert revisions[2][1] == (
        "# Modem resetten\n\nZet de modem uit.\nWacht dertig seconden.\nWacht twintig seconden."
        "\nZet de modem weer aan.\n\nBrandt het lampje na twee minuten nog rood? "
        "Bel de storingslijn."
    )


def test_unsaved_text_is_offered_back_after_a_closed_tab(
    new_context, make_person, make_document, log_in, app
):
    slug = make_document("Modem resetten", BASE, category="internet")
    context = new_context()
    log_in(context.new_page(), make_person("editor", "Anna de Vries"))
    page = context.new_page()
    page.goto(f"/artikel/{slug}/bewerken")
    expect(page.locator("#draft-offer")).to_be_hidden()
    page.locator("textarea[name=body]").fill(BRAM_PARAGRAPH)
    page.wait_for_function(
        "s => Object.keys(localStorage).some(k => k.startsWith('kb:concept:' + s + ':'))", arg=slug
    )
    # Leaving with unsaved text asks first.
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", on_dialog)
    page.get_by_role("link", name="Annuleren").click()
    expect(page).to_have_url(re.compile(rf"/artikel/{slug}$"))
    assert dialogs == ["beforeunload"]
    page.close()

    # A new tab: the editor shows the saved text, and offers the local copy; it applies nothing.
    page = context.new_page()
    page.goto(f"/artikel/{slug}/bewerken")
    offer = page.locator("#draft-offer")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("niet-opgeslagen versie van dit document")
    body = page.locator("textarea[name=body]")
    expect(body).to_have_value(BASE)
    offer.get_by_role("button", name="Terugzetten").click()
    expect(body).to_have_value(BRAM_PARAGRAPH)
    expect(offer).to_be_hidden()
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_text("Opgeslagen als revisie 2.")).to_be_visible()
    expect(page.locator("article")).to_contain_text("Bel de storingslijn.")
    # Saved: the local copy is gone, and the editor offers nothing any more.
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('kb:concept:'))") == []
    page.goto(f"/artikel/{slug}/bewerken")
    expect(page.locator("textarea[name=body]")).to_have_value(BRAM_PARAGRAPH)
    expect(page.locator("#draft-offer")).to_be_hidden()
    assert _documents(app, slug)[1][1][1] == BRAM_PARAGRAPH
