"""An agent reads an internal article, leaves a comment, has no editor pages, logs out."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_agent_reads_internal_article_and_comments(page, make_person, make_document, log_in):
    slug = make_document(
        "Script opzeggen",
        "Vraag eerst naar de **reden** van opzeggen.\n\nBied daarna het loyaliteitsaanbod aan.",
        audience="internal",
        category="abonnement",
    )
    agent = make_person("agent", "Gert Agent")
    log_in(page, agent)
    expect(page.locator("header").get_by_role("link", name="Documenten")).to_have_count(0)
    expect(page.locator("header").get_by_role("link", name="Nieuw document")).to_have_count(0)

    page.goto(f"/artikel/{slug}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Script opzeggen")
    expect(page.get_by_role("heading", level=1).locator(".badge.internal")).to_have_text("intern")
    expect(page.locator("article")).to_contain_text("Bied daarna het loyaliteitsaanbod aan.")
    expect(page.locator("article strong")).to_have_text("reden")
    expect(page.locator(".editor-bar")).to_have_count(0)

    comments = page.locator("#reacties")
    expect(comments.get_by_role("heading", name="Opmerkingen en voorstellen")).to_be_visible()
    expect(comments).to_contain_text("Nog geen opmerkingen.")
    comments.get_by_label("Soort").select_option(label="Voorstel tot wijziging")
    comments.get_by_label("Reactie").fill("Noem ook de opzegtermijn van een maand.")
    comments.get_by_role("button", name="Plaatsen").click()

    expect(page).to_have_url(re.compile(rf"/artikel/{slug}#reacties$"))
    expect(page.get_by_text("Uw reactie is geplaatst.")).to_be_visible()
    comments = page.locator("#reacties")
    expect(comments.locator(".comment")).to_have_count(1)
    posted = comments.locator(".comment").first
    expect(posted.locator(".comment-body")).to_have_text("Noem ook de opzegtermijn van een maand.")
    expect(posted).to_contain_text("Gert Agent")
    expect(posted).to_contain_text("voorstel")
    expect(comments).not_to_contain_text("Nog geen opmerkingen.")

    # Still there after a reload (stored, not just flashed).
    page.reload()
    expect(page.locator("#reacties .comment-body")).to_have_text(
        ["Noem ook de opzegtermijn van een maand."]
    )

    # Editors' and admins' pages do not exist for an agent.
    for url in ("/documenten", "/documenten/nieuw", "/beheer/gebruikers"):
        response = page.goto(url)
        assert response is not None and response.status == 404, url
        expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")

    # After logging out, the internal article is gone as well.
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_text("U bent uitgelogd.")).to_be_visible()
    response = page.goto(f"/artikel/{slug}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")
