"""The interface language in a real browser: the footer switch keeps the visitor on the page
and the choice sticks; the account setting follows the user to another device."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_visitor_switches_to_english_and_an_agent_keeps_dutch_on_his_account(
    page, browser, live_server, make_person
):
    agent = make_person("agent", "Sanne Smit")
    page.goto("/inloggen?next=/account")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen voor medewerkers")

    page.locator("footer").get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile(r"/inloggen\?next=/account$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign-in")
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")

    page.locator("input[name=email]").fill(agent.email)
    page.locator("input[name=password]").fill(agent.password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")

    page.get_by_role("group", name="Interface language").get_by_label("Nederlands").check()
    page.get_by_role("button", name="Save language").click()
    expect(page.get_by_text("Uw taalkeuze is opgeslagen.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn account")

    # Another device with an English browser: the account's choice wins.
    english = browser.new_context(base_url=live_server, locale="en-GB")
    try:
        elsewhere = english.new_page()
        elsewhere.goto("/inloggen")
        expect(elsewhere.get_by_role("heading", level=1)).to_have_text("Staff sign-in")
        elsewhere.locator("input[name=email]").fill(agent.email)
        elsewhere.locator("input[name=password]").fill(agent.password)
        elsewhere.get_by_role("button", name="Sign in", exact=True).click()
        expect(elsewhere.get_by_role("button", name="Uitloggen")).to_be_visible()
    finally:
        english.close()
