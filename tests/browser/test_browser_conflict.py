"""Two editors, two real browser sessions, one document: the second save meets a conflict page,
keeps its text, merges and saves. Runs on SQLite and PostgreSQL through the `app` fixture."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BASE = """Zet de modem uit.
Wacht tien seconden.
Zet de modem weer aan."""

ANNA = """Zet de modem uit.
Wacht dertig seconden.
Zet de modem weer aan."""

BRAM = """Zet de modem uit.
Wacht tien seconden.
Zet de modem weer aan en wacht tot het lampje groen brandt."""

MERGED = """Zet de modem uit.
Wacht dertig seconden.
Zet de modem weer aan en wacht tot het lampje groen brandt."""


def test_second_editor_meets_conflict_keeps_text_and_merges(
    new_context, make_person, make_document, log_in, app
):
    slug = make_document("Modem resetten", BASE, category="internet")
    anna = make_person("editor", "Anna de Vries")
    bram = make_person("editor", "Bram Jansen")
    page_a = log_in(new_context().new_page(), anna)
    page_b = log_in(new_context().new_page(), bram)

    for page in (page_a, page_b):
        page.goto(f"/artikel/{slug}/bewerken")
        expect(page.get_by_text("U bewerkt revisie 1.")).to_be_visible()
        expect(page.locator("textarea[name=body]")).to_have_value(BASE)

    page_a.locator("textarea[name=body]").fill(ANNA)
    page_a.get_by_label("Wat is er veranderd?").fill("Langer wachten")
    page_a.get_by_role("button", name="Opslaan").click()
    expect(page_a).to_have_url(re.compile(rf"/artikel/{slug}$"))
    expect(page_a.get_by_text("Opgeslagen als revisie 2.")).to_be_visible()

    # Bram still edits revision 1 and saves his own change.
    page_b.locator("textarea[name=body]").fill(BRAM)
    page_b.get_by_label("Wat is er veranderd?").fill("Lampje toegevoegd")
    with page_b.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(f"/artikel/{slug}/bewerken")
    ) as saved:
        page_b.get_by_role("button", name="Opslaan").click()
    assert saved.value.status == 409
    expect(page_b.get_by_role("heading", level=1)).to_have_text(
        "Iemand anders heeft dit document intussen gewijzigd"
    )
    expect(page_b.locator("#conflict")).to_contain_text(
        "U begon bij revisie 1, maar het document staat nu op revisie 2 (Anna de Vries)"
    )
    their_change = page_b.locator("#their-change")
    expect(their_change.locator(".ddel")).to_have_text(["-Wacht tien seconden."])
    expect(their_change.locator(".dadd")).to_have_text(["+Wacht dertig seconden."])
    expect(page_b.locator("#their-text")).to_have_text(ANNA)
    # Bram's own text is not lost: it is still in the textarea, unchanged.
    body_b = page_b.locator("textarea[name=body]")
    expect(body_b).to_have_value(BRAM)
    expect(page_b.get_by_label("Wat is er veranderd?")).to_have_value("Lampje toegevoegd")

    body_b.fill(MERGED)
    page_b.get_by_role("button", name="Samengevoegd opslaan").click()
    expect(page_b).to_have_url(re.compile(rf"/artikel/{slug}$"))
    expect(page_b.get_by_text("Opgeslagen als revisie 3.")).to_be_visible()
    expect(page_b.locator(".editor-bar")).to_contain_text("Revisie 3")
    expect(page_b.locator("article")).to_contain_text("Wacht dertig seconden.")
    expect(page_b.locator("article")).to_contain_text("lampje groen brandt")

    page_b.locator(".editor-bar").get_by_role("link", name="Geschiedenis").click()
    rows = page_b.locator("table.history tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_have_attribute("data-revision", "3")
    expect(rows.nth(0)).to_contain_text("Bram Jansen")
    expect(rows.nth(0)).to_contain_text("Lampje toegevoegd")
    expect(rows.nth(1)).to_have_attribute("data-revision", "2")
    expect(rows.nth(1)).to_contain_text("Anna de Vries")
    expect(rows.nth(1)).to_contain_text("Langer wachten")
    expect(rows.nth(2)).to_have_attribute("data-revision", "1")

    # Anna, reloading her page, sees the merged text too.
    page_a.reload()
    expect(page_a.locator("article")).to_contain_text("lampje groen brandt")

    with app.app_context():
        from kb.documents.models import Document
        from kb.extensions import db

        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        assert doc.current_number == 3
        assert [r.author_id for r in doc.revisions] == [None, anna.id, bram.id]
        assert doc.revision(3).body == MERGED
