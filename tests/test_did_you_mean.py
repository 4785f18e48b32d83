"""What a searcher reads besides the results: 'Bedoelde u …?' only when the corrected query is
clearly better, and snippets that show a link's words, never its slug."""

import pytest

pytestmark = pytest.mark.search

# query -> the suggestion a customer should see (None: none at all)
PAIRS = {
    "glasvezel prijs": None,
    "script opzeggen": None,  # not "schrikt opzeggen": scripts are internal, the rest works
    "i need help": None,  # not "i neem help"
    "monteur kwam niet opdagen": None,  # not "ophalen"
    "facutur": "factuur",
    "verhuisen": "verhuizen",
    "wachtwrod vergeten": "wachtwoord vergeten",
    "internet doet het neit": "internet doet het niet",  # a slip in a stop word
    "factuur betalne": "factuur betalen",
}


@pytest.fixture
def loaded(app, runner):
    result = runner.invoke(args=["content", "import"])
    assert result.exit_code == 0, result.output
    return app


def test_suggestions_only_improve_the_query(loaded, client):
    got = {
        q: client.get("/api/v1/search", query_string={"q": q}).get_json()["suggestion"]
        for q in PAIRS
    }
    assert got == PAIRS


def test_a_rejected_correction_does_not_steer_the_results(loaded, client):
    found = client.get("/api/v1/search", query_string={"q": "script opzeggen"}).get_json()
    assert found["results"][0]["slug"] == "contract-opzeggen"
    found = client.get("/api/v1/search", query_string={"q": "i need help"}).get_json()
    assert found["results"][0]["slug"] == "help-in-english"
    found = client.get("/api/v1/search", query_string={"q": "internet doet het neit"}).get_json()
    assert "internet-werkt-niet" in [r["slug"] for r in found["results"][:3]]


def test_snippets_show_a_links_title_never_its_slug(client, make_document, make_user, token_for):
    make_document("Wifi traag of valt weg", "Zet de Thuisbox op een open plek.")
    make_document("Interne wifi-aanpak", "Vraag naar het aantal wifi-punten.", audience="internal")
    make_document(
        "Draadloos internet",
        "Valt het draadloos internet weg? Lees dan [[wifi-traag-of-valt-weg]] of "
        "[[interne-wifi-aanpak]], of [[wifi-traag-of-valt-weg|onze wifi-tips]] voor draadloos.",
    )
    snippet = client.get("/api/v1/search?q=draadloos").get_json()["results"][0]["snippet"]
    words = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "Lees dan Wifi traag of valt weg" in words and "onze wifi-tips" in words
    assert "wifi-traag-of-valt-weg" not in snippet
    assert "interne-wifi-aanpak" not in snippet and "Interne wifi-aanpak" not in snippet
    agent = token_for(make_user("agent"))
    found = client.get("/api/v1/search?q=draadloos", headers=agent).get_json()["results"]
    snippet = next(r["snippet"] for r in found if r["slug"] == "draadloos-internet")
    words = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "Interne wifi-aanpak" in words and "interne-wifi-aanpak" not in words
