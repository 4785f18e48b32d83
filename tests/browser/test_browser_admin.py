"""An admin creates an account, changes its role, and finds both in the audit log."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_admin_creates_user_changes_role_and_sees_audit_log(page, make_person):
    admin = make_person("admin", "Ada Beheer")
    # Opening the page while logged out asks to log in, then comes back to it.
    page.goto("/beheer/gebruikers")
    expect(page).to_have_url(re.compile(r"/inloggen\?next=%2Fbeheer%2Fgebruikers$"))
    page.locator("input[name=email]").fill(admin.email)
    page.locator("input[name=password]").fill(admin.password)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page).to_have_url(re.compile(r"/beheer/gebruikers$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Gebruikers")

    page.goto("/")
    page.locator("header").get_by_role("link", name="Gebruikers").click()
    expect(page).to_have_url(re.compile(r"/beheer/gebruikers$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Gebruikers")

    page.get_by_role("link", name="Nieuwe gebruiker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuwe gebruiker")
    page.get_by_label("E-mailadres").fill("nina.nieuw@example.test")
    page.get_by_label("Naam").fill("Nina Nieuw")
    page.get_by_label("Rol", exact=True).select_option(label="Medewerker")
    page.get_by_label("Wachtwoord").fill("een-lang-wachtwoord")
    page.get_by_role("button", name="Aanmaken").click()

    expect(page).to_have_url(re.compile(r"/beheer/gebruikers$"))
    expect(page.get_by_text("Account nina.nieuw@example.test aangemaakt.")).to_be_visible()
    row = page.locator("tr[data-email='nina.nieuw@example.test']")
    expect(row).to_contain_text("Nina Nieuw")
    role = row.get_by_label("Rol van nina.nieuw@example.test")
    expect(role).to_have_value("agent")

    role.select_option(label="Redacteur")
    row.get_by_role("button", name="Wijzig rol").click()
    expect(page.get_by_text("nina.nieuw@example.test is nu redacteur.")).to_be_visible()
    row = page.locator("tr[data-email='nina.nieuw@example.test']")
    expect(row.get_by_label("Rol van nina.nieuw@example.test")).to_have_value("editor")
    expect(row.locator("select option:checked")).to_have_text("Redacteur")
    # The admin's own row is untouched.
    expect(page.locator(f"tr[data-email='{admin.email}'] select")).to_have_value("admin")

    page.locator("header").get_by_role("link", name="Auditlog").click()
    expect(page).to_have_url(re.compile(r"/beheer/audit$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Auditlog")
    events = page.locator("table.audit tbody tr")
    set_role = events.filter(has_text="Ada Beheer gaf Nina Nieuw de rol redacteur")
    expect(set_role).to_have_count(1)
    # Ada was seeded by the system; Nina was created by Ada.
    expect(
        events.filter(has_text="Ada Beheer maakte het account van Nina Nieuw aan")
    ).to_have_count(1)
    expect(events.filter(has_text="kb maakte het account van Ada Beheer aan")).to_have_count(1)
    # Newest first: the role change is listed above the creation.
    expect(events.first).to_contain_text("Ada Beheer gaf Nina Nieuw de rol redacteur")
