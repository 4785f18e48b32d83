"""Search on a knowledge base with nothing the searcher may find: no documents at all, only
hidden ones, or the last one just archived. Each answers "nothing found", never a 500."""

import pytest

from kb.auth.models import User
from kb.documents import service as documents
from kb.documents.models import Document
from kb.extensions import db

pytestmark = pytest.mark.search


@pytest.fixture
def app(app):
    app.config["KB_SEARCH_CATCH_UP_SECONDS"] = 0
    return app


def assert_finds_nothing(client, headers=None):
    for q in ("storing", "storng", ""):  # a word, a typo, and browsing everything
        response = client.get("/api/v1/search", query_string={"q": q}, headers=headers or {})
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        data = response.get_json()
        assert (data["total"], data["results"], data["suggestion"]) == (0, [], None)
        assert all(counts == {} for counts in data["facets"].values())
    filtered = client.get("/api/v1/search?q=storing&category=storingen", headers=headers or {})
    assert filtered.status_code == 200 and filtered.get_json()["total"] == 0
    suggest = client.get("/api/v1/search/suggest?q=sto", headers=headers or {})
    assert suggest.status_code == 200 and suggest.get_json()["suggestions"] == []
    page = client.get("/zoeken?q=storing", headers=headers or {})
    assert page.status_code == 200 and "0 resultaten" in page.text
    assert client.get("/zoeken/suggesties?q=sto").get_json()["suggestions"] == []


def test_a_knowledge_base_without_documents(client):
    assert_finds_nothing(client)


def test_only_documents_the_searcher_may_not_see(client, make_document):
    make_document("Storing intern", "Storing bij de centrale.", audience="internal")
    make_document("Storing concept", "Storing in concept.", publish=False)
    assert_finds_nothing(client)


def test_right_after_the_last_document_is_archived(app, client, runner, make_document, make_user):
    """The index still holds the archived documents, deleted; rebuilt (`kb search reindex`,
    a new host) it holds nothing at all: no Whoosh segment."""
    slugs = [
        make_document(f"Storing {n}", "Meld een storing.", category="storingen") for n in range(6)
    ]
    editor = make_user("editor")
    assert client.get("/api/v1/search?q=storing").get_json()["total"] == len(slugs)
    with app.test_request_context():
        actor = db.session.get(User, editor.id)
        for slug in slugs:
            doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
            documents.archive(doc, actor)
    assert_finds_nothing(client)
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    assert_finds_nothing(client)
    # The index takes documents again afterwards.
    again = make_document("Storing opgelost", "De storing is voorbij.", category="storingen")
    assert [r["slug"] for r in client.get("/api/v1/search?q=storing").get_json()["results"]] == [
        again
    ]
