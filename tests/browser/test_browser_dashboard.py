"""The knowledge dashboard in a real browser: an editor opens it from the menu, reads the link
rate, changes the period, downloads the CSV, and turns a search without results into an
article request from the search insights."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kb.auth.models import User
from kb.extensions import db
from kb.search.log import record_search
from kb.tickets import service as tickets
from kb.tickets.schemas import ResolveInput, TicketCreate

pytestmark = pytest.mark.browser


@pytest.fixture
def loop_data(app, make_document, make_person):
    """Four resolved tickets, three with a document (75%), and searches without results."""
    slug = make_document("Modem resetten", "Houd de resetknop tien seconden in.")
    agent = make_person("agent", "Fatima Agent")
    with app.app_context():
        actor = db.session.get_one(User, agent.id)
        for n in range(4):
            ticket = tickets.create_ticket(
                actor,
                TicketCreate(external_ref=f"PL-{n}", subject="Modem knippert", channel="phone"),
            )
            how = (
                ResolveInput(document=slug)
                if n < 3
                else ResolveInput.model_validate({"request": {"title": "Storing tv-zenders"}})
            )
            tickets.resolve(ticket, actor, how)
        for query in ("Wifi extender", "wifi  extender", "wifi extender"):
            record_search("anonymous", query, 0, 4)
    return slug


def test_an_editor_reads_the_dashboard_and_files_a_request_from_a_search(
    new_context, make_person, log_in, loop_data
):
    page = new_context().new_page()
    log_in(page, make_person("editor", "Eva Redacteur"))
    page.locator("header nav").get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", name="Kennisdashboard")).to_be_visible()
    expect(page.locator("[data-figure=link_rate]")).to_have_text("75%")
    expect(page.locator("#koppelratio")).to_contain_text("binnen het doel")
    expect(page.locator("figure.chart svg")).to_have_count(3)
    expect(page.locator("#hergebruik")).to_contain_text("Modem resetten")

    # Another period: the link says so and the figures stay (all of it happened today).
    page.get_by_role("link", name="7 dagen").click()
    expect(page).to_have_url(re.compile(r"/dashboard\?dagen=7$"))
    expect(page.get_by_role("link", name="7 dagen")).to_have_attribute("aria-current", "page")
    expect(page.locator("[data-figure=link_rate]")).to_have_text("75%")

    # The CSV holds the same figures for the same period.
    csv_link = page.locator("#csv-export")
    expect(csv_link).to_have_attribute("href", "/dashboard.csv?dagen=7")
    with page.expect_download() as download:
        csv_link.click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    figures = {
        (section, measure): value
        for section, _item, measure, value in list(csv.reader(io.StringIO(text)))[1:]
    }
    assert figures[("tickets", "koppelratio")] == "0.75"
    assert figures[("periode", "dagen")] == "7"

    # From a search without results to a request, title filled in and edited.
    page.get_by_role("link", name="Zoekinzichten").first.click()
    row = page.locator('#zonder-resultaat tr[data-query="wifi extender"]')
    expect(row).to_contain_text("3")
    title = row.get_by_label("Titel van het verzoek")
    expect(title).to_have_value("Wifi extender")
    title.fill("Wifi extender koppelen")
    row.get_by_role("button", name="Maak verzoek").click()
    expect(page).to_have_url(re.compile(r"/verzoeken#verzoek-\d+$"))
    request = page.locator(".request", has_text="Wifi extender koppelen")
    expect(request).to_contain_text("3 keer gezocht zonder resultaat")
    expect(request.locator(".demand")).to_have_text("3")
