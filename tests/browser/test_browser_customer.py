"""A customer without an account: home, search, an article, the helpfulness vote, and 404s."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_customer_finds_reads_and_rates_an_article(page, new_context, make_document, app):
    wachtwoord = make_document(
        "Wachtwoord vergeten",
        "Vraag een nieuw wachtwoord aan via **Mijn Polderlink**.\n\nDe link is 24 uur geldig.",
        category="account",
    )
    make_document(
        "Factuur betalen", "Betaal uw factuur binnen veertien dagen.", category="facturen"
    )
    make_document(
        "Interne storingsprocedure",
        "Alleen voor medewerkers: wachtwoord resetten.",
        audience="internal",
        category="account",
    )
    make_document(
        "Nieuwe tarieven",
        "Nog geheim: het wachtwoord-abonnement.",
        publish=False,
        category="account",
    )

    page.goto("/")
    expect(page.get_by_role("heading", name="Hoe kunnen we u helpen?")).to_be_visible()
    search_box = page.locator("main input[name=q]")
    expect(search_box).to_be_visible()
    categories = page.locator("ul.categories")
    expect(categories.get_by_role("link", name="Account")).to_be_visible()
    expect(categories.get_by_role("link", name="Facturen")).to_be_visible()
    popular = page.locator("section", has=page.get_by_role("heading", name="Veelgelezen"))
    expect(popular.get_by_role("link", name="Wachtwoord vergeten")).to_be_visible()
    expect(popular.get_by_role("link", name="Factuur betalen")).to_be_visible()
    # Internal and draft documents are not shown to a customer.
    expect(page.get_by_text("Interne storingsprocedure")).to_have_count(0)
    expect(page.get_by_text("Nieuwe tarieven")).to_have_count(0)

    search_box.fill("wachtwoord")
    search_box.press("Enter")
    expect(page).to_have_url(re.compile(r"/zoeken\?q=wachtwoord$"))
    expect(page.get_by_text("1 resultaat voor “wachtwoord”")).to_be_visible()
    results = page.locator("main ol.search-results")
    expect(results.locator("a.result-title")).to_have_count(1)
    expect(results.locator("mark").first).to_have_text(re.compile("^wachtwoord$", re.I))
    expect(results.get_by_role("link", name="Wachtwoord vergeten")).to_be_visible()

    results.get_by_role("link", name="Wachtwoord vergeten").click()
    expect(page).to_have_url(re.compile(rf"/artikel/{wachtwoord}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Wachtwoord vergeten")
    article = page.locator("article")
    expect(article).to_contain_text("Vraag een nieuw wachtwoord aan via Mijn Polderlink.")
    expect(article.locator("strong")).to_have_text("Mijn Polderlink")
    expect(page.locator(".editor-bar")).to_have_count(0)

    helpful = page.locator("#nuttig")
    expect(helpful).to_contain_text("Was dit nuttig?")
    helpful.get_by_role("button", name="Ja", exact=True).click()
    expect(helpful.get_by_role("button")).to_have_count(0)
    expect(helpful).to_contain_text("Bedankt voor uw reactie!")

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wachtwoord vergeten")
    expect(page.locator("#nuttig")).to_contain_text("Bedankt voor uw reactie!")
    expect(page.locator("#nuttig").get_by_role("button")).to_have_count(0)

    # Once per browser session: another visitor (a fresh session) may still vote.
    other = new_context().new_page()
    other.goto(f"/artikel/{wachtwoord}")
    expect(other.locator("#nuttig").get_by_role("button", name="Ja", exact=True)).to_be_visible()
    expect(other.locator("#nuttig").get_by_role("button", name="Nee", exact=True)).to_be_visible()

    with app.app_context():
        from kb.documents.models import Document
        from kb.extensions import db
        from kb.feedback import service as feedback

        doc = db.session.scalar(db.select(Document).where(Document.slug == wachtwoord))
        assert feedback.vote_counts(doc) == {"ja": 1, "nee": 0}


def test_customer_gets_dutch_404_for_internal_and_draft_documents(page, make_document):
    internal = make_document(
        "Interne storingsprocedure", "Alleen voor medewerkers.", audience="internal"
    )
    draft = make_document("Nieuwe tarieven", "Nog niet bekend.", publish=False)
    public = make_document("Factuur betalen", "Betaal op tijd.")

    for slug in (internal, draft, "bestaat-helemaal-niet"):
        response = page.goto(f"/artikel/{slug}")
        assert response is not None and response.status == 404, slug
        expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")
        expect(page.locator("main")).to_contain_text("Deze pagina bestaat niet (meer).")
        expect(page.locator("main")).not_to_contain_text("Alleen voor medewerkers")
        expect(page.locator("main")).not_to_contain_text("Nieuwe tarieven")

    response = page.goto(f"/artikel/{public}")
    assert response is not None and response.status == 200
    expect(page.locator("article")).to_contain_text("Betaal op tijd.")


def test_search_as_you_type_offers_titles_the_reader_may_see(
    page, make_document, make_user, log_in
):
    make_document("Wachtwoord vergeten", "Vraag een nieuw wachtwoord aan.")
    make_document("Wachtwoordbeleid voor medewerkers", "Intern.", audience="internal")
    page.goto("/")
    box = page.locator("#zoekvraag")
    box.press_sequentially("wachtw")
    options = page.locator("#zoekvraag-suggesties [role=option]")
    expect(options).to_have_count(1)
    expect(options.first).to_have_text("Wachtwoord vergeten")
    box.press("ArrowDown")
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wachtwoord vergeten")

    log_in(page, make_user("agent"))  # an agent also gets internal titles
    page.goto("/")
    page.locator("#zoekvraag").press_sequentially("wachtw")
    expect(page.locator("#zoekvraag-suggesties [role=option]")).to_have_count(2)
