"""Issue 20: what an anonymous searcher sees may not depend on internal documents or drafts.

Scores, order, snippets, totals, facets, suggestions and "Bedoelde u" are recorded for a set
of public documents; then internal documents, drafts, a public document turned internal and
a pending draft of a public document, all full of the same words, are added. The anonymous
answers must stay byte for byte the same (on Whoosh, and on PostgreSQL full-text search).
"""

import re

import pytest

from kb.auth.models import SYSTEM
from kb.documents.models import Document
from kb.extensions import db

pytestmark = pytest.mark.search

PUBLIC = [
    ("Glasvezel aanvragen", "Vraag glasvezel aan via de website. Een monteur sluit glasvezel aan."),
    ("Storing op glasvezel", "Bij een storing op glasvezel herstart u eerst het kastje."),
    ("Glasvezel of kabel", "Glasvezel is sneller dan kabel. Kabel is overal beschikbaar."),
    ("Monteur afspraak", "De monteur komt tussen acht en twaalf. Bij een storing belt hij."),
    ("Router herstarten", "Herstart de router. Helpt dat niet, meld dan een storing."),
    # Two equal documents: their scores tie, so their order comes from the tie-break alone.
    ("Glasvezel kastje", "Het glasvezel kastje hangt in de meterkast."),
    ("Glasvezel kastje lampjes", "Het glasvezel kastje hangt in de meterkast."),
    ("Verhuizen met internet", "Bij een verhuizing neemt u uw internet mee, ook glasvezel."),
]

# What an anonymous caller asks: search, filters, pages, typos, phrases, suggestions.
ASKED = [
    "/api/v1/search?q=glasvezel",
    "/api/v1/search?q=glasvezel+storing",
    "/api/v1/search?q=storing+monteur",
    "/api/v1/search?q=%22glasvezel+kastje%22",
    "/api/v1/search?q=glasvezl",
    "/api/v1/search?q=storng+glasvezel",
    "/api/v1/search?q=glasvezel&category=internet",
    "/api/v1/search?q=glasvezel&limit=2&page=2",
    "/api/v1/search?q=kastje+geheimwoord",
    "/api/v1/search?q=",
    "/api/v1/search/suggest?q=glas",
    "/api/v1/search/suggest?q=glasvezel+k",
    "/api/v1/search/suggest?q=m",
    "/zoeken/suggesties?q=glas",
]
PAGES = ["/zoeken?q=glasvezel", "/zoeken?q=glasvezl", "/zoeken?q=glasvezel&category=internet"]

FULL = " ".join(["glasvezel storing monteur kastje geheimwoord glasvezels"] * 40)


def answers(client) -> dict[str, bytes]:
    got = {}
    for url in ASKED:
        response = client.get(url)
        assert response.status_code == 200, url
        got[url] = response.data
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        # The page may carry per-response tokens elsewhere; the results are in <main>.
        main = re.search(rb"<main.*?</main>", response.data, re.S)
        assert main is not None
        got[url] = re.sub(rb'name="csrf_token"[^>]*', b"", main.group(0))
    return got


def hide_everything(app, make_document) -> None:
    """Internal articles, scripts, drafts and changed documents, all full of the words."""
    for n in range(6):
        make_document(f"Glasvezel intern {n}", FULL, audience="internal", category="internet")
        make_document(f"Glasvezel concept {n}", FULL, publish=False, category="internet")
    make_document(
        "Glasvezel script storing",
        "## Stap\n\n" + FULL,
        kind="script",
        audience="internal",
        channel="phone",
        category="internet",
    )
    make_document("Glas", "glasvezel " * 5, audience="internal", category="internet")
    make_document("Glasvezel kastje concept", FULL, publish=False, category="internet")
    from kb.documents import service
    from kb.documents.schemas import DocumentUpdate

    # Published for everyone first, then made internal: the public version is gone.
    slug = make_document("Glasvezel geheim", FULL, category="internet")
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        service.save_revision(
            doc, SYSTEM, doc.current_number, DocumentUpdate(audience="internal", body=FULL + "!")
        )
        service.publish(doc, SYSTEM)
        # A pending (unpublished) edit of a public document, full of the words.
        doc = db.session.scalar(db.select(Document).where(Document.slug == "router-herstarten"))
        service.save_revision(
            doc, SYSTEM, doc.current_number, DocumentUpdate(title="Glasvezel router", body=FULL)
        )


def test_hidden_documents_change_nothing_an_anonymous_searcher_sees(app, client, make_document):
    for title, body in PUBLIC:
        make_document(title, body, category="internet" if "lasvezel" in body else "hulp")
    before = answers(client)
    first = before["/api/v1/search?q=glasvezel"]
    assert b'"glasvezel-kastje"' in first and b'"score"' in first
    assert b'"suggestion":"glasvezel"' in before["/api/v1/search?q=glasvezl"].replace(b" ", b"")
    hide_everything(app, make_document)
    after = answers(client)
    for url in before:
        assert after[url] == before[url], url


def test_equal_scores_keep_the_order_of_their_ids(app, client, make_document):
    """Documents that tie are ordered by id, whatever was indexed between them."""
    make_document("Kastje blauw", "Het kastje hangt in de meterkast.")
    make_document("Kastje intern", FULL, audience="internal")
    make_document("Kastje groen", "Het kastje hangt in de meterkast.")
    found = client.get("/api/v1/search?q=meterkast").get_json()["results"]
    assert [r["slug"] for r in found] == ["kastje-blauw", "kastje-groen"]
    assert found[0]["score"] == found[1]["score"]


def test_other_audiences_still_rank_with_what_they_may_read(
    app, client, make_document, make_user, token_for
):
    """Agents' scores count internal documents: their own statistics, not the public ones."""
    for title, body in PUBLIC:
        make_document(title, body)
    public = client.get("/api/v1/search?q=glasvezel").get_json()
    agent = token_for(make_user("agent"))
    hide_everything(app, make_document)
    seen = client.get("/api/v1/search?q=glasvezel&limit=50", headers=agent).get_json()
    slugs = [r["slug"] for r in seen["results"]]
    assert "glasvezel-intern-0" in slugs and "glasvezel-concept-0" not in slugs
    assert seen["total"] > public["total"]
    agents_view = {r["slug"]: r["score"] for r in seen["results"]}
    public_view = {r["slug"]: r["score"] for r in public["results"]}
    if app.config.get("KB_SEARCH_BACKEND") != "postgres":  # ts_rank has no collection stats
        assert agents_view["glasvezel-aanvragen"] != public_view["glasvezel-aanvragen"]


def test_compounds_are_split_with_words_their_readers_may_read(app, client, runner, make_document):
    """A public compound is split only by public words, so hidden documents that know its
    parts do not make it findable by them (after a rebuild, or a re-index by the outbox)."""
    make_document("Glasvezelkastje ophangen", "Hang het glasvezelkastje aan de muur.")
    make_document("Muur boren", "Boor een gat in de muur.")
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    asked = ["/api/v1/search?q=kastje", "/api/v1/search?q=glasvezel", "/api/v1/search?q=muur"]
    before = [client.get(url).data for url in asked]
    assert b'"total":0' in before[0].replace(b" ", b"")
    make_document("Kastje intern", "Het kastje en de glasvezel. " + FULL, audience="internal")
    make_document("Glasvezel concept", "Het kastje en de glasvezel.", publish=False)
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    assert [client.get(url).data for url in asked] == before
