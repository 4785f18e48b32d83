"""Ticket pages, the console's ticket parts and the editors' request queue, through real forms."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from kb.extensions import db
from kb.tickets import article_requests, service
from kb.tickets.models import Ticket
from tests.helpers import login

FRAGMENT = {"X-KB-Fragment": "1"}


@pytest.fixture
def agent_client(client, agent):
    login(client, agent)
    return client


def _ticket_id(app, ref: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Ticket.id).where(Ticket.external_ref == ref))


def test_ticket_pages_are_for_agents_and_up(client, make_user, make_ticket, make_request):
    ticket = make_ticket()
    make_request()
    pages = ["/tickets", f"/tickets/{ticket}", "/tickets/nieuw", "/verzoeken"]
    for url in pages:
        assert "/inloggen" in client.get(url).headers["Location"], url
    login(client, make_user("agent"))
    for url in pages[:3]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/verzoeken").status_code == 404
    assert client.get("/tickets/9999").status_code == 404
    client.post_form("/uitloggen")
    login(client, make_user("editor"))
    queue = client.get("/verzoeken")
    assert queue.status_code == 200 and queue.headers["Cache-Control"] == "no-store"
    assert 'href="/verzoeken"' in client.get("/tickets").get_data(as_text=True)


def test_an_agent_creates_a_ticket_and_logs_an_agreement(app, agent_client):
    response = agent_client.post_form(
        "/tickets/nieuw",
        {
            "external_ref": "PL-2024-0042",
            "subject": "Modem knippert oranje",
            "channel": "chat",
            "priority": "high",
        },
    )
    ticket = _ticket_id(app, "PL-2024-0042")
    assert response.headers["Location"].endswith(f"/tickets/{ticket}")
    response = agent_client.post_form(
        f"/tickets/{ticket}/notities",
        {"kind": "agreement", "body": "Afgesproken: terugbellen dinsdag 10:00"},
    )
    assert response.headers["Location"].endswith(f"/tickets/{ticket}")
    page = agent_client.get(f"/tickets/{ticket}").get_data(as_text=True)
    agreements = page.split("Afspraken met de klant")[1].split("Notities")[0]
    assert "Afgesproken: terugbellen dinsdag 10:00" in agreements
    assert "Hoog" in page and "Chat" in page


def test_a_note_with_personal_data_takes_a_second_click(app, agent_client, make_ticket):
    ticket = make_ticket()
    note = {"kind": "note", "body": "Klant mailt vanaf piet@example.nl"}
    response = agent_client.post_form(f"/tickets/{ticket}/notities", note)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Bewaar alleen wat nodig is: dit lijkt een e-mailadres te bevatten." in page
    assert 'name="confirm_personal_data" value="1"' in page
    assert "piet@example.nl" in page  # the agent's text is kept in the form, not lost
    with app.app_context():
        assert service.get_ticket(ticket).notes == []
    response = agent_client.post_form(
        f"/tickets/{ticket}/notities", {**note, "confirm_personal_data": "1"}
    )
    assert response.headers["Location"].endswith(f"/tickets/{ticket}")
    with app.app_context():
        assert [n.body for n in service.get_ticket(ticket).notes] == [note["body"]]


def test_the_console_finds_a_ticket_by_reference_first_with_its_agreements(
    app, agent, agent_client, make_ticket, make_document
):
    make_document("Storing PL-7 melden", "Tekst over PL-7.", audience="internal")
    ticket = make_ticket("PL-7", subject="Geen internet")
    make_ticket("PL-70")
    agent_client.post_form(
        f"/tickets/{ticket}/notities", {"kind": "agreement", "body": "Coulance: €10 creditering"}
    )
    body = agent_client.get("/console/zoeken?q=pl-7").get_json()
    assert [t["ref"] for t in body["tickets"]] == ["PL-7", "PL-70"]
    first = body["tickets"][0]
    assert first["agreements"] == ["Coulance: €10 creditering"]
    assert first["open"] == f"/tickets/{ticket}" and first["status_label"] == "Open"
    assert agent_client.get("/console/zoeken?q=storing").get_json()["tickets"] == []
    panel = agent_client.get(first["open"], headers=FRAGMENT).get_data(as_text=True)
    assert panel.lstrip().startswith('<div class="console-fragment ticket-panel"')
    assert "Coulance: €10 creditering" in panel and "<html" not in panel


def test_two_keys_link_the_open_document_to_the_agents_latest_ticket(
    app, agent, agent_client, make_ticket, make_document
):
    slug = make_document("Modem resetten", "Houd de knop ingedrukt.", audience="internal")
    older = make_ticket("PL-1", by=agent)
    latest = make_ticket("PL-2", by=agent)
    fragment = agent_client.get(f"/console/document/{slug}").get_data(as_text=True)
    assert "data-ticket-picker hidden>" in fragment  # shown by the key t
    picker = fragment.split("data-ticket-picker hidden>")[1].split("</form>")[0]
    assert 'name="ticket" id="ticket-link-ref"' in picker
    assert 'value="PL-2"' in picker  # the most recent open ticket, pre-filled
    response = agent_client.post_form(
        "/tickets/koppelen", {"ticket": "PL-2", "document": slug}, headers=FRAGMENT
    )
    assert response.status_code == 200
    assert "is opgelost met dit document" in response.get_data(as_text=True)
    with app.app_context():
        resolved = service.get_ticket(latest)
        assert (resolved.status, resolved.revision_number, resolved.document.slug) == (
            "resolved",
            1,
            slug,
        )
        assert service.get_ticket(older).is_open
    again = agent_client.post_form(
        "/tickets/koppelen", {"ticket": "PL-2", "document": slug}, headers=FRAGMENT
    )
    assert again.status_code == 422 and "al opgelost" in again.get_data(as_text=True)
    unknown = agent_client.post_form(
        "/tickets/koppelen", {"ticket": "PL-404", "document": slug}, headers=FRAGMENT
    )
    assert "Geen ticket met referentie PL-404." in unknown.get_data(as_text=True)


def test_resolve_forms_on_the_ticket_page(app, agent_client, make_ticket, make_document):
    draft = make_document("Concept", "Nog niet.", publish=False)
    ticket = make_ticket()
    response = agent_client.post_form(f"/tickets/{ticket}/oplossen", {"document": draft})
    assert response.status_code == 422
    assert f"Geen gepubliceerd document &#39;{draft}&#39; gevonden." in response.get_data(
        as_text=True
    )
    response = agent_client.post_form(f"/tickets/{ticket}/oplossen", {"request_id": ""})
    assert response.status_code == 422 and "Er is niets gekozen." in response.get_data(as_text=True)
    response = agent_client.post_form(
        f"/tickets/{ticket}/oplossen",
        {"title": "Wifi-extender koppelen", "details": "Klant vroeg naar WPS."},
        headers=FRAGMENT,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Wacht op verzoek" in page
    with app.app_context():
        assert service.get_ticket(ticket).request.title == "Wifi-extender koppelen"
    response = agent_client.post_form(f"/tickets/{ticket}/heropenen", headers=FRAGMENT)
    assert "Oplossen" in response.get_data(as_text=True)
    with app.app_context():
        assert service.get_ticket(ticket).is_open


def test_an_editor_fulfils_a_request_from_the_queue(
    app, client, agent, editor, make_ticket, make_document, resolve, make_request
):
    quiet = make_request("Stil verzoek")
    ticket = make_ticket("PL-9", subject="Extender koppelen")
    created = resolve(ticket, agent, request={"title": "Wifi-extender koppelen"})
    request_id = created["request_id"]
    login(client, editor)
    page = client.get("/verzoeken").get_data(as_text=True)
    assert page.index("Wifi-extender koppelen") < page.index("Stil verzoek")  # demand first
    assert "1 ticket wacht hierop" in page and "PL-9" in page
    draft = make_document("Extender koppelen", "Stappen.", publish=False)
    response = client.post_form(f"/verzoeken/{request_id}/vervullen", {"document": draft})
    assert response.status_code == 422
    assert "alleen een gepubliceerd document" in response.get_data(as_text=True)
    slug = make_document("Wifi-extender koppelen", "Druk op WPS.", audience="internal")
    response = client.post_form(f"/verzoeken/{request_id}/vervullen", {"document": slug})
    assert response.headers["Location"].endswith(f"/verzoeken#verzoek-{request_id}")
    with app.app_context():
        linked = service.get_ticket(ticket)
        assert (linked.document.slug, linked.revision_number) == (slug, 1)
        assert article_requests.get_request(request_id).status == "done"
    ticket_page = client.get(f"/tickets/{ticket}").get_data(as_text=True)
    assert "Opgelost met" in ticket_page and "Wifi-extender koppelen" in ticket_page
    response = client.post_form(f"/verzoeken/{quiet}/afwijzen", {"reason": ""})
    assert response.status_code == 422
    client.post_form(f"/verzoeken/{quiet}/afwijzen", {"reason": "Staat al in de FAQ."})
    done = client.get("/verzoeken?status=rejected").get_data(as_text=True)
    assert "Staat al in de FAQ." in done


def test_an_agent_files_a_request_and_sees_overdue_tickets(app, agent_client, make_ticket):
    make_ticket("LATE-1", priority="urgent", opened_at=service.utcnow() - timedelta(hours=6))
    page = agent_client.get("/tickets").get_data(as_text=True)
    late = page.split("Over de antwoordtijd")[1].split("Mijn open tickets")[0]
    assert "LATE-1" in late and "nog geen reactie" in late
    response = agent_client.post_form(
        "/verzoeken/nieuw", {"title": "Nummerbehoud bij overstap", "details": ""}
    )
    assert response.headers["Location"].endswith("/tickets")
    with app.app_context():
        assert [r.title for r, _ in article_requests.list_requests()] == [
            "Nummerbehoud bij overstap"
        ]


def test_purge_command_anonymises_old_tickets(
    app, runner, agent, make_ticket, make_request, resolve
):
    ticket = make_ticket("OLD-7", subject="Klant verhuist naar Utrecht")
    resolve(ticket, agent, request_id=make_request())
    with app.app_context():
        db.session.execute(
            sa.update(Ticket)
            .where(Ticket.id == ticket)
            .values(resolved_at=service.utcnow() - timedelta(days=366))
        )
        db.session.commit()
    result = runner.invoke(args=["tickets", "purge", "--older-than", "365d"])
    assert result.exit_code == 0, result.output
    assert "Anonymised 1 tickets" in result.output
    with app.app_context():
        purged = service.get_ticket(ticket)
        assert purged.subject == "[geanonimiseerd]" and purged.request_id is not None
    bad = runner.invoke(args=["tickets", "purge", "--older-than", "soon"])
    assert bad.exit_code != 0 and "365d" in bad.output
