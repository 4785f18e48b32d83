"""An editor's whole document life: write with live preview, save, edit, publish, compare,
restore, unpublish and archive, with a customer checking what is visible along the way."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BODY_1 = """Meld een storing altijd **vet** en duidelijk.

| Kanaal | Nummer |
| --- | --- |
| Telefoon | 0800-1234568 |

Wij bellen u terug."""

BODY_2 = """Meld een storing altijd **vet** en duidelijk.

| Kanaal | Nummer |
| --- | --- |
| Telefoon | 0800-7654321 |

Wij bellen u binnen een uur terug."""


def status_bar(page):
    return page.locator(".editor-bar")


def test_editor_writes_publishes_compares_restores_and_archives(
    page, new_context, make_user, log_in, app
):
    editor = make_user("editor")
    log_in(page, editor)

    page.get_by_role("link", name="Nieuw document").click()
    expect(page).to_have_url(re.compile(r"/documenten/nieuw$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuw document")
    page.get_by_label("Titel").fill("Storing melden")
    page.get_by_label("Categorie", exact=True).select_option("nieuw")
    page.get_by_label("Nieuwe categorie").fill("storingen")
    page.locator("textarea[name=body]").fill(BODY_1)

    # The live preview renders the Markdown without saving anything.
    preview = page.locator("#preview")
    expect(preview.locator("table")).to_be_visible()
    expect(preview.locator("th").first).to_have_text("Kanaal")
    expect(preview.locator("td").nth(1)).to_have_text("0800-1234568")
    expect(preview.locator("strong")).to_have_text("vet")
    expect(page.locator("#preview-error")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/documenten/nieuw$"))
    with app.app_context():
        from kb.documents.models import Document
        from kb.extensions import db

        assert db.session.scalar(db.select(db.func.count(Document.id))) == 0

    page.get_by_role("button", name="Opslaan").click()
    expect(page).to_have_url(re.compile(r"/artikel/storing-melden$"))
    expect(
        page.get_by_role("status").filter(has_text="Concept opgeslagen als revisie 1.")
    ).to_be_visible()
    expect(status_bar(page).locator(".status")).to_have_text("Concept")
    expect(status_bar(page)).to_contain_text("Revisie 1")
    expect(page.locator("article table td").nth(1)).to_have_text("0800-1234568")

    # Edit: revision 2.
    status_bar(page).get_by_role("link", name="Bewerken").click()
    expect(page.get_by_text("U bewerkt revisie 1.")).to_be_visible()
    expect(page.locator("textarea[name=body]")).to_have_value(BODY_1)
    page.locator("textarea[name=body]").fill(BODY_2)
    expect(page.locator("#preview td").nth(1)).to_have_text("0800-7654321")
    page.get_by_label("Wat is er veranderd?").fill("Nieuw nummer en terugbeltijd")
    page.get_by_role("button", name="Opslaan").click()
    expect(page).to_have_url(re.compile(r"/artikel/storing-melden$"))
    expect(page.get_by_text("Opgeslagen als revisie 2.")).to_be_visible()
    expect(status_bar(page)).to_contain_text("Revisie 2")
    expect(status_bar(page).locator(".status")).to_have_text("Concept")

    # Publish: customers can read it now.
    status_bar(page).get_by_role("button", name="Publiceren", exact=True).click()
    expect(page.get_by_text("Revisie 2 is gepubliceerd.")).to_be_visible()
    expect(status_bar(page).locator(".status")).to_have_text("Gepubliceerd")
    expect(status_bar(page)).to_contain_text("gepubliceerd: revisie 2")
    customer = new_context().new_page()
    response = customer.goto("/artikel/storing-melden")
    assert response is not None and response.status == 200
    expect(customer.locator("article")).to_contain_text("0800-7654321")

    # History: compare revision 1 with 2.
    status_bar(page).get_by_role("link", name="Geschiedenis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Geschiedenis")
    rows = page.locator("table.history tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("data-revision", "2")
    expect(rows.nth(0)).to_contain_text("Nieuw nummer en terugbeltijd")
    page.get_by_label("van revisie 1").check()
    page.get_by_label("naar revisie 2").check()
    page.get_by_role("button", name="Vergelijk geselecteerde revisies").click()
    expect(page).to_have_url(re.compile(r"/vergelijk\?(?=.*\bvan=1(&|$))(?=.*\bnaar=2(&|$))"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Revisie 1 en 2 vergeleken")
    source = page.locator("#source-diff")
    expect(source.locator(".ddel")).to_contain_text(
        ["| Telefoon | 0800-1234568 |", "Wij bellen u terug."]
    )
    expect(source.locator(".dadd")).to_contain_text(
        ["| Telefoon | 0800-7654321 |", "Wij bellen u binnen een uur terug."]
    )
    expect(source).not_to_contain_text("-Meld een storing")
    rendered = page.locator("#rendered-diff")
    expect(rendered.locator("del").first).to_be_visible()
    expect(rendered.locator("del")).to_contain_text(["0800-1234568"])
    expect(rendered.locator("ins")).to_contain_text(["0800-7654321"])
    expect(rendered).to_contain_text("binnen een uur")

    # Restore revision 1 from its own page: revision 3 has revision 1's text.
    page.locator(".crumbs").get_by_role("link", name="Geschiedenis").click()
    revision_1 = page.locator("tr[data-revision='1']")
    revision_1.get_by_role("link", name="bekijken of terugzetten").click()
    expect(page.get_by_text("Revisie 1 van 2")).to_be_visible()
    revision_1_html = page.locator("article").inner_html()
    page.get_by_role("button", name="Deze revisie terugzetten").click()
    expect(page).to_have_url(re.compile(r"/artikel/storing-melden$"))
    expect(page.get_by_text("Revisie 1 is teruggezet als revisie 3.")).to_be_visible()
    expect(status_bar(page)).to_contain_text("Revisie 3")
    expect(status_bar(page)).to_contain_text("Er zijn niet-gepubliceerde wijzigingen.")
    expect(page.locator("article table td").nth(1)).to_have_text("0800-1234568")
    assert page.locator("article").inner_html() == revision_1_html
    page.goto("/artikel/storing-melden/revisie/3")
    expect(page.get_by_text("Revisie 3 van 3")).to_be_visible()
    assert page.locator("article").inner_html() == revision_1_html
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == "storing-melden"))
        assert doc.revision(3).body == doc.revision(1).body == BODY_1
        assert doc.revision(3).title == doc.revision(1).title == "Storing melden"
    # Customers still read the published revision 2 until someone publishes revision 3.
    customer.reload()
    expect(customer.locator("article")).to_contain_text("0800-7654321")

    # Unpublish: a draft again, gone for customers.
    page.goto("/artikel/storing-melden")
    status_bar(page).get_by_role("button", name="Depubliceren").click()
    expect(page.get_by_text("Het document is weer een concept.")).to_be_visible()
    expect(status_bar(page).locator(".status")).to_have_text("Concept")
    response = customer.reload()
    assert response is not None and response.status == 404

    # Archive: kept for editors, a 404 for everyone else.
    # Archiving asks first (a confirmation under the button).
    status_bar(page).get_by_text("Archiveren…").click()
    status_bar(page).get_by_role("button", name="Ja, archiveren").click()
    expect(page.get_by_text("Het document is gearchiveerd.")).to_be_visible()
    expect(status_bar(page).locator(".status")).to_have_text("Gearchiveerd")
    expect(status_bar(page).get_by_text("Archiveren…")).to_have_count(0)

    anonymous = new_context().new_page()
    response = anonymous.goto("/artikel/storing-melden")
    assert response is not None and response.status == 404
    expect(anonymous.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")
    expect(anonymous.locator("main")).not_to_contain_text("0800-1234568")


HOSTILE = """**Gewone tekst** en een verwijzing naar [[factuur-betalen]] en [[bestaat-nog-niet]].

<script>document.title = "gehackt"</script>
<img src="x" onerror="document.title = 'gehackt'">

[Klik hier](javascript:document.title='gehackt')

<a href="https://example.test/" onclick="document.title = 'gehackt'">Veilige link</a>
"""


def test_preview_and_saved_page_run_no_script_from_markdown(
    page, new_context, make_user, make_document, log_in
):
    make_document("Factuur betalen", "Betaal op tijd.", category="facturen")
    editor = make_user("editor")
    log_in(page, editor)
    page.goto("/documenten/nieuw")
    page.get_by_label("Titel").fill("Vijandige tekst")
    page.locator("textarea[name=body]").fill(HOSTILE)

    preview = page.locator("#preview")
    expect(preview.locator("strong")).to_have_text("Gewone tekst")
    # Wiki links: an existing article by its title, a missing one offered for creation.
    expect(preview.get_by_role("link", name="Factuur betalen")).to_have_attribute(
        "href", "/artikel/factuur-betalen"
    )
    expect(preview.get_by_role("link", name="bestaat-nog-niet")).to_have_attribute(
        "href", "/documenten/nieuw?slug=bestaat-nog-niet"
    )
    for where in (preview, None):
        if where is None:
            page.get_by_role("button", name="Opslaan").click()
            expect(page).to_have_url(re.compile(r"/artikel/vijandige-tekst$"))
            where = page.locator("article")
            expect(where.locator("strong")).to_have_text("Gewone tekst")
        expect(where.locator("script, img, [onerror], [onclick]")).to_have_count(0)
        expect(where.locator("a[href^='javascript']")).to_have_count(0)
        expect(where.get_by_text("Klik hier")).to_be_visible()
        expect(where.get_by_role("link", name="Veilige link")).to_have_attribute(
            "href", "https://example.test/"
        )
        where.get_by_text("Klik hier").click()
        assert "gehackt" not in page.title()

    # A customer following the missing link sees no editor offer, only its text.
    page.locator(".editor-bar").get_by_role("button", name="Publiceren", exact=True).click()
    customer = new_context().new_page()
    customer.goto("/artikel/vijandige-tekst")
    expect(customer.locator("article").get_by_role("link", name="Factuur betalen")).to_be_visible()
    expect(customer.locator("article a[href*='/documenten/nieuw']")).to_have_count(0)
    expect(customer.locator("article")).to_contain_text("bestaat-nog-niet")
    assert "gehackt" not in customer.title()


TABLE = """Bel ons bij een storing.

| Kanaal | Nummer |
| --- | --- |
| Telefoon | {phone} |
{extra}
Wij bellen u terug."""

FOLLOWS_TABLE = """(el) => {
    const table = el.querySelector("table");
    const after = [...el.querySelectorAll("p")].find(p => p.textContent.includes("Wij bellen"));
    return !!(table && after
              && (table.compareDocumentPosition(after) & Node.DOCUMENT_POSITION_FOLLOWING));
}"""


def test_rendered_diff_shows_a_table_change_inside_the_table(
    page, make_user, make_document, log_in, app
):
    slug = make_document(
        "Storingsnummers", TABLE.format(phone="0800-1234568", extra=""), publish=False
    )
    editor = make_user("editor")
    with app.app_context():
        from kb.auth.models import SYSTEM
        from kb.documents import service
        from kb.documents.models import Document
        from kb.documents.schemas import DocumentUpdate
        from kb.extensions import db

        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        body = TABLE.format(phone="0800-7654321", extra="")
        service.save_revision(doc, SYSTEM, 1, DocumentUpdate(body=body))
        body = TABLE.format(phone="0800-7654321", extra="| Chat | dag en nacht |\n")
        service.save_revision(doc, SYSTEM, 2, DocumentUpdate(body=body))
    log_in(page, editor)

    # Revision 1 -> 2: one cell of the table changed.
    page.goto(f"/artikel/{slug}/vergelijk?van=1&naar=2")
    expect(page.get_by_role("heading", level=1)).to_have_text("Revisie 1 en 2 vergeleken")
    rendered = page.locator("#rendered-diff")
    expect(rendered).to_contain_text("0800-7654321")
    # The page is rendered by the server: read it once, no waiting needed.
    assert rendered.locator("table").count() == 1
    assert rendered.locator("table del").all_inner_texts() == ["0800-1234568"]
    assert rendered.locator("table ins").all_inner_texts() == ["0800-7654321"]
    assert rendered.evaluate(FOLLOWS_TABLE), "text after the table is shown above it"

    # Revision 2 -> 3: a row was added to the table.
    page.goto(f"/artikel/{slug}/vergelijk?van=2&naar=3")
    expect(page.get_by_role("heading", level=1)).to_have_text("Revisie 2 en 3 vergeleken")
    rendered = page.locator("#rendered-diff")
    expect(rendered).to_contain_text("dag en nacht")
    assert rendered.locator("table").count() == 1
    assert rendered.locator("table tbody tr").count() == 2
    added = rendered.locator("table tr", has_text="dag en nacht")
    assert added.count() == 1, "the added row is not in the table"
    assert added.locator("ins").count() > 0 or re.search(
        r"ins|add", added.get_attribute("class") or ""
    ), "the added row is not marked as added"
    assert rendered.evaluate(FOLLOWS_TABLE), "text after the table is shown above it"
