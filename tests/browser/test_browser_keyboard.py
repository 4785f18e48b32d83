"""Keyboard only: an agent signs in, finds a script in the console, fills in the customer's
name, copies a step and the whole script, filters by channel and logs a ticket, without ever
touching the mouse. Every control the agent reaches shows where the focus is."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NAME = "Saskia de Wit"
SCRIPT = (
    "Gebruik dit script als {{klantnaam}} belt over een storing.\n\n"
    "## Begroeten\n\n> Goedemiddag {{klantnaam}}, u spreekt met de storingsdienst.\n\n"
    "- [ ] Naam gevraagd\n\n"
    "## Reset\n\n> Houd de resetknop tien seconden ingedrukt, {{klantnaam}}."
)


def focused(page):
    """A short description of the element that has the focus."""
    return page.evaluate(
        """() => { const el = document.activeElement;
                   return el ? el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' '
                     + (el.getAttribute('aria-label') || el.textContent || el.name || '').trim()
                     .slice(0, 40) : ''; }"""
    )


def tab_to(page, locator, limit: int = 40, back: bool = False) -> None:
    """Press Tab (or Shift+Tab) until ``locator`` has the focus; fail if it never does."""
    seen = []
    for _ in range(limit):
        if locator.evaluate("el => el === document.activeElement"):
            assert_focus_shows(page)
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
        seen.append(focused(page))
    pytest.fail(f"Not reachable with the keyboard; Tab went through: {seen}")


def assert_focus_shows(page) -> None:
    """The focused element has a visible focus indicator (outline, ring or frame)."""
    style = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return {outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                           shadow: s.boxShadow}; }"""
    )
    shows = (style["outline"] != "none" and style["width"] > 0) or style["shadow"] != "none"
    assert shows, f"no visible focus on {focused(page)}: {style}"


@pytest.fixture
def desk(make_document):
    make_document(
        "Storing melden",
        SCRIPT,
        kind="script",
        channel="phone",
        audience="internal",
        category="storingen",
    )
    make_document(
        "Storing via de chat",
        "## Bevestig\n\n> Uw storing via de chat is genoteerd.",
        kind="script",
        channel="chat",
        audience="internal",
        category="storingen",
    )


def test_an_agent_finds_fills_and_copies_a_script_without_the_mouse(
    new_context, live_server, desk, make_person, log_in
):
    agent = make_person("agent", "Karin Agent")
    context = new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()

    def copy_with(key: str) -> str:
        """Press a key that copies; return the clipboard once the copy has landed."""
        page.evaluate("navigator.clipboard.writeText('leeg')")
        page.keyboard.press(key)
        page.wait_for_function("async () => (await navigator.clipboard.readText()) !== 'leeg'")
        return page.evaluate("navigator.clipboard.readText()")

    # Sign in: the e-mail field has the focus; Tab to the password, Enter signs in.
    page.goto("/inloggen")
    expect(page.get_by_label("E-mailadres")).to_be_focused()
    page.keyboard.type(agent.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Wachtwoord")).to_be_focused()
    page.keyboard.type(agent.password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/console$"))

    # The console's search has the focus; results are announced and chosen with arrows.
    search = page.get_by_role("combobox", name="Zoek een script of artikel")
    expect(search).to_be_focused()
    assert_focus_shows(page)
    page.keyboard.type("storing")
    options = page.get_by_role("option")
    expect(options).to_have_count(2)
    expect(page.locator("#console-status")).to_have_text("2 resultaten")
    expect(search).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(search).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    page.keyboard.press("ArrowUp")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    chosen = options.nth(0).locator(".result-title").inner_text()
    page.keyboard.press("Enter")

    # The script opens in place and takes the focus; its h1 is the page's only one.
    pane = page.locator("#console-doc")
    expect(pane).to_be_focused()
    expect(page.locator("h1:visible")).to_have_count(1)
    expect(pane.get_by_role("heading", level=1)).to_contain_text(chosen)
    assert chosen == "Storing melden"

    # Tab to the customer's name, type it: the script reads it everywhere.
    field = pane.get_by_label("Klantnaam", exact=True)
    tab_to(page, field)
    page.keyboard.type(NAME)
    expect(pane.locator('.kbs-ph[data-ph="klantnaam"]').first).to_have_text(NAME)

    # Esc leaves the field for the current step; c copies what to say there.
    page.keyboard.press("Escape")
    expect(pane).to_be_visible()
    expect(pane.locator(".kbs-current")).to_be_focused()
    assert copy_with("c") == f"Goedemiddag {NAME}, u spreekt met de storingsdienst."

    # x ticks the step's check; j moves on; the step's own copy button works with Enter.
    page.keyboard.press("x")
    expect(pane.get_by_label("Naam gevraagd")).to_be_checked()
    page.keyboard.press("j")
    step = pane.get_by_role("region", name="Stap 2 Reset")  # named for a screen reader
    expect(step).to_be_focused()
    expect(step.get_by_role("button", name="Kopieer tekst")).to_have_accessible_description(
        "Stap 2 Reset"
    )
    tab_to(page, step.get_by_role("button", name="Kopieer tekst"))
    assert copy_with("Enter") == f"Houd de resetknop tien seconden ingedrukt, {NAME}."

    # Shift+C copies the whole script, filled in, with the ticked check.
    text = copy_with("Shift+C")
    assert f"Goedemiddag {NAME}" in text and "- [x] Naam gevraagd" in text
    assert "{{klantnaam}}" not in text

    # Esc goes back to the results, the search keeps the words and the focus.
    page.keyboard.press("Escape")
    expect(pane).to_be_hidden()
    expect(search).to_be_focused()
    expect(search).to_have_value("storing")
    expect(options).to_have_count(2)

    # A channel chip is a toggle button: Tab to it, Space presses it.
    chat = page.get_by_role("button", name="Chat", exact=True)
    tab_to(page, chat)
    page.keyboard.press("Space")
    expect(chat).to_have_attribute("aria-pressed", "true")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Storing via de chat")
    expect(page.locator("#console-status")).to_have_text("1 resultaat")

    expect(search).to_be_focused()  # back to typing words

    # n (outside a field) opens a new ticket: typed and sent with the keyboard.
    page.keyboard.press("Tab")
    page.keyboard.press("n")
    ref = pane.get_by_label("Referentie in de helpdesk")
    expect(ref).to_be_focused()
    page.keyboard.type("PL-2026-0007")
    tab_to(page, pane.get_by_label("Onderwerp (zonder persoonsgegevens)"))
    page.keyboard.type("Storing na verhuizing")
    page.keyboard.press("Enter")
    expect(pane.get_by_role("heading", level=1)).to_contain_text("Ticket PL-2026-0007")

    # The note field has the focus: Esc leaves it, the next Esc goes back to the search.
    expect(pane.get_by_label("Tekst")).to_be_focused()
    page.keyboard.press("Escape")
    expect(pane).to_be_focused()
    page.keyboard.press("Escape")
    expect(pane).to_be_hidden()
    expect(search).to_be_focused()

    # / goes to the search from anywhere but a field.
    page.keyboard.press("Tab")
    expect(search).not_to_be_focused()
    page.keyboard.press("/")
    expect(search).to_be_focused()


def test_the_skip_link_and_the_menu_work_with_the_keyboard(page, make_person, log_in):
    log_in(page, make_person("agent", "Joost Agent"))
    page.goto("/tickets")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#inhoud$"))

    # On a phone the menu button opens the links; Esc closes it and returns the focus.
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/tickets")
    toggle = page.get_by_role("button", name="Menu")
    tab_to(page, toggle)
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    account = page.locator("header nav").get_by_role("link", name="Mijn account")
    tab_to(page, account)
    page.keyboard.press("Escape")
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")
