"""An agent mid-call: lands on the console, finds a script with the keyboard, opens it in place,
goes back with Esc and narrows by channel."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(make_document):
    make_document(
        "Opzeggen aan de telefoon",
        "Gebruik dit script als de klant belt om op te zeggen.\n\n"
        "## Vraag naar de reden\n\n> Mag ik vragen waarom u wilt opzeggen?\n\n"
        "## Bevestig\n\n> Ik heb uw opzegging genoteerd.",
        kind="script",
        audience="internal",
        channel="phone",
        category="gesprekken",
    )
    make_document(
        "Opzeggen via de chat",
        "## Bevestig\n\nUw opzegging via de chat is ontvangen.",
        kind="script",
        audience="internal",
        channel="chat",
        category="gesprekken",
    )
    make_document(
        "Werkwijze bij opzeggen",
        "Bied eerst een oplossing aan voordat u het opzeggen verwerkt.",
        audience="internal",
        category="werkwijze",
    )
    make_document("Contract opzeggen", "Opzeggen kan met een maand opzegtermijn.")


def test_agent_finds_and_opens_a_script_with_the_keyboard(page, desk, make_person, log_in):
    agent = make_person("agent", "Fatima Agent")
    log_in(page, agent)
    expect(page).to_have_url(re.compile(r"/console$"))
    loads = []
    page.on("framenavigated", lambda frame: loads.append(frame.url))

    page.locator("h2").first.click()  # focus elsewhere, as after reading something
    page.keyboard.press("/")
    search = page.locator("input[name=q]")
    expect(search).to_be_focused()
    search.press_sequentially("opzeg", delay=30)

    results = page.locator("#console-results li[role=option]")
    expect(results).to_have_count(4)
    expect(results.nth(0)).to_contain_text("script")
    expect(results.nth(1)).to_contain_text("script")
    expect(results.nth(2)).to_contain_text("Werkwijze bij opzeggen")
    expect(results.nth(2).locator(".badge")).to_have_text("intern")
    expect(results.nth(3).locator(".badge")).to_have_text("publiek")
    expect(results.nth(0)).to_have_class(re.compile(r"\bactive\b"))

    first_title = results.nth(0).locator(".result-title").inner_text()
    search.press("ArrowDown")
    expect(results.nth(1)).to_have_class(re.compile(r"\bactive\b"))
    search.press("ArrowUp")
    search.press("Enter")

    doc = page.locator("#console-doc")
    expect(doc).to_be_visible()
    expect(doc.get_by_role("heading", level=1)).to_contain_text(first_title)
    expect(doc.locator("article")).to_contain_text("opzegging")
    assert loads == [], loads  # opened in place: no page load

    page.keyboard.press("Escape")
    expect(doc).to_be_hidden()
    expect(search).to_be_focused()
    expect(search).to_have_value("opzeg")
    expect(results).to_have_count(4)

    page.get_by_role("button", name="Chat", exact=True).click()
    expect(results).to_have_count(1)
    expect(results.nth(0)).to_contain_text("Opzeggen via de chat")
    assert loads == [], loads

    # The opened script is remembered on this device, for the empty state.
    search.fill("")
    search.press("Escape")
    expect(page.locator("#console-recent")).to_contain_text(first_title)


def test_a_script_in_the_console_keeps_the_customers_name_in_the_browser(
    new_context, live_server, make_document, make_person, log_in
):
    make_document(
        "Identiteit controleren",
        "Gebruik dit bij elk gesprek.\n\n## Vraag de naam\n\n"
        "> Met wie spreek ik? Dank u, {{klantnaam}}.\n\n- [ ] Naam gecontroleerd\n\n"
        "## Bevestig\n\n> Ik heb het genoteerd, {{klantnaam}}.",
        kind="script",
        audience="internal",
        channel="phone",
    )
    context = new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    log_in(page, make_person("agent", "Ruben Agent"))
    sent = []
    page.on("request", lambda r: sent.append(f"{r.url} {r.headers} {r.post_data or ''}"))

    search = page.locator("input[name=q]")
    search.press_sequentially("identiteit", delay=20)
    expect(page.locator("#console-results li[role=option]")).to_have_count(1)
    search.press("Enter")
    doc = page.locator("#console-doc")
    field = doc.get_by_label("Klantnaam", exact=True)
    field.fill("Wilhelmina Zandvoort")
    expect(doc.locator("#stap-1 blockquote")).to_have_text(
        "Met wie spreek ik? Dank u, Wilhelmina Zandvoort."
    )
    field.press("Escape")  # leaves the field; the document stays open
    expect(doc).to_be_visible()
    page.keyboard.press("c")
    expect(doc.locator("#stap-1 .kbs-copy")).to_have_text("Gekopieerd ✓")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == "Met wie spreek ik? Dank u, Wilhelmina Zandvoort."
    page.keyboard.press("Escape")
    expect(doc).to_be_hidden()
    assert sent and not [r for r in sent if "Wilhelmina" in r or "Zandvoort" in r]


def test_anonymous_visitors_get_the_login_page(page):
    page.goto("/console")
    expect(page).to_have_url(re.compile(r"/inloggen"))
    expect(page.locator("input[name=email]")).to_be_visible()
