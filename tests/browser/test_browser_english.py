"""The journeys in English: a browser that asks for English gets the whole interface in it,
while the content stays in the language it was written in."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import NAVIGATION_TIMEOUT_MS, TIMEOUT_MS

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def english(browser, live_server):
    """A new English-speaking person (their own cookies), optionally on a phone."""
    contexts = []

    def make(viewport=None):
        context = browser.new_context(
            base_url=live_server,
            locale="en-GB",
            extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"},
            viewport=viewport or {"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


ENGLISH_BUTTONS = {"sign_in": "Sign in", "sign_out": "Sign out"}  # for conftest's log_in


def test_a_customer_on_a_phone_searches_reads_and_votes_in_english(english, make_document):
    slug = make_document(
        "Wachtwoord vergeten",
        "Vraag een nieuw wachtwoord aan via **Mijn Polderlink**.",
        category="account",
    )
    page = english(PHONE)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^en"))
    expect(page.get_by_role("heading", name="How can we help you?")).to_be_visible()
    box = page.locator("main input[name=q]")
    box.fill("wachtwoord")
    box.press("Enter")
    expect(page.locator("#result-count")).to_have_text("1 result for “wachtwoord”")
    page.get_by_role("link", name="Wachtwoord vergeten").click()
    expect(page).to_have_url(re.compile(rf"/artikel/{slug}$"))
    # The article stays Dutch: content is never translated.
    expect(page.locator("article")).to_contain_text("Vraag een nieuw wachtwoord aan")
    helpful = page.locator("#nuttig")
    expect(helpful).to_contain_text("Was this helpful?")
    helpful.get_by_role("button", name="Yes", exact=True).click()
    expect(helpful).to_contain_text("Thank you for your feedback!")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    missing = page.goto("/artikel/bestaat-niet")
    assert missing is not None and missing.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")


def test_an_admin_changes_a_role_in_english(english, make_person, log_in):
    admin = make_person("admin", "Ada Beheer")
    make_person("agent", "Nina Nieuw", email="nina.nieuw@example.test")
    page = english()
    log_in(page, admin, **ENGLISH_BUTTONS)
    page.locator("header").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    row = page.locator("tr[data-email='nina.nieuw@example.test']")
    role = row.get_by_label("Role of nina.nieuw@example.test")
    expect(role).to_have_value("agent")
    role.select_option(label="Editor")
    row.get_by_role("button", name="Change role").click()
    expect(
        page.get_by_text(re.compile(r"nina\.nieuw@example\.test is now editor\.", re.I))
    ).to_be_visible()
    expect(row.get_by_label("Role of nina.nieuw@example.test")).to_have_value("editor")


def test_the_footer_switch_turns_a_dutch_page_english_and_back(page):
    page.goto("/")
    expect(page.get_by_role("heading", name="Hoe kunnen we u helpen?")).to_be_visible()
    footer = page.locator("footer")
    footer.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="How can we help you?")).to_be_visible()
    footer.get_by_role("button", name="Nederlands").click()
    expect(page.get_by_role("heading", name="Hoe kunnen we u helpen?")).to_be_visible()


def test_an_agent_finds_a_script_with_the_keyboard_in_english(
    english, make_document, make_person, log_in
):
    make_document(
        "Opzeggen aan de telefoon",
        "## Bevestig\n\n> Ik heb uw opzegging genoteerd.",
        kind="script",
        audience="internal",
        channel="phone",
        category="gesprekken",
    )
    make_document("Contract opzeggen", "Opzeggen kan met een maand opzegtermijn.")
    page = english()
    log_in(page, make_person("agent", "Fatima Agent"), **ENGLISH_BUTTONS)
    expect(page).to_have_url(re.compile(r"/console$"))
    page.keyboard.press("/")
    search = page.locator("input[name=q]")
    expect(search).to_be_focused()
    search.press_sequentially("opzeg", delay=30)
    results = page.locator("#console-results li[role=option]")
    expect(results).to_have_count(2)
    expect(results.nth(0).locator(".badge").first).to_have_text(re.compile("script|internal"))
    expect(results.locator(".badge", has_text="public")).to_have_count(1)
    search.press("Enter")
    doc = page.locator("#console-doc")
    expect(doc.get_by_role("heading", level=1)).to_contain_text("Opzeggen aan de telefoon")
    page.keyboard.press("Escape")
    expect(doc).to_be_hidden()
    expect(search).to_be_focused()


def test_two_editors_meet_a_conflict_merge_and_publish_in_english(
    english, make_document, make_person, log_in
):
    base = "# Modem resetten\n\nZet de modem uit.\nWacht tien seconden.\nZet de modem weer aan."
    heading = base.replace("# Modem resetten", "# De modem opnieuw opstarten")
    paragraph = base + "\n\nBrandt het lampje rood? Bel de storingslijn."
    slug = make_document("Modem resetten", base, category="internet")
    anna, bram = english(), english()
    log_in(anna, make_person("editor", "Anna de Vries"), **ENGLISH_BUTTONS)
    log_in(bram, make_person("editor", "Bram Jansen"), **ENGLISH_BUTTONS)
    for page in (anna, bram):
        page.goto(f"/artikel/{slug}/bewerken")
        expect(page.get_by_text("You are editing revision 1.")).to_be_visible()

    def save(page, body, message):
        page.locator("textarea[name=body]").fill(body)
        page.get_by_label("What has changed?").fill(message)
        page.get_by_role("button", name="Save", exact=True).click()

    save(anna, heading, "Clearer heading")
    expect(anna.get_by_text("Saved as revision 2.")).to_be_visible()
    save(bram, paragraph, "Red light")
    expect(bram.get_by_role("heading", level=1)).to_have_text(
        "Someone else has changed this document in the meantime"
    )
    expect(bram.locator("#merge-status")).to_contain_text("do not overlap")
    bram.get_by_role("button", name="Save merged").click()
    expect(bram.get_by_text("Saved as revision 3.")).to_be_visible()
    article = bram.locator("article")
    expect(article).to_contain_text("De modem opnieuw opstarten")  # Anna's change stays
    expect(article).to_contain_text("Bel de storingslijn.")  # and Bram's is there
    bram.locator(".editor-bar").get_by_role("button", name="Publish", exact=True).click()
    expect(bram.get_by_text("Revision 3 has been published.")).to_be_visible()
