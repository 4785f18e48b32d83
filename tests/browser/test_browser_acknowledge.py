"""Read-and-acknowledge in a real browser: a supervisor publishes a changed script with "agents
moeten dit bevestigen"; the agent (another browser) sees what changed above the script, the
script's first step still in view, confirms, and the supervisor's overview lists the agent.
The first request to confirm is answered in the console, where the agent works."""

import os
import re

import pytest
from playwright.sync_api import expect

from kb.auth.models import SYSTEM
from kb.documents import service
from kb.documents.models import Document
from kb.documents.schemas import DocumentUpdate
from kb.extensions import db

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("KB_SHOTS", "")  # a folder: save screenshots there to look at

FILLER = "\n\n".join(f"Achtergrond voor de medewerker, alinea {n}." for n in range(1, 12))
SCRIPT = f"""## Begroeten

> Goedemiddag {{{{klantnaam}}}}, u spreekt met {{{{agent}}}} van Polderlink.

- [ ] Naam van de klant gevraagd

## Klantnummer controleren

> Mag ik uw klantnummer, {{{{klantnaam}}}}?

- [ ] Klantnummer gecontroleerd

{FILLER}

## Afsluiten

> Kan ik u verder nog ergens mee helpen?
"""
CHANGED = SCRIPT.replace(
    "> Mag ik uw klantnummer, {{klantnaam}}?",
    "> Mag ik uw postcode en huisnummer, {{klantnaam}}?",
)


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"ack-{name}.png"), full_page=False)


def test_a_supervisor_asks_agents_to_confirm_a_changed_script(
    app, new_context, make_person, make_document, log_in
):
    sanne = make_person("supervisor", "Sanne Supervisor")
    anouk = make_person("agent", "Anouk Agent")
    slug = make_document(
        "Telefoon begroeting",
        SCRIPT,
        kind="script",
        audience="internal",
        channel="phone",
        category="gesprekken",
        publish=False,
    )
    with app.app_context():  # revision 1 went out asking agents to confirm it
        doc = db.session.scalars(db.select(Document).where(Document.slug == slug)).one()
        service.publish(doc, SYSTEM, acknowledge=True)

    # In the console: "Te bevestigen" opens the script in place; confirming stays there.
    agent = log_in(new_context().new_page(), anouk)
    agent.goto("/console")
    todo = agent.locator(".console-acks")
    expect(todo.get_by_role("link", name="Telefoon begroeting")).to_be_visible()
    todo.get_by_role("link", name="Telefoon begroeting").click()
    pane = agent.locator("#console-doc")
    banner = pane.locator(".ack-banner")
    expect(banner).to_contain_text("Nieuw: lees dit en bevestig")
    expect(pane.locator("#stap-1")).to_be_in_viewport()
    _shot(agent, "1-new-console")
    banner.get_by_role("button", name="Gelezen en begrepen").click()
    expect(pane.locator(".ack-done")).to_have_text("Bevestigd: u hebt revisie 1 gelezen.")
    expect(pane.locator(".ack-banner")).to_have_count(0)
    expect(agent).to_have_url(re.compile(r"/console"))
    expect(agent.locator(".console-acks")).to_have_count(0)
    agent.goto(f"/artikel/{slug}")
    expect(agent.locator("article")).to_contain_text("Mag ik uw klantnummer")
    expect(agent.locator(".ack-banner")).to_have_count(0)

    # An editor's change (revision 2); the supervisor publishes it and asks again.
    with app.app_context():
        doc = db.session.scalars(db.select(Document).where(Document.slug == slug)).one()
        service.save_revision(doc, SYSTEM, 1, DocumentUpdate(body=CHANGED, message="Postcode"))
    boss = log_in(new_context().new_page(), sanne)
    boss.goto(f"/artikel/{slug}")
    bar = boss.locator(".editor-bar")
    bar.get_by_label("Agents moeten dit bevestigen").check()
    bar.get_by_role("button", name="Publiceren", exact=True).click()
    expect(boss.get_by_text("Revisie 2 is gepubliceerd.")).to_be_visible()
    expect(boss.get_by_role("link", name="Bevestigingen: 0 van 2")).to_be_visible()
    _shot(boss, "0-published")

    # The agent, mid-call, reloads the script: what changed, compact, the first step in view.
    agent.goto(f"/artikel/{slug}")
    banner = agent.locator(".ack-banner")
    expect(banner).to_contain_text("Gewijzigd sinds u het las")
    expect(banner).to_contain_text("revisie 1 → 2")
    expect(banner.locator("del")).to_contain_text(["klantnummer,"])
    expect(banner.locator("ins")).to_contain_text(["postcode en huisnummer,"])
    expect(banner.locator(".ack-where")).to_have_text(["Klantnummer controleren"])
    expect(banner).not_to_contain_text("@@")
    expect(banner).not_to_contain_text("Goedemiddag")  # unchanged steps stay out of it
    expect(agent.locator("#stap-1")).to_be_in_viewport()
    box = banner.bounding_box()
    assert box is not None and box["height"] < 260, box
    _shot(agent, "2-changed")
    agent.set_viewport_size({"width": 400, "height": 800})
    expect(agent.locator(".ack-banner button")).to_be_in_viewport()
    _shot(agent, "3-changed-phone")
    agent.set_viewport_size({"width": 1280, "height": 800})

    banner.get_by_role("button", name="Gelezen en begrepen").click()
    expect(agent.locator(".flash")).to_contain_text("Bevestigd: u hebt revisie 2 gelezen.")
    expect(agent.locator(".ack-banner")).to_have_count(0)
    expect(agent.locator("article")).to_contain_text("postcode en huisnummer")
    agent.goto("/console")
    expect(agent.get_by_role("heading", name="Recent geopend")).to_be_visible()
    expect(agent.locator(".console-acks")).to_have_count(0)

    boss.reload()
    boss.get_by_role("link", name="Bevestigingen: 1 van 2").click()
    expect(boss).to_have_url(re.compile(rf"/artikel/{slug}/bevestigingen$"))
    done = boss.locator("section").filter(
        has=boss.get_by_role("heading", name=re.compile(r"^Bevestigd"))
    )
    expect(done.locator("li")).to_have_count(1)
    expect(done.locator("li")).to_contain_text("Anouk Agent")
    waiting = boss.locator("section").filter(
        has=boss.get_by_role("heading", name=re.compile(r"^Nog niet bevestigd"))
    )
    expect(waiting.locator("li")).to_have_text(["Sanne Supervisor"])
    _shot(boss, "4-overview")
