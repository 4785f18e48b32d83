"""'Was dit nuttig?' counts once per reader per document per day, through the API and the page,
and any one client address votes at most 60 times an hour (kb.feedback.vote_limit)."""

from kb.extensions import db
from kb.feedback.models import Vote
from tests.helpers import login


def _votes(app) -> int:
    with app.app_context():
        return len(db.session.scalars(db.select(Vote.id)).all())


def _from(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_one_api_vote_per_client_per_document_per_day(app, client, make_document):
    slug = make_document("Wifi traag", "Zet de Thuisbox hoger.")
    url = f"/api/v1/documents/{slug}/feedback"
    answers = [client.post(url, json={"helpful": True}).status_code for _ in range(25)]
    assert answers.count(201) == 1 and answers.count(429) == 24
    refused = client.post(url, json={"helpful": False})
    assert refused.content_type == "application/problem+json"
    assert "already voted on this document today" in refused.get_json()["detail"]
    assert int(refused.headers["Retry-After"]) > 3600  # tomorrow, not in a minute
    assert _votes(app) == 1
    # Another document, and another client, still count.
    other = make_document("Modem resetten", "Houd de knop tien seconden in.")
    assert (
        client.post(f"/api/v1/documents/{other}/feedback", json={"helpful": True}).status_code
        == 201
    )
    assert client.post(url, json={"helpful": True}, **_from("192.0.2.7")).status_code == 201
    assert _votes(app) == 3


def test_a_token_holder_votes_once_per_document_from_any_address(
    app, client, make_document, make_user, token_for
):
    slug = make_document("Storing melden", "Interne stappen.", audience="internal")
    headers = token_for(make_user("agent"))
    url = f"/api/v1/documents/{slug}/feedback"
    assert client.post(url, headers=headers, json={"helpful": True}).status_code == 201
    again = client.post(url, headers=headers, json={"helpful": True}, **_from("198.51.100.4"))
    assert again.status_code == 429
    # A colleague behind the same office address is another reader.
    colleague = token_for(make_user("agent"))
    assert client.post(url, headers=colleague, json={"helpful": False}).status_code == 201
    assert _votes(app) == 2


def test_a_client_votes_at_most_sixty_times_an_hour(app, client, make_document):
    slugs = [make_document(f"Vraag {n}", "Antwoord.") for n in range(61)]
    answers = [
        client.post(f"/api/v1/documents/{s}/feedback", json={"helpful": True}).status_code
        for s in slugs
    ]
    assert answers[:60] == [201] * 60 and answers[60] == 429
    assert _votes(app) == 60


def test_the_page_counts_a_browser_once_and_an_address_a_few_times(app, make_document):
    slug = make_document("Wifi traag", "Zet de Thuisbox hoger.")
    browsers = [app.test_client() for _ in range(11)]
    for browser in browsers:
        browser.post_form(f"/artikel/{slug}/stem", {"helpful": "nee"})
        browser.post_form(f"/artikel/{slug}/stem", {"helpful": "ja"})  # the session says: voted
    assert _votes(app) == 10  # ten browsers behind one address (a household, an office)
    late = app.test_client().post_form(
        f"/artikel/{slug}/stem", {"helpful": "ja"}, follow_redirects=True
    )
    page = late.get_data(as_text=True)
    assert "U heeft vandaag al gestemd op dit artikel." in page
    assert 'value="ja"' not in page  # no buttons that cannot count
    assert _votes(app) == 10
    # Another address still counts; and a "Nee" keeps its follow-up question.
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    elsewhere.post_form(f"/artikel/{slug}/stem", {"helpful": "nee"})
    response = elsewhere.post_form(f"/artikel/{slug}/stem", {"wanted": "de wifi-extender"})
    assert response.status_code in (302, 303)
    assert _votes(app) == 11
    with app.app_context():
        wanted = db.session.scalars(db.select(Vote.wanted).where(Vote.wanted != "")).all()
    assert wanted == ["de wifi-extender"]


def test_signed_in_readers_vote_once_per_document_even_in_a_new_session(
    app, make_document, make_user
):
    slug = make_document("Wifi traag", "Zet de Thuisbox hoger.")
    agent = make_user("agent")
    for _ in range(2):
        browser = app.test_client()
        login(browser, agent)
        browser.post_form(f"/artikel/{slug}/stem", {"helpful": "ja"})
    assert _votes(app) == 1
