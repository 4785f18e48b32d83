"""Review before publish in a real browser: an editor submits a policy change, a supervisor
approves it with "Agents moeten dit bevestigen" and the history names the approver; a returned
submission shows the supervisor's comment to the editor."""

import re

import pytest
from playwright.sync_api import expect

from tests.review_helpers import policy_doc, save, state

pytestmark = pytest.mark.browser


def _bar(page):
    return page.locator(".editor-bar")


def _submit(page, slug: str, note: str) -> None:
    page.goto(f"/artikel/{slug}")
    bar = _bar(page)
    expect(bar.get_by_role("button", name="Publiceren", exact=True)).to_have_count(0)
    bar.locator("summary", has_text="Indienen ter beoordeling").click()
    bar.get_by_label("Toelichting voor de supervisor").fill(note)
    expect(bar.get_by_label("Agents moeten dit bevestigen")).to_be_checked()  # beleid
    bar.get_by_role("button", name="Indienen", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("is ingediend ter beoordeling")


def test_editor_submits_supervisor_approves_and_returns(
    app, new_context, make_document, make_person, log_in
):
    slug = policy_doc(make_document)
    editor = make_person("editor", "Eva Redacteur")
    supervisor = make_person("supervisor", "Sam Supervisor")
    save(app, slug, editor, body="Bij een storing van meer dan 24 uur: twee dagen terug.")
    ed = log_in(new_context().new_page(), editor)
    sup = log_in(new_context().new_page(), supervisor)

    _submit(ed, slug, "Afgesproken in het teamoverleg.")
    expect(_bar(ed).locator(".review-pending")).to_contain_text("Revisie 2 wacht op beoordeling")

    # The supervisor sees the count in the menu and approves with acknowledgement.
    sup.goto("/")
    nav = sup.locator("header nav a.nav-review")
    expect(nav).to_contain_text("Te beoordelen")
    expect(nav.locator(".count")).to_have_text("1")
    nav.click()
    row = sup.locator("table.reviews tbody tr")
    expect(row).to_contain_text("Compensatie bij storing")
    expect(row).to_contain_text("Eva Redacteur")
    expect(row).to_contain_text("Afgesproken in het teamoverleg.")
    row.get_by_role("link", name="Beoordelen").click()
    expect(sup.locator("#rendered-diff ins", has_text="twee")).to_be_visible()
    approve = sup.locator("form.review-approve")
    expect(approve.get_by_label("Agents moeten dit bevestigen")).to_be_checked()
    approve.get_by_role("button", name="Goedkeuren en publiceren").click()
    expect(sup.get_by_role("status")).to_have_text("Goedgekeurd: revisie 2 is gepubliceerd.")
    expect(_bar(sup).locator(".status")).to_have_text("Gepubliceerd")
    assert state(app, slug) == {"status": "published", "current": 2, "published": 2, "ack": 2}

    # The history names who approved revision 2, for the editor too.
    ed.goto(f"/artikel/{slug}/geschiedenis")
    approved = ed.locator('tr[data-revision="2"] .approved-by')
    expect(approved).to_have_text("goedgekeurd door Sam Supervisor")

    # A second change goes back with a comment, which the editor then sees on the page.
    save(app, slug, editor, body="Drie dagen terug, altijd.")
    _submit(ed, slug, "Nieuwe regel.")
    sup.goto("/beoordelen")
    sup.locator("table.reviews tbody tr").get_by_role("link", name="Beoordelen").click()
    back = sup.locator("form.review-return")
    back.get_by_role("button", name="Terugsturen").click()
    # The comment is required: the browser keeps the form until there is one.
    expect(sup).to_have_url(re.compile(r"/beoordelen/\d+$"))
    back.get_by_label("Wat moet er anders?").fill("Drie dagen klopt niet: het blijft twee.")
    back.get_by_role("button", name="Terugsturen").click()
    expect(sup.get_by_role("status")).to_have_text("Teruggestuurd naar Eva Redacteur.")

    ed.goto(f"/artikel/{slug}")
    returned = _bar(ed).locator(".review-returned")
    expect(returned).to_contain_text("Revisie 3 is teruggestuurd door Sam Supervisor")
    expect(returned.locator(".review-comment")).to_have_text(
        "Drie dagen klopt niet: het blijft twee."
    )
    expect(ed.locator("header nav a.nav-review .count")).to_have_text("1")
    assert state(app, slug)["published"] == 2


def test_archiving_asks_first(app, new_context, make_document, make_person, log_in):
    slug = make_document("Oude actie", "Deze actie is voorbij.")
    page = log_in(new_context().new_page(), make_person("editor", "Eva Redacteur"))
    page.goto(f"/artikel/{slug}")
    confirm = _bar(page).get_by_role("button", name="Ja, archiveren")
    expect(confirm).to_be_hidden()
    _bar(page).locator("summary", has_text="Archiveren").click()
    expect(_bar(page)).to_contain_text("verdwijnt uit de zoekresultaten")
    confirm.click()
    expect(page.get_by_role("status")).to_have_text("Het document is gearchiveerd.")
    assert state(app, slug)["status"] == "archived"
