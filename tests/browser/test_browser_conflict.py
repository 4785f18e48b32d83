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


def _two_editors(new_context, make_person, log_in, slug, body=BASE):
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
        expect(page.locator("textarea[name=body]")).to_have_value(body)
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


LONG = (
    "Werkt uw internet daarna nog steeds niet, dan kan er een storing in uw buurt zijn. Kijk "
    "op de storingspagina of er iets bekend is, en bel ons pas als daar niets staat."
)


def _demo_editor_was_here(app, make_person, slug):
    """A third editor opened this editor three minutes ago and is still there."""
    from datetime import timedelta

    from kb.auth.models import User
    from kb.db import utcnow
    from kb.documents import presence
    from kb.documents.models import Document
    from kb.extensions import db

    demo = make_person("editor", "Demo editor")
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        user = db.session.get(User, demo.id)
        presence.report(doc, user, now=utcnow() - timedelta(minutes=3, seconds=10))
        presence.report(doc, user, now=utcnow() - timedelta(seconds=30))


def test_one_paragraph_and_the_metadata_merge_when_the_edits_touch_different_words(
    new_context, make_person, make_document, log_in, app
):
    make_document("Storing melden", "Meld een storing.", category="storingen")
    body = f"{BASE}\n\n{LONG}"
    slug = make_document("Modem resetten", body, category="internet", tags=["modem"])
    _, _, page_a, page_b = _two_editors(new_context, make_person, log_in, slug, body)
    _demo_editor_was_here(app, make_person, slug)

    # Anna: the paragraph's first words, the category and who may read it.
    page_a.locator("textarea[name=body]").fill(body.replace("Werkt uw", "Doet uw"))
    page_a.get_by_label("Categorie", exact=True).select_option("storingen")
    page_a.get_by_label("Zichtbaar voor").select_option("internal")
    page_a.get_by_label("Wat is er veranderd?").fill("Storingen")
    page_a.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page_a.get_by_text("Opgeslagen als revisie 2.")).to_be_visible()

    # Bram: the same paragraph's last words, the title and the tags.
    page_b.get_by_label("Titel").fill("Modem herstarten")
    page_b.get_by_label("Tags (komma's ertussen)").fill("modem, wifi")
    assert (
        _save(page_b, slug, body.replace("bel ons pas", "bel de storingslijn pas"), "Lijn") == 409
    )
    expect(page_b.locator("#merge-status")).to_contain_text("overlappen niet")
    # Anna is done (she saved); the third editor still has it open.
    expect(page_b.locator("#presence")).to_have_text(
        "Ook bezig met dit document: Demo editor (sinds 3 min)"
    )
    merged = page_b.locator(".merge .m-block.m-merged")
    expect(merged).to_have_count(1)
    expect(page_b.locator(".m-legend")).to_contain_text(
        "door u allebei gewijzigd, op andere woorden: samengevoegd"
    )
    expect(merged.locator(".m-label")).to_contain_text("Door u allebei gewijzigd")
    expect(merged.locator("ins.m-w-theirs")).to_have_text("Doet")
    expect(merged.locator("ins.m-w-theirs")).to_have_attribute(
        "title", "gewijzigd door Anna de Vries"
    )
    expect(merged.locator("ins.m-w-mine")).to_have_text("de storingslijn")
    expect(merged.locator("ins.m-w-mine")).to_have_attribute("title", "uw wijziging")
    fields = page_b.locator("#merge-fields")
    for name, value, whose in (
        ("Titel", "Modem herstarten", "van u"),
        ("Categorie", "storingen", "van Anna de Vries"),
        ("Zichtbaar voor", "Intern (medewerkers)", "van Anna de Vries"),
        ("Tags", "modem, wifi", "van u"),
    ):
        row = fields.locator("tr", has=page_b.get_by_role("rowheader", name=name, exact=True))
        expect(row.locator("td").last).to_have_text(f"{value} {whose}")
    expect(page_b.locator("input[type=radio]")).to_have_count(0)
    # Overwriting is there, but folded away and never the default.
    expect(page_b.get_by_role("button", name="Overschrijf hun wijziging")).to_be_hidden()

    page_b.get_by_role("button", name="Samengevoegd opslaan").click()
    expect(page_b.get_by_text("Opgeslagen als revisie 3.")).to_be_visible()
    number, revisions = _documents(app, slug)
    assert number == 3
    assert revisions[2][1] == body.replace("Werkt uw", "Doet uw").replace(
        "bel ons pas", "bel de storingslijn pas"
    )
    from kb.documents.models import Document
    from kb.extensions import db

    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        meta = doc.current.meta
        assert doc.current.title == "Modem herstarten"
        assert (meta["category"], meta["audience"], meta["tags"]) == (
            "storingen",
            "internal",
            ["modem", "wifi"],
        )


def test_overwriting_a_colleagues_change_is_a_choice_of_its_own_and_is_recorded(
    new_context, make_person, make_document, log_in, app
):
    slug = make_document("Modem resetten", BASE, category="internet")
    _, _, page_a, page_b = _two_editors(new_context, make_person, log_in, slug)
    _save(page_a, slug, ANNA_HEADING, "Duidelijker kop")
    expect(page_a.get_by_text("Opgeslagen als revisie 2.")).to_be_visible()
    assert _save(page_b, slug, BRAM_PARAGRAPH, "Lampje") == 409

    page_b.get_by_text("Andere mogelijkheden: uw tekst opslaan zonder de wijziging van").click()
    expect(page_b.locator("#other-options")).to_contain_text(
        "De wijziging van Anna de Vries (revisie 2) wordt dan ongedaan gemaakt"
    )
    page_b.get_by_role("button", name="Overschrijf hun wijziging").click()
    expect(page_b.get_by_text("Opgeslagen als revisie 3.")).to_be_visible()
    page_b.locator(".editor-bar").get_by_role("link", name="Geschiedenis").click()
    expect(page_b.locator("table.history tbody tr").nth(0)).to_contain_text(
        "Lampje (overschreef de wijziging van Anna de Vries (revisie 2))"
    )
    assert _documents(app, slug)[1][2][1] == BRAM_PARAGRAPH


def test_a_closed_merge_page_loses_nothing(new_context, make_person, make_document, log_in, app):
    """Bram's save meets the merge page and he closes the tab. Back in the editor his text is
    offered; put back, it is merged with Anna's change again and saved with one click."""
    slug = make_document("Modem resetten", BASE, category="internet")
    _, _, page_a, page_b = _two_editors(new_context, make_person, log_in, slug)
    _save(page_a, slug, ANNA_HEADING, "Duidelijker kop")
    expect(page_a.get_by_text("Opgeslagen als revisie 2.")).to_be_visible()
    assert _save(page_b, slug, BRAM_PARAGRAPH, "Lampje") == 409
    expect(page_b.locator("#merge-status")).to_be_visible()
    context = page_b.context
    page_b.close(run_before_unload=False)

    page = context.new_page()
    page.goto(f"/artikel/{slug}/bewerken")
    body = page.locator("textarea[name=body]")
    expect(body).to_have_value(ANNA_HEADING)  # the editor starts from the newest revision
    offer = page.locator("#draft-offer")
    expect(offer).to_contain_text("Die begon bij revisie 1; het document staat nu op revisie 2")
    offer.get_by_role("button", name="Terugzetten").click()
    expect(body).to_have_value(BRAM_PARAGRAPH)
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.locator("#merge-status")).to_contain_text("overlappen niet")
    page.get_by_role("button", name="Samengevoegd opslaan").click()
    expect(page.get_by_text("Opgeslagen als revisie 3.")).to_be_visible()
    assert _documents(app, slug)[1][2][1] == BOTH
    page.goto(f"/artikel/{slug}/bewerken")
    expect(page.locator("#draft-offer")).to_be_hidden()
