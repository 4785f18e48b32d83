"""Search insights: searches grouped by normalised query, results nobody opened, and what an
editor makes of them: an article request, or a synonym line that the real search then uses."""

import shutil

import pytest
import sqlalchemy as sa

from kb import ROOT
from kb.audit.models import AuditEvent
from kb.dashboard import searches
from kb.dashboard.models import SearchClick
from kb.db import utcnow
from kb.extensions import db
from kb.search.log import record_search
from kb.tickets.models import ArticleRequest


def _shared(app) -> str:
    """The synonym list every host searches with (the database's, else the file)."""
    from pathlib import Path

    from kb.search.synonyms import shared_text

    with app.app_context():
        return shared_text(Path(app.config["KB_SYNONYMS_FILE"]))


@pytest.fixture
def synonym_file(app, tmp_path):
    """A copy of content/synoniemen.txt as the file this app's search reads."""
    path = tmp_path / "synoniemen.txt"
    shutil.copy(ROOT / "content" / "synoniemen.txt", path)
    app.config["KB_SYNONYMS_FILE"] = str(path)
    return path


def _search(client, q: str) -> str:
    return client.get("/zoeken", query_string={"q": q}).get_data(as_text=True)


def test_searches_without_results_are_grouped_by_normalised_query(app, client, login_as):
    for q in ("Glasvezel  Aansluiting", "glasvezel aansluiting ", "GLASVEZEL aansluiting"):
        assert "Niets gevonden" in _search(client, q)  # through the real search and its log
    with app.app_context():
        record_search("agent", "glasvézel aansluiting", 0, 2)
        record_search("anonymous", "tv pakket", 0, 2)
        record_search("anonymous", "glasvezel", 0, 2)
        groups = searches.grouped(utcnow().replace(year=2000))
    found = {g.query: (g.without_results, g.customers) for g in searches.without_results(groups)}
    assert found == {"glasvezel aansluiting": (4, 3), "tv pakket": (1, 1), "glasvezel": (1, 1)}
    assert searches.normalise("  Café\tDE  Wit ") == "cafe de wit"

    login_as("editor")
    page = client.get("/inzichten?dagen=7").get_data(as_text=True)
    assert page.count('data-query="glasvezel aansluiting"') == 2  # without results, and top
    assert page.index("glasvezel aansluiting") < page.index("tv pakket")  # most frequent first


def test_opened_results_are_noted_without_a_person(app, client, login_as, make_document, make_user):
    slug = make_document("Factuur betalen", "Betaal uw factuur binnen veertien dagen.")
    internal = make_document("Factuur corrigeren", "Alleen intern.", audience="internal")
    page = _search(client, "factuur")
    assert f'href="/zoeken/geopend/{slug}?q=factuur"' in page  # results go through the note
    _search(client, "Factuur  betalen 0612345678")  # logged masked, as the click will be
    opened = client.get(
        f"/zoeken/geopend/{slug}", query_string={"q": "Factuur  betalen 0612345678"}
    )
    assert opened.status_code == 303 and opened.headers["Location"].endswith(f"/artikel/{slug}")
    assert client.get(f"/zoeken/geopend/{internal}?q=factuur").status_code == 404
    with app.app_context():
        (click,) = db.session.scalars(sa.select(SearchClick)).all()
        assert (click.query, click.audience) == ("factuur betalen [telefoon]", "anonymous")
        assert set(SearchClick.__table__.columns.keys()) == {
            "id",
            "query",
            "document_id",
            "audience",
            "created_at",
        }
        groups = searches.grouped(utcnow().replace(year=2000))
    assert [g.query for g in searches.unopened(groups)] == ["factuur"]  # nobody opened one
    assert groups["factuur betalen [telefoon]"].clicks == 1
    assert (groups["factuur"].with_results, groups["factuur"].unopened) == (1, 1)
    assert groups["factuur betalen [telefoon]"].unopened == 0

    login_as("editor")
    insights = client.get("/inzichten").get_data(as_text=True)
    section = insights[insights.index('id="niets-geopend"') : insights.index('id="meest-gezocht"')]
    assert 'data-query="factuur"' in section and "factuur betalen" not in section


def test_an_editor_turns_a_search_into_a_request(app, client, login_as):
    with app.app_context():
        for _ in range(3):
            record_search("anonymous", "Glasvezel aansluiten", 0, 2)
    login_as("editor")
    page = client.get("/inzichten").get_data(as_text=True)
    assert 'name="title" value="Glasvezel aansluiten"' in page  # the title is filled in
    response = client.post_form(
        "/inzichten/verzoek?dagen=30",
        {"q": "glasvezel aansluiten", "title": "Glasvezel laten aansluiten"},
    )
    assert response.status_code in (302, 303)
    assert "/verzoeken#verzoek-" in response.headers["Location"]
    with app.app_context():
        found = db.session.scalar(sa.select(ArticleRequest))
        assert found.title == "Glasvezel laten aansluiten"
        assert "glasvezel aansluiten" in found.details
    queue = client.get("/verzoeken").get_data(as_text=True)
    assert "3 keer gezocht zonder resultaat" in queue and "“glasvezel aansluiten” (3×)" in queue
    # The insights now say an open request covers it, instead of inviting another one.
    assert "Past bij verzoek" in client.get("/inzichten").get_data(as_text=True)
    refused = client.post_form("/inzichten/verzoek", {"q": "x", "title": ""})
    assert refused.status_code in (302, 303)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ArticleRequest.id))) == 1


@pytest.mark.search
def test_mapping_a_search_to_a_document_adds_a_synonym_the_search_uses(
    app, client, login_as, make_document, synonym_file
):
    slug = make_document(
        "Storing internet melden",
        "Meld een storing aan uw internetverbinding via de storingslijn.",
        category="storingen",
    )
    assert "Niets gevonden" in _search(client, "lampje knippert rood")
    login_as("editor")
    proposal = client.get(
        "/inzichten/synoniem", query_string={"q": "Lampje  knippert ROOD", "document": slug}
    )
    assert proposal.status_code == 200
    line = "lampje knippert rood, storing internet melden"
    assert f'<pre class="synonym-line" id="synonym-line">{line}</pre>' in proposal.get_data(
        as_text=True
    )
    assert line not in _shared(app)  # nothing written before the confirmation
    done = client.post_form("/inzichten/synoniem", {"q": "lampje knippert rood", "document": slug})
    assert done.status_code in (302, 303)
    text = _shared(app)
    assert text.endswith(f"\n{line}\n") and text.count(line) == 1
    assert text.startswith("# Synoniemen voor de zoekfunctie")  # the rest is untouched
    after = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Storing internet melden" in after and "gekoppeld" in after
    # The customer's words now find the document, for a customer, through the real search.
    customer = app.test_client()
    page = customer.get("/zoeken", query_string={"q": "lampje knippert rood"}).get_data(
        as_text=True
    )
    assert f"/zoeken/geopend/{slug}?" in page and "Niets gevonden" not in page
    api = customer.get("/api/v1/search", query_string={"q": "Lampje knippert rood"}).get_json()
    assert [r["slug"] for r in api["results"]][:1] == [slug]
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "synonym.add"))
        assert event.target_id == slug and event.detail["line"] == line
    # A second time says it is there already and writes nothing.
    again = client.get(
        "/inzichten/synoniem", query_string={"q": "lampje knippert rood", "document": slug}
    ).get_data(as_text=True)
    assert "staat al in het synoniemenbestand" in again
    client.post_form("/inzichten/synoniem", {"q": "lampje knippert rood", "document": slug})
    assert _shared(app).count(line) == 1


def test_a_synonym_needs_plain_words_and_a_published_document(
    app, client, login_as, make_document, synonym_file
):
    slug = make_document("Modem resetten", "Houd de knop ingedrukt.")
    draft = make_document("Nieuwe modem", "Concept.", publish=False)
    before = _shared(app)
    login_as("editor")
    for q, document, says in (
        ("bel [telefoon]", slug, "afgeschermde gegevens"),
        ("lampje rood", draft, "gepubliceerd document"),
        ("modem resetten", slug, "precies de woorden van de titel"),
        ("lampje rood", "bestaat-niet", None),
    ):
        response = client.post_form("/inzichten/synoniem", {"q": q, "document": document})
        if says is None:
            assert response.status_code == 404
            continue
        assert response.status_code in (302, 303)
        assert says in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _shared(app) == before
