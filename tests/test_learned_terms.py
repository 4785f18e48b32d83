"""Learning the customer's words: a ticket subject that found nothing finds the document it
was resolved with, once two tickets said it; masked, and editors (only) can take it back."""

import pytest
from sqlalchemy import select

from kb.audit.models import AuditEvent
from kb.auth.models import User
from kb.extensions import db
from kb.search.models import LearnedTerm
from kb.tickets import article_requests
from kb.tickets import service as tickets
from kb.tickets.schemas import RequestDecision, ResolveInput, TicketCreate
from tests.helpers import login

pytestmark = pytest.mark.search

PHRASE = "kastje bevriest steeds"


@pytest.fixture
def app(app):
    app.config["KB_SEARCH_CATCH_UP_SECONDS"] = 0
    return app


@pytest.fixture
def thuisbox(make_document):
    make_document(
        "Uw factuur betalen",
        "U kunt de factuur betalen met iDEAL of automatische incasso.",
        slug="factuur-betalen",
    )
    make_document(
        "Storing melden",
        "Is het kastje in de meterkast kapot, of knippert er een rood lampje op de voorkant? "
        "Meld dan een storing bij de storingsdienst; een monteur komt langs.",
        slug="storing-melden",
    )
    return make_document(
        "Thuisbox resetten",
        "Houd de resetknop op de achterkant tien seconden ingedrukt. Daarna gaan alle "
        "lampjes opnieuw branden en is de verbinding na een paar minuten terug.",
        slug="thuisbox-resetten",
        category="internet",
    )


@pytest.fixture
def resolve_with(app, make_user):
    """Open a ticket with ``subject`` and resolve it with document ``slug``, as an agent."""
    agent = make_user("agent")
    counter = iter(range(1, 1000))

    def do(slug: str | None, subject: str, **how) -> int:
        with app.app_context():
            by = db.session.get_one(User, agent.id)
            data = {
                "external_ref": f"T-{next(counter)}",
                "subject": subject,
                "channel": "phone",
                "confirm_personal_data": True,
            }
            ticket = tickets.create_ticket(by, TicketCreate.model_validate(data))
            how = how or {"document": slug}
            tickets.resolve(ticket, by, ResolveInput.model_validate(how))
            return ticket.id

    return do


def found(client, text: str) -> list[str]:
    """Slugs an anonymous customer finds for ``text`` (the API without a token)."""
    response = client.get("/api/v1/search", query_string={"q": text})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [r["slug"] for r in response.get_json()["results"]]


def stored(app) -> list[tuple[str, int, bool]]:
    with app.app_context():
        rows = db.session.execute(
            select(LearnedTerm.phrase, LearnedTerm.count, LearnedTerm.is_removed).order_by(
                LearnedTerm.id
            )
        )
        return [tuple(r) for r in rows]


def test_two_tickets_teach_search_the_customers_words(app, client, thuisbox, resolve_with):
    assert thuisbox not in found(client, PHRASE)

    resolve_with(thuisbox, "Kastje bevriest steeds")
    assert thuisbox not in found(client, PHRASE)  # one odd ticket never changes search

    resolve_with(thuisbox, "kastje  bevriest STEEDS")
    assert found(client, PHRASE)[0] == thuisbox
    assert found(client, "kastje bevriest")[0] == thuisbox
    # Below title and body: the document's own words still rank it as before.
    assert found(client, "thuisbox resetten")[0] == thuisbox
    # A document that has the word in its body still comes first for that word alone.
    assert found(client, "kastje") == ["storing-melden", thuisbox]
    assert stored(app) == [(PHRASE, 2, False)]


def test_a_rebuilt_index_keeps_them(app, client, runner, thuisbox, resolve_with):
    for _ in range(2):
        resolve_with(thuisbox, "Kastje bevriest steeds")
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 0, check.output
    assert found(client, PHRASE)[0] == thuisbox


def test_tickets_linked_by_a_fulfilled_request_count_too(
    app, client, thuisbox, resolve_with, make_user
):
    first = resolve_with(None, "Kastje bevriest steeds", request={"title": "Kastje bevriest"})
    with app.app_context():
        request_id = tickets.get_ticket(first).request_id
    resolve_with(None, "kastje bevriest steeds", request_id=request_id)
    assert stored(app) == []
    editor = make_user("editor")
    with app.app_context():
        found_request = article_requests.get_request(request_id)
        by = db.session.get_one(User, editor.id)
        article_requests.fulfil_request(
            found_request, by, RequestDecision.model_validate({"document": thuisbox})
        )
    assert stored(app) == [(PHRASE, 2, False)]
    assert found(client, PHRASE)[0] == thuisbox


def test_only_the_masked_subject_is_kept(app, client, thuisbox, resolve_with):
    for _ in range(2):
        resolve_with(thuisbox, "Kastje piept, mail jan.jansen@example.nl of bel 06-12345678")
    resolve_with(thuisbox, "PL-12345678 06 98765432")  # nothing but personal data: not kept
    [(phrase, count, _removed)] = stored(app)
    assert phrase == "kastje piept, mail [e-mail] of bel [telefoon]"
    assert count == 2
    assert found(client, "kastje piept")[0] == thuisbox
    assert thuisbox not in found(client, "jansen")
    assert thuisbox not in found(client, "telefoon")  # a placeholder is not a word


def test_reopening_a_ticket_does_not_count_twice(app, client, thuisbox, resolve_with):
    ticket_id = resolve_with(thuisbox, "Kastje bevriest steeds")
    with app.app_context():
        ticket = tickets.get_ticket(ticket_id)
        by = ticket.created_by
        tickets.reopen(ticket, by)
        tickets.resolve(ticket, by, ResolveInput.model_validate({"document": thuisbox}))
    assert stored(app) == [(PHRASE, 1, False)]
    assert thuisbox not in found(client, PHRASE)


def test_editors_see_and_remove_learned_phrases(app, client, thuisbox, resolve_with, make_user):
    for _ in range(2):
        resolve_with(thuisbox, "Kastje bevriest steeds")
    page = f"/artikel/{thuisbox}"
    assert PHRASE not in client.get(page).get_data(as_text=True)  # anonymous

    agent = make_user("agent")
    login(client, agent)
    assert PHRASE not in client.get(page).get_data(as_text=True)
    with app.app_context():
        term_id = db.session.scalar(select(LearnedTerm.id))
    remove = f"/artikel/{thuisbox}/klantwoorden/{term_id}/verwijderen"
    assert client.post_form(remove).status_code == 404
    client.post_form("/uitloggen")

    login(client, make_user("editor"))
    assert PHRASE in client.get(page).get_data(as_text=True)
    assert client.post(remove).status_code == 400  # no CSRF token
    response = client.post_form(remove)
    assert response.headers["Location"].endswith(page)
    assert "vindt dit document niet meer" in client.get(page).get_data(as_text=True)
    assert PHRASE not in client.get(page).get_data(as_text=True)
    assert stored(app) == [(PHRASE, 2, True)]
    assert thuisbox not in found(client, PHRASE)

    resolve_with(thuisbox, "Kastje bevriest steeds")  # removed stays removed
    assert thuisbox not in found(client, PHRASE)
    assert client.post_form(remove).status_code == 404
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "document.learned_remove" in actions
