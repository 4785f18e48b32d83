"""The knowledge loop in a real browser: an agent logs a ticket and an agreement in the console,
links a script to it with two keys, resolves another ticket with a new request; an editor
publishes the missing article and fulfils the request from /verzoeken; the waiting ticket then
shows that article."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def new_ticket(page, ref: str, subject: str, priority: str = "Normaal"):
    """Press n in the console and create a ticket; returns the panel."""
    page.locator("#console-list h2").first.click()  # focus away from any field
    page.keyboard.press("n")
    pane = page.locator("#console-doc")
    ref_field = pane.get_by_label("Referentie in de helpdesk")
    expect(ref_field).to_be_focused()
    page.keyboard.type(ref)
    pane.get_by_label("Onderwerp (zonder persoonsgegevens)").fill(subject)
    pane.get_by_label("Prioriteit").select_option(label=priority)
    pane.get_by_role("button", name="Ticket aanmaken").click()
    panel = pane.locator(".ticket-panel")
    expect(panel.get_by_role("heading", level=1)).to_contain_text(f"Ticket {ref}")
    return panel


def test_the_knowledge_loop_from_console_to_request_queue(
    new_context, make_document, make_person, log_in
):
    make_document(
        "Modem resetten",
        "Gebruik dit als de Thuisbox oranje knippert.\n\n## Reset\n\n> Houd de resetknop "
        "tien seconden ingedrukt.",
        kind="script",
        audience="internal",
        channel="phone",
        category="storingen",
    )
    draft = make_document(
        "Wifi-extender koppelen via WPS",
        "Druk binnen twee minuten op de WPS-knop van de extender en van de Thuisbox.",
        audience="internal",
        category="wifi",
        publish=False,
    )
    agent_page = new_context().new_page()
    log_in(agent_page, make_person("agent", "Fatima Agent"))
    expect(agent_page).to_have_url(re.compile(r"/console$"))
    loads = []
    agent_page.on("framenavigated", lambda frame: loads.append(frame.url))

    # A ticket and an agreement, in the console.
    panel = new_ticket(agent_page, "PL-2024-0042", "Modem knippert oranje", "Hoog")
    expect(panel.locator(".badge.prio-high")).to_have_text("Hoog")
    note = panel.get_by_label("Tekst")
    expect(note).to_be_focused()
    panel.get_by_label("Afspraak met de klant").check()
    note.fill("Afgesproken: terugbellen dinsdag 10:00")
    panel.get_by_role("button", name="Vastleggen").click()
    agreements = agent_page.locator("#console-doc .ticket-agreements")
    expect(agreements).to_contain_text("Afgesproken: terugbellen dinsdag 10:00")

    # A phone number in a note is flagged; saving it anyway takes a second click.
    panel = agent_page.locator("#console-doc .ticket-panel")
    panel.get_by_label("Tekst").fill("Klant bereikbaar op 06 12345678")
    panel.get_by_role("button", name="Vastleggen").click()
    warning = agent_page.locator("#console-doc .privacy-warning")
    expect(warning).to_contain_text("Bewaar alleen wat nodig is: dit lijkt een telefoonnummer")
    agent_page.locator("#console-doc .ticket-panel").get_by_label("Tekst").fill(
        "Klant is overdag bereikbaar"
    )
    agent_page.get_by_role("button", name="Vastleggen").click()
    expect(agent_page.locator("#console-doc .ticket-notes")).to_contain_text(
        "Klant is overdag bereikbaar"
    )
    expect(agent_page.locator("#console-doc .privacy-warning")).to_have_count(0)

    # Back, find the script, and link it with two keys: t, Enter.
    agent_page.keyboard.press("Escape")
    agent_page.keyboard.press("Escape")
    expect(agent_page.locator("#console-my-tickets")).to_contain_text("PL-2024-0042")
    search = agent_page.locator("input[name=q]")
    search.press_sequentially("modem resetten", delay=20)
    expect(agent_page.locator("#console-results li[role=option]").first).to_contain_text(
        "Modem resetten"
    )
    search.press("Enter")
    doc = agent_page.locator("#console-doc")
    expect(doc.locator("article")).to_contain_text("resetknop")
    agent_page.keyboard.press("t")
    picker = doc.locator("[data-ticket-picker]")
    expect(picker).to_be_visible()
    expect(picker.locator("input[name=ticket]")).to_have_value("PL-2024-0042")
    agent_page.keyboard.press("Enter")
    expect(doc.locator(".ticket-linked")).to_contain_text(
        "Ticket PL-2024-0042 is opgelost met dit document (revisie 1)."
    )

    # The reference finds the ticket first, with its agreement, and it is resolved.
    agent_page.keyboard.press("Escape")
    search.fill("")
    search.press_sequentially("pl-2024-0042", delay=20)
    first = agent_page.locator("#console-results li[role=option]").first
    expect(first).to_contain_text("PL-2024-0042")
    expect(first).to_contain_text("Opgelost")
    expect(first).to_contain_text("Afgesproken: terugbellen dinsdag 10:00")

    # Another ticket has no article yet: resolved with a new request.
    search.fill("")
    search.press("Escape")
    panel = new_ticket(agent_page, "PL-2024-0043", "Extender koppelen lukt niet")
    resolve = panel.locator(".resolve-new-request")
    resolve.get_by_label("Welk artikel of script ontbreekt?").fill("Wifi-extender koppelen")
    resolve.get_by_label("Toelichting (wat vroeg de klant?)").fill("Klant vond de WPS-knop niet.")
    resolve.get_by_role("button", name="Oplossen en verzoek indienen").click()
    expect(agent_page.locator("#console-doc .resolved-request")).to_contain_text(
        "Wacht op verzoek Wifi-extender koppelen"
    )
    waiting_id = agent_page.locator("#console-doc .ticket-panel").get_attribute("data-ticket")
    assert loads == [], loads  # all of it in place, no page load

    # The editor publishes the missing article and fulfils the request from the queue.
    editor_page = new_context().new_page()
    log_in(editor_page, make_person("editor", "Eva Redacteur"))
    editor_page.goto(f"/artikel/{draft}")
    editor_page.locator(".editor-bar").get_by_role("button", name="Publiceren").click()
    expect(editor_page.locator(".editor-bar .status")).to_have_text("Gepubliceerd")
    editor_page.get_by_role("link", name="Verzoeken").click()
    expect(editor_page).to_have_url(re.compile(r"/verzoeken$"))
    item = editor_page.locator(".request", has_text="Wifi-extender koppelen")
    expect(item.locator(".demand")).to_have_text("1")
    expect(item.locator(".request-why")).to_contain_text("PL-2024-0043")
    item.get_by_label("Afhandelen met gepubliceerd document").fill(draft)
    item.get_by_role("button", name="Afhandelen").click()
    expect(editor_page.get_by_role("status")).to_contain_text(
        "Verzoek afgehandeld met 'Wifi-extender koppelen via WPS'; 1 wachtende tickets"
    )
    expect(editor_page.locator(".request", has_text="Wifi-extender koppelen")).to_have_count(0)

    # The waiting ticket now shows the article that solved it.
    agent_page.goto(f"/tickets/{waiting_id}")
    resolution = agent_page.locator(".ticket-resolution")
    expect(resolution).to_contain_text("Opgelost met Wifi-extender koppelen via WPS (revisie 1)")
    expect(resolution).to_contain_text("Via verzoek Wifi-extender koppelen")
