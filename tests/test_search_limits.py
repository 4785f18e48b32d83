"""Bounded analysis: a pasted image or log in one document never stops saves or search.

One 50,000-character word used to take the save past gunicorn's 30 s and block every later
index update. These tests count the questions the analysis asks the index (each one is a
look-up in a real index), so they fail fast instead of hanging when the bound is lost.
"""

import random
import string

import pytest

from kb.documents.models import Document
from kb.extensions import db
from kb.search import highlight
from kb.search import service as search
from kb.search.analysis import MAX_WORD, Vocabulary, index_terms, index_words, stem
from kb.search.models import SearchOutbox

pytestmark = pytest.mark.search

LONG_WORD = "".join(random.Random(1).choices(string.ascii_letters + string.digits, k=200_000))


class Budgeted(Vocabulary):
    """A vocabulary that stops the test once the analysis has asked it ``limit`` questions:
    each question is an index look-up, so their number is what a save costs."""

    def __init__(self, words=(), limit: int = 10_000) -> None:
        super().__init__(words)
        self.asked, self.limit = 0, limit

    def _ask(self) -> None:
        self.asked += 1
        if self.asked > self.limit:
            raise AssertionError(f"analysis asked the vocabulary over {self.limit} questions")

    def has_word(self, word: str) -> bool:
        self._ask()
        return super().has_word(word)

    def has_stem(self, term: str) -> bool:
        self._ask()
        return super().has_stem(term)


def garbage(size: int, seed: int = 7) -> str:
    """Mixed junk as people paste it: base64 runs, punctuation, accents, digits, made-up
    letter runs of every length, and a few real words."""
    rng = random.Random(seed)
    pieces, total = [], 0
    while total < size:
        kind = rng.random()
        if kind < 0.05:
            piece = "".join(rng.choices(string.ascii_letters + string.digits + "+/", k=5000))
        elif kind < 0.5:
            piece = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(1, 90)))
        elif kind < 0.9:
            piece = "".join(
                rng.choices(string.printable + "éëïöüĳß€—İ\u0301", k=rng.randint(1, 40))
            )
        else:
            piece = rng.choice(["wachtwoord", "storing", "factuur", "modem", "internetstoring"])
        pieces.append(piece)
        total += len(piece) + 1
    return " ".join(pieces)[:size]


def test_one_huge_word_costs_the_analysis_nothing():
    vocabulary = Budgeted(["wachtwoord", "herstel"], limit=100)
    word = LONG_WORD[:150_000]  # the text stays within what is analysed (MAX_TEXT)
    terms, parts = index_terms(f"wachtwoordherstel {word} modem", vocabulary)
    assert terms == [stem("wachtwoordherstel"), stem("modem")]  # the long word is no word
    assert parts == [stem("wachtwoord"), stem("herstel")]  # compounds next to it still split
    assert index_words(LONG_WORD) == []
    html = str(highlight.snippet(f"Een modem. {LONG_WORD}", {"modem"}, vocabulary))
    assert "<mark>modem</mark>" in html


def test_five_megabytes_of_garbage_are_analysed_within_a_fixed_budget():
    text = garbage(5_000_000)
    vocabulary = Budgeted(vocabulary_of(text), limit=200_000)
    terms, _parts = index_terms(text, vocabulary)
    assert "wachtwoord" in terms[:1000] and all(len(t) <= MAX_WORD for t in terms)
    # Twice the text asks no more: the analysis stops at a fixed size, not at the end.
    twice = Budgeted(vocabulary.words, limit=200_000)
    index_terms(text + text, twice)
    assert twice.asked == vocabulary.asked
    assert highlight.snippet(text, {"wachtwoord"}, vocabulary).count("<mark>") >= 1


def vocabulary_of(text: str) -> list[str]:
    return [w for w in index_words(text) if len(w) >= 3][:5000]


def found(client, q, headers=None):
    response = client.get("/api/v1/search", query_string={"q": q}, headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return [r["slug"] for r in response.get_json()["results"]]


def test_a_document_with_a_huge_word_saves_and_everything_stays_searchable(
    client, make_user, token_for
):
    editor = token_for(make_user("editor"))
    body = f"Uw modem knippert rood. {LONG_WORD[:99_000]}"  # the longest body a save takes
    response = client.post(
        "/api/v1/documents",
        headers=editor,
        json={"kind": "article", "title": "Plaatje", "body": body, "category": "modem"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)[:300]
    slug = response.get_json()["slug"]
    assert (
        client.post(f"/api/v1/documents/{slug}/publish", headers=editor, json={}).status_code == 200
    )
    later = client.post(
        "/api/v1/documents",
        headers=editor,
        json={"kind": "article", "title": "Grutto", "body": "Een weidevogel.", "category": "x"},
    ).get_json()["slug"]
    client.post(f"/api/v1/documents/{later}/publish", headers=editor, json={})
    assert found(client, "modem knippert") == [slug]
    assert found(client, "weidevogel") == [later]  # the index queue did not get stuck
    assert found(client, LONG_WORD[:150]) == []  # not a word: nothing found (nor a 500)
    page = client.get("/zoeken", query_string={"q": "modem"})
    assert page.status_code == 200 and "Plaatje" in page.text


def test_too_big_a_body_is_refused_clearly_and_search_keeps_answering(
    client, make_user, token_for, make_document
):
    slug = make_document("Storing melden", "Meld een storing online.")
    editor = token_for(make_user("editor"))
    for body, status in ((garbage(150_000), 422), (garbage(5_000_000), 413)):
        response = client.post(
            "/api/v1/documents",
            headers=editor,
            json={"kind": "article", "title": "Te groot", "body": body, "category": "x"},
        )
        assert response.status_code == status
        assert response.content_type == "application/problem+json"
    assert found(client, "storing") == [slug]


def test_five_megabytes_through_the_index_update_path(app, client, make_document):
    """The service refuses such bodies, so the stored HTML is written directly here: the
    index update must take it within its budget and later updates must still land."""
    slug = make_document("Logbestand", "Kort.")
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        revision = doc.revisions[-1]
        revision.html = f"<p>kwartelkoning {garbage(5_000_000)}</p>"
        db.session.add(SearchOutbox(document_id=doc.id))
        db.session.commit()
        assert search.sync() >= 1
    later = make_document("Grutto", "Een weidevogel.")
    assert found(client, "kwartelkoning") == [slug]
    assert found(client, "weidevogel") == [later]
    with app.app_context():
        assert search.check() == []
