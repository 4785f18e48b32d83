"""'Mijn account' (a token shown once, revoked; a new password) and an admin who deactivates
an account: the agent's open page is signed out at its next step."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_agent_makes_and_revokes_a_token_and_changes_his_password(page, make_person, log_in):
    agent = make_person("agent", "Bram Balie")
    log_in(page, agent)
    page.goto("/account")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn account")
    expect(page.get_by_text("U heeft geen API-tokens.")).to_be_visible()

    page.get_by_label("Naam van het token").fill("helpdesk-koppeling")
    page.get_by_role("button", name="Nieuw token maken").click()
    token = page.locator("code.token-value")
    expect(token).to_have_text(re.compile(r"^kb_"))
    expect(page.get_by_text("het wordt maar één keer getoond")).to_be_visible()
    row = page.locator("table.tokens tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("helpdesk-koppeling")
    expect(row).to_contain_text("nooit")

    page.goto("/account")  # a fresh load: the token itself is gone for good
    expect(page.locator("code.token-value")).to_have_count(0)
    page.locator("table.tokens tbody tr").get_by_role("button", name="Intrekken").click()
    expect(page.get_by_text("Token 'helpdesk-koppeling' is ingetrokken.")).to_be_visible()
    expect(page.locator("table.tokens tbody tr")).to_have_count(0)

    page.get_by_label("Huidig wachtwoord").fill(agent.password)
    page.get_by_label("Nieuw wachtwoord").fill("kort")
    page.get_by_label("Herhaal het nieuwe wachtwoord").fill("kort")
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    expect(page.get_by_text("Een wachtwoord heeft minstens 10 tekens.")).to_be_visible()

    page.get_by_label("Huidig wachtwoord").fill(agent.password)
    page.get_by_label("Nieuw wachtwoord").fill("een-nieuw-wachtwoord-8")
    page.get_by_label("Herhaal het nieuwe wachtwoord").fill("een-nieuw-wachtwoord-8")
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    expect(page.get_by_text("Uw wachtwoord is gewijzigd.")).to_be_visible()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()  # still signed in

    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_text("U bent uitgelogd.")).to_be_visible()
    agent.password = "een-nieuw-wachtwoord-8"
    log_in(page, agent)
    expect(page).to_have_url(re.compile(r"/console$"))


def test_admin_deactivates_an_agent_who_is_signed_in(new_context, make_person, log_in):
    admin = make_person("admin", "Ada Beheer")
    agent = make_person("agent", "Carla Chat")
    agent_page = log_in(new_context().new_page(), agent)
    expect(agent_page).to_have_url(re.compile(r"/console$"))

    page = log_in(new_context().new_page(), admin)
    page.goto("/beheer/gebruikers")
    row = page.locator(f"tr[data-email='{agent.email}']")
    expect(row.locator(".account-status")).to_have_text("actief")
    row.get_by_role("link", name=agent.email).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Carla Chat")
    page.get_by_role("button", name="Account uitschakelen").click()
    expect(page.get_by_text(f"{agent.email} is uitgeschakeld.")).to_be_visible()
    expect(page.locator("dd.account-status")).to_have_text("inactief")

    # The agent's next step finds him signed out; signing in again is refused.
    agent_page.reload()
    expect(agent_page).to_have_url(re.compile(r"/inloggen\?next="))
    agent_page.locator("input[name=email]").fill(agent.email)
    agent_page.locator("input[name=password]").fill(agent.password)
    agent_page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(agent_page.get_by_text("Onbekend e-mailadres of onjuist wachtwoord.")).to_be_visible()

    page.get_by_role("button", name="Account weer inschakelen").click()
    expect(page.locator("dd.account-status")).to_have_text("actief")
    log_in(agent_page, agent)
    expect(agent_page).to_have_url(re.compile(r"/console$"))

    # His own account the admin cannot switch off.
    page.goto("/beheer/gebruikers")
    page.locator(f"tr[data-email='{admin.email}']").get_by_role("link").click()
    expect(page.get_by_text("U kunt uw eigen account niet uitschakelen.")).to_be_visible()
    expect(page.get_by_role("button", name="Account uitschakelen")).to_have_count(0)
