"""The agent console: who gets it, what it finds in which order, and what an open counts."""

import pytest

from tests.helpers import login


@pytest.fixture
def desk(make_document):
    """A script, an internal article and a public article that all answer 'opzeggen'."""
    return {
        "script": make_document(
            "Opzeggen aan de telefoon",
            "## Vraag naar de reden\n\n> Mag ik vragen waarom u wilt opzeggen, {{klantnaam}}?",
            kind="script",
            audience="internal",
            channel="phone",
            category="gesprekken",
        ),
        "chat": make_document(
            "Opzeggen via de chat",
            "## Bevestig\n\nUw opzegging is ontvangen.",
            kind="script",
            audience="internal",
            channel="chat",
            category="gesprekken",
        ),
        "internal": make_document(
            "Werkwijze bij opzeggen",
            "Intern: bied eerst een oplossing aan voordat u het opzeggen verwerkt.",
            audience="internal",
            category="werkwijze",
        ),
        "public": make_document(
            "Contract opzeggen",
            "U kunt uw contract opzeggen met een opzegtermijn van een maand.",
            category="contract",
        ),
    }


def test_only_agents_and_up_get_the_console(client, make_user):
    assert "/inloggen" in client.get("/console").headers["Location"]
    assert "/inloggen" in client.get("/console/zoeken?q=opzeggen").headers["Location"]
    for role in ("agent", "editor", "admin"):
        user = make_user(role)
        response = login(client, user)
        assert response.headers["Location"].endswith("/console"), role
        page = client.get("/console")
        assert page.status_code == 200
        assert page.headers["Cache-Control"] == "no-store"
        assert 'name="q"' in page.get_data(as_text=True)
        client.post_form("/uitloggen")


def test_a_requested_page_wins_over_the_console_after_login(client, make_user, make_document):
    slug = make_document("Intern stuk", "Tekst.", audience="internal")
    user = make_user("agent")
    response = client.post_form(
        f"/inloggen?next=/artikel/{slug}", {"email": user.email, "password": user.password}
    )
    assert response.headers["Location"].endswith(f"/artikel/{slug}")


def test_results_come_scripts_first_then_internal_then_public(client, desk, make_user):
    login(client, make_user("agent"))
    body = client.get("/console/zoeken?q=opzeggen").get_json()
    slugs = [r["slug"] for r in body["results"]]
    assert set(slugs) == set(desk.values())
    groups = ["script" if r["kind"] == "script" else r["audience"] for r in body["results"]]
    assert groups == sorted(groups, key=["script", "internal", "public"].index)
    first = body["results"][0]
    assert first["open"] == f"/console/document/{first['slug']}"


def test_a_channel_chip_keeps_only_that_channels_scripts(client, desk, make_user):
    login(client, make_user("agent"))
    body = client.get("/console/zoeken?q=opzeggen&kanaal=chat").get_json()
    assert [r["slug"] for r in body["results"]] == [desk["chat"]]


def test_titles_are_found_while_still_typing(client, desk, make_user):
    login(client, make_user("agent"))
    body = client.get("/console/zoeken?q=opz").get_json()
    assert desk["script"] in [r["slug"] for r in body["results"]]


def test_opening_a_script_renders_it_in_place_and_counts_for_the_team(client, desk, make_user):
    login(client, make_user("agent"))
    assert "Nog geen scripts geopend" in client.get("/console").get_data(as_text=True)
    fragment = client.get(f"/console/document/{desk['script']}")
    assert fragment.status_code == 200
    html = fragment.get_data(as_text=True)
    assert "<article" in html and "<html" not in html  # a fragment, not a page
    assert "{{klantnaam}}" in html  # left for the browser to fill in
    client.get(f"/console/document/{desk['script']}")
    client.get(f"/console/document/{desk['chat']}")
    page = client.get("/console").get_data(as_text=True)
    popular = page.split("Meest gebruikt door het team")[1]
    assert popular.index("Opzeggen aan de telefoon") < popular.index("Opzeggen via de chat")
    assert "2 keer" in popular


def test_a_public_article_offers_its_public_link(client, desk, make_user):
    login(client, make_user("agent"))
    html = client.get(f"/console/document/{desk['public']}").get_data(as_text=True)
    assert "kopieer publieke link" in html
    assert f'data-copy-link="http://localhost/artikel/{desk["public"]}"' in html
    html = client.get(f"/console/document/{desk['internal']}").get_data(as_text=True)
    assert "kopieer publieke link" not in html


def test_customers_never_meet_a_script(client, desk):
    """Not in results, counts, facets, suggestions or pages."""
    page = client.get("/zoeken?q=opzeggen").get_data(as_text=True)
    assert "Contract opzeggen" in page
    assert "Opzeggen aan de telefoon" not in page and "Werkwijze" not in page
    api = client.get("/api/v1/search?q=opzeggen").get_json()
    assert [r["slug"] for r in api["results"]] == [desk["public"]]
    assert api["total"] == 1 and "script" not in api["facets"].get("kind", {})
    assert client.get("/api/v1/search?q=opzeggen&kind=script").get_json()["total"] == 0
    suggestions = client.get("/zoeken/suggesties?q=opze").get_json()["suggestions"]
    assert [s["slug"] for s in suggestions] == [desk["public"]]
    assert client.get(f"/artikel/{desk['script']}").status_code == 404
    assert client.get(f"/api/v1/documents/{desk['script']}").status_code == 404


def test_search_pages_label_internal_documents_for_agents(client, desk, make_user):
    login(client, make_user("agent"))
    page = client.get("/zoeken?q=opzeggen").get_data(as_text=True)
    werkwijze = page.split("Werkwijze bij opzeggen")[1].split("</li>")[0]
    assert ">intern<" in werkwijze
    contract = page.split("Contract opzeggen</a>")[1].split("</li>")[0]
    assert "kopieer publieke link" in contract and ">intern<" not in contract
    suggestions = client.get("/zoeken/suggesties?q=opzeggen").get_json()["suggestions"]
    by_slug = {s["slug"]: s for s in suggestions}
    assert by_slug[desk["internal"]]["audience"] == "internal"
    assert by_slug[desk["script"]]["channel"] == "phone"


def test_a_stray_script_never_buries_the_right_article(client, make_document, make_user):
    article = make_document(
        "Wachtwoord vergeten",
        "Bent u uw wachtwoord vergeten? Vraag een nieuw wachtwoord aan via Mijn Polderlink.",
    )
    script = make_document(
        "Begroeting aan de telefoon",
        "## Begroet\n\n> Goedemorgen, u spreekt met {{agent}} van Polderlink.\n\n"
        "## Luister\n\nLaat de klant uitpraten over modem, factuur, verhuizing, storing of "
        "wat het ook is; vraag pas daarna naar een klantnummer of wachtwoord.",
        kind="script",
        audience="internal",
        channel="phone",
    )
    login(client, make_user("agent"))
    slugs = [r["slug"] for r in client.get("/console/zoeken?q=wachtwoord").get_json()["results"]]
    assert slugs == [article, script]
