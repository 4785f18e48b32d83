"""Demand, the editors' queue order: linked tickets + matching searches without results + "Nee"
votes on related documents (or whose "Wat zocht u?" matches) + open suggestions. And the
"Wat zocht u?" that follows a "Nee": optional, masked, stored with the vote."""

import re
from datetime import timedelta

import sqlalchemy as sa

from kb.db import utcnow
from kb.documents.models import Document
from kb.extensions import db
from kb.feedback import service as feedback
from kb.feedback.models import Vote
from kb.feedback.schemas import CommentCreate, VoteFollowUp
from kb.search.log import record_search
from kb.search.models import SearchLog
from kb.tickets import article_requests
from kb.tickets.article_requests import related, terms
from tests.tickets.conftest import actor


def _doc(slug: str) -> Document:
    return db.session.scalar(sa.select(Document).where(Document.slug == slug))


def test_related_means_most_words_of_the_shorter_text():
    title = terms("Wifi extender koppelen")
    assert related(terms("wifi extender"), title)
    assert related(terms("Wífi-extenders koppelen?"), title)  # folded, stemmed
    assert related(terms("extender"), title)
    assert not related(terms("wifi wachtwoord vergeten"), title)
    assert not related(terms("de het een"), title)  # stop words say nothing
    assert not related(terms("bel [telefoon]"), terms("telefoon instellen"))  # masked: no word


def test_demand_counts_every_signal_and_says_why(
    app, agent, make_document, make_ticket, make_request, resolve
):
    wanted = make_request("Wifi extender koppelen")
    other = make_request("Factuur per post ontvangen")
    resolve(make_ticket(by=agent), agent, request_id=wanted)
    related_doc = make_document("Wifi extender plaatsen", "Zet hem halverwege.")
    unrelated = make_document("Modem resetten", "Houd de knop in.")
    with app.app_context():
        for q in ("wifi extender", "Wifi Extender", "extender koppelen", "tv zenders"):
            record_search("anonymous", q, 0, 1)
        record_search("anonymous", "wifi extender", 3, 1)  # found something: no demand
        old = SearchLog(
            query="wifi extender",
            audience="anonymous",
            result_count=0,
            took_ms=1,
            created_at=utcnow() - timedelta(days=91),
        )
        db.session.add(old)  # older than the 90 days demand looks back
        db.session.commit()
        near = _doc(related_doc)
        feedback.vote(near, False)  # a "Nee" on a related document
        feedback.vote(near, True)  # a "Ja" is no demand
        far = feedback.vote(_doc(unrelated), False)  # unrelated, but its answer matches
        feedback.follow_up(
            _doc(unrelated), far.id, VoteFollowUp(wanted="extender koppelen lukt niet")
        )
        feedback.vote(_doc(unrelated), False)  # unrelated and silent: not this request's
        feedback.add_comment(
            near, actor(agent), CommentCreate(body="Noem ook de app.", kind="suggestion")
        )
        feedback.add_comment(near, actor(agent), CommentCreate(body="Mooi stuk."))  # comment
        demand = article_requests.demand([wanted, other])
    d = demand[wanted]
    assert (d.tickets, d.searches, d.not_helpful, d.suggestions) == (1, 3, 2, 1)
    assert d.total == 7
    assert d.search_examples == [("wifi extender", 2), ("extender koppelen", 1)]
    assert d.answers == ["extender koppelen lukt niet"]
    assert d.documents == [(related_doc, "Wifi extender plaatsen")]
    assert demand[other].total == 0

    with app.app_context():  # the queue: highest demand first
        assert [r.id for r, _d in article_requests.list_requests()] == [wanted, other]


def test_the_queue_and_the_api_show_why(
    app, client, login_as, token_for, make_request, make_document
):
    wanted = make_request("Wifi extender koppelen")
    with app.app_context():
        record_search("anonymous", "wifi extender", 0, 1)
        record_search("anonymous", "wifi extender", 0, 1)
    editor = login_as("editor")
    page = client.get("/verzoeken").get_data(as_text=True)
    assert "2 keer gezocht zonder resultaat" in page and "“wifi extender” (2×)" in page
    (item,) = client.get("/api/v1/requests", headers=token_for(editor)).get_json()["items"]
    assert item["id"] == wanted and item["demand"] == 2
    assert item["why"] == {"tickets": 0, "searches": 2, "not_helpful": 0, "suggestions": 0}


def test_a_nee_asks_what_was_wanted_and_stores_it_masked(app, client, make_document, make_request):
    wanted = make_request("Wifi extender koppelen")
    slug = make_document("Wifi extender plaatsen", "Zet hem halverwege.")
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Was dit nuttig?" in page and "Wat zocht u?" not in page
    client.post_form(f"/artikel/{slug}/stem", {"helpful": "nee"})
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Wat zocht u?" in page and 'name="wanted"' in page and 'maxlength="300"' in page
    assert 'href="tel:08001234567"' in page and "Chat met een medewerker" in page
    assert "contactformulier" in page
    too_long = client.post_form(f"/artikel/{slug}/stem", {"wanted": "x" * 301})
    assert too_long.status_code == 400
    answer = "Hoe koppel ik de extender? Bel 06-12345678 of mail jan@example.nl, PL12345678"
    response = client.post_form(f"/artikel/{slug}/stem", {"wanted": answer})
    assert response.headers["Location"].endswith(f"/artikel/{slug}#nuttig")
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Wat zocht u?" not in page and "0800-1234567" in page  # asked once; still reachable
    again = client.post_form(f"/artikel/{slug}/stem", {"wanted": "nog een keer"})
    assert again.status_code == 400
    with app.app_context():
        (vote,) = db.session.scalars(sa.select(Vote)).all()
        assert vote.is_helpful is False
        assert vote.wanted == (
            "Hoe koppel ik de extender? Bel [telefoon] of mail [e-mail], [klantnummer]"
        )
        assert article_requests.demand([wanted])[wanted].not_helpful == 1
        assert set(Vote.__table__.columns.keys()) == {
            "id",
            "document_id",
            "revision_number",
            "is_helpful",
            "created_at",
            "wanted",
        }


def test_a_ja_asks_nothing_and_an_empty_answer_stores_nothing(app, client, make_document):
    slug = make_document("Wifi extender plaatsen", "Zet hem halverwege.")
    other = make_document("Modem resetten", "Houd de knop in.")
    client.post_form(f"/artikel/{slug}/stem", {"helpful": "ja"})
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Wat zocht u?" not in page and "Bedankt voor uw reactie!" in page
    assert client.post_form(f"/artikel/{slug}/stem", {"wanted": "iets"}).status_code == 400
    client.post_form(f"/artikel/{other}/stem", {"helpful": "nee"})
    client.post_form(f"/artikel/{other}/stem", {"wanted": "   "})
    with app.app_context():
        assert sorted(db.session.scalars(sa.select(Vote.wanted)).all()) == ["", ""]
        doc = _doc(other)
        assert feedback.vote_counts(doc) == {"ja": 0, "nee": 1}
        assert feedback.follow_up(doc, 999, VoteFollowUp(wanted="x")) is False


def test_an_editor_sees_the_answers_count_per_document(app, client, login_as, make_document):
    slug = make_document("Wifi extender plaatsen", "Zet hem halverwege.")
    client.post_form(f"/artikel/{slug}/stem", {"helpful": "nee"})
    client.post_form(f"/artikel/{slug}/stem", {"wanted": "hoe koppel ik hem"})
    login_as("editor")
    page = client.get("/dashboard").get_data(as_text=True)
    section = page[page.index('id="nuttigheid"') : page.index('id="te-laat"')]
    row = section[section.index(f'<tr data-slug="{slug}">') :].split("</tr>")[0]
    # ja, nee, share helpful, answers to "Wat zocht u?"
    assert re.findall(r'class="num">([^<]*)<', row) == ["0", "1", "0%", "1"]
