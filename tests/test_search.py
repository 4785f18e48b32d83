"""Search behaviour a customer or agent notices: Dutch words, typos, compounds, synonyms,
phrases, ranking, filters, and never a hint of what the searcher may not read."""

import pytest

from kb import write_behind
from kb.extensions import db
from kb.search.models import SearchLog

pytestmark = pytest.mark.search


@pytest.fixture
def app(app):
    app.config["KB_SEARCH_CATCH_UP_SECONDS"] = 0
    return app


def api(client, headers=None, **params):
    response = client.get("/api/v1/search", query_string=params, headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def slugs(data):
    return [r["slug"] for r in data["results"]]


@pytest.fixture
def corpus(make_document):
    """A few articles; other words around them form the vocabulary compounds split against."""
    make_document(
        "Uw factuur betalen",
        "U kunt de factuur betalen met iDEAL of automatische incasso.",
        slug="factuur-betalen",
        category="facturen",
        tags=["betalen"],
    )
    make_document(
        "Contract opzeggen",
        "Wilt u opzeggen? Dat kan per maand. Beëindigen gaat online.",
        slug="opzeggen",
        category="contract",
    )
    make_document(
        "Wachtwoordherstel",
        "Gebruik wachtwoordherstel in Mijn Polderlink. Het "
        "wachtwoord kiest u zelf; herstel duurt een minuut.",
        slug="wachtwoordherstel",
        category="account",
    )
    make_document(
        "Internetstoring melden",
        "Bij een internetstoring belt u de storingslijn.",
        slug="internetstoring",
        category="storingen",
    )
    make_document(
        "Internet en storing algemeen",
        "Een storing in het internet of tv komt voor. Het internet valt soms uit.",
        slug="algemeen",
        category="storingen",
    )
    make_document(
        "Verhuizen",
        "Geef uw verhuizing vier weken vooraf door. De klachtencoördinator helpt bij problemen.",
        slug="verhuizen",
        category="verhuizen",
    )
    make_document(
        "Modem aansluiten",
        "Sluit de nieuwe modem aan op de glasvezelkast.",
        slug="modem-aansluiten",
        category="installatie",
        tags=["modem"],
    )
    make_document(
        "Oude apparatuur",
        "De modem is oud; een nieuwe komt per post.",
        slug="oude-apparatuur",
        category="installatie",
    )


@pytest.mark.parametrize(
    "query, expected",
    [
        ("facturen", "factuur-betalen"),
        ("betaald", "factuur-betalen"),
        ("betaling", "factuur-betalen"),
        ("opgezegd", "opzeggen"),
        ("beeindigen", "opzeggen"),
        ("klachtencoordinator", "verhuizen"),
        ("VERHUISD", "verhuizen"),
    ],
)
def test_inflections_accents_and_case(client, corpus, query, expected):
    assert slugs(api(client, q=query))[:1] == [expected]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("wachtwoord herstellen", "wachtwoordherstel"),
        ("storing internet", "internetstoring"),
    ],
)
def test_compounds_split_against_the_vocabulary(client, corpus, query, expected):
    assert expected in slugs(api(client, q=query))[:2]


def test_compound_query_finds_separate_words(client, corpus):
    # "internetstoring" as one word also finds a text that only says "storing ... internet".
    assert "algemeen" in slugs(api(client, q="internetstoring"))


@pytest.mark.parametrize(
    "query, expected, suggestion",
    [
        ("facutur", "factuur-betalen", "factuur"),
        ("wachtwoort", "wachtwoordherstel", "wachtwoord"),
        ("verhuisen", "verhuizen", "verhuizen"),
    ],
)
def test_typos_still_find_and_suggest(client, corpus, query, expected, suggestion):
    data = api(client, q=query)
    assert expected in slugs(data)[:3]
    assert data["suggestion"] == suggestion


def test_did_you_mean_on_the_page(client, corpus):
    page = client.get("/zoeken?q=facutur").get_data(as_text=True)
    assert 'id="did-you-mean">factuur</a>' in page


def test_synonyms_from_the_content_folder(client, corpus):
    assert slugs(api(client, q="nota"))[:1] == ["factuur-betalen"]  # rekening/factuur/nota
    assert "modem-aansluiten" in slugs(api(client, q="router"))


def test_exact_phrase(client, corpus):
    data = api(client, q='"nieuwe modem"')
    assert slugs(data) == ["modem-aansluiten"]
    assert set(slugs(api(client, q="nieuwe modem"))) == {"modem-aansluiten", "oude-apparatuur"}


def test_title_weighs_more_than_body(client, make_document):
    make_document("Algemene vragen", "Hier staat ook iets over de router.", slug="body-only")
    make_document("Router instellen", "Stel het apparaat in.", slug="in-title")
    assert slugs(api(client, q="router"))[:2] == ["in-title", "body-only"]


def test_snippets_mark_matches_and_escape_text(client, make_document):
    make_document("Code", "Typ `<script>` niet in de factuur, zegt de handleiding.", slug="code")
    snippet = api(client, q="factuur")["results"][0]["snippet"]
    assert "<mark>factuur</mark>" in snippet
    assert "&lt;script&gt;" in snippet and "<script>" not in snippet


def test_filters_facets_and_paging(client, make_document):
    for n in range(25):
        make_document(f"Storing {n}", "Er is een storing.", category="storingen", tags=["storing"])
    make_document(
        "Storing script",
        "Zeg: er is een storing.",
        kind="script",
        audience="internal",
        channel="phone",
        category="telefoon",
    )
    data = api(client, q="storing", limit=10, page=3)
    assert data["total"] == 25 and len(data["results"]) == 5 and data["pages"] == 3
    assert data["facets"]["category"] == {"storingen": 25}
    assert data["facets"]["tag"] == {"storing": 25}
    assert api(client, q="storing", category="geen")["total"] == 0
    assert api(client, q="storing", tag="storing", limit=1)["total"] == 25
    page = client.get("/zoeken?q=storing&category=storingen").get_data(as_text=True)
    assert "25 resultaten" in page and 'data-facet="category"' in page


def test_bad_parameters_are_422(client):
    assert client.get("/api/v1/search", query_string={"q": "x" * 201}).status_code == 422
    assert client.get("/api/v1/search?kind=brochure").status_code == 422
    assert client.get("/api/v1/search?limit=500").status_code == 422
    assert client.get("/api/v1/search/suggest?q=").status_code == 422


def test_only_the_published_revision_is_searched(client, app, make_document, make_user, token_for):
    slug = make_document("Storing", "Oude tekst.")
    editor = token_for(make_user("editor"))
    client.put(
        f"/api/v1/documents/{slug}",
        headers=editor,
        json={"base_revision": 1, "body": "Nieuwe tekst met kwartelkoning."},
    )
    assert api(client, headers=editor, q="kwartelkoning")["total"] == 0
    client.post(f"/api/v1/documents/{slug}/publish", headers=editor, json={})
    assert api(client, q="kwartelkoning")["total"] == 1  # visible right after publishing


SECRET = "zwartekraai"


@pytest.fixture
def secrets_corpus(make_document):
    make_document("Openbaar artikel", "Een gewoon artikel over de modem.", slug="openbaar")
    make_document(
        "Intern beleid",
        f"Het codewoord is {SECRET}.",
        slug="intern",
        audience="internal",
        category="geheim-intern",
        tags=["geheimtag"],
    )
    make_document(
        "Concept",
        f"Het concept noemt {SECRET}draft en {SECRET}.",
        slug="concept",
        publish=False,
        category="concept-cat",
    )


@pytest.mark.parametrize(
    "role, sees_internal",
    [
        ("anonymous", False),
        ("agent", True),
        ("editor", True),
        ("supervisor", True),
        ("admin", True),
    ],
)
def test_secret_words_never_leak(
    client, secrets_corpus, make_user, token_for, login_as, role, sees_internal
):
    headers = {} if role == "anonymous" else token_for(make_user(role))
    data = api(client, headers=headers, q=SECRET)
    assert slugs(data) == (["intern"] if sees_internal else [])
    assert data["total"] == (1 if sees_internal else 0)
    everything = api(client, headers=headers, q="")  # browse: facets over all visible
    assert "concept" not in slugs(everything)
    if not sees_internal:
        assert "geheim-intern" not in str(everything["facets"])
        assert "geheimtag" not in str(everything["facets"])
    # A typo of the secret word: no "did you mean" that reveals it.
    typo = api(client, headers=headers, q="zwartekraaj")
    if not sees_internal:
        assert typo["total"] == 0 and SECRET not in str(typo)
    # Drafts only for editors who ask, and never the draft's words for anyone else.
    drafts = api(client, headers=headers, q=f"{SECRET}draft", drafts="true")
    assert slugs(drafts) == (["concept"] if role in ("editor", "supervisor", "admin") else [])
    # Suggestions for search-as-you-type.
    suggest = client.get("/api/v1/search/suggest", query_string={"q": "intern"}, headers=headers)
    assert ("Intern beleid" in suggest.get_data(as_text=True)) == sees_internal
    concept = client.get("/api/v1/search/suggest", query_string={"q": "concep"}, headers=headers)
    assert "Concept" not in concept.get_data(as_text=True)
    # The web page, as the same role.
    if role != "anonymous":
        login_as(role)
    page = client.get("/zoeken", query_string={"q": SECRET}).get_data(as_text=True)
    assert ("Intern beleid" in page) == sees_internal
    assert "Concept" not in page.split("<main")[1]


def test_hidden_word_forms_do_not_change_what_others_are_told(make_document, client):
    """'kwartel' is only in an internal script: an anonymous customer who types it gets the
    same "Bedoelde u" (the visible 'kwartet') as if that script did not exist."""
    make_document("Het kwartet", "Een kwartet speelt vanavond.", slug="kwartet")
    make_document("Kwartels", "Intern: over de kwartels.", slug="kwartels", audience="internal")
    anonymous = api(client, q="kwartel")
    assert anonymous["suggestion"] == "kwartet"
    assert slugs(anonymous) == ["kwartet"]


def test_search_log_masks_personal_data_and_keeps_no_user(app, client, corpus, login_as):
    api(client, q="factuur jan@example.nl NL91ABNA0417164300 PL12345678 06-12345678 1234 AB 5")
    login_as("agent")
    client.get("/zoeken?q=storing")
    client.get("/api/v1/search/suggest?q=fac")  # suggestions are not logged
    with app.app_context():
        write_behind.flush()
        rows = db.session.scalars(db.select(SearchLog).order_by(SearchLog.id)).all()
        assert [(r.query, r.audience) for r in rows] == [
            ("factuur [e-mail] [iban] [klantnummer] [telefoon] [postcode]", "anonymous"),
            ("storing", "agent"),
        ]
        assert rows[0].result_count >= 1
        assert not hasattr(SearchLog, "user_id") and not hasattr(SearchLog, "ip")


def test_snippet_marks_the_right_word_after_letters_that_fold_unevenly():
    """ĳ folds to two characters, a combining accent to none: the text keeps its length when
    folded, yet the offsets between them drift."""
    from kb.search.highlight import snippet

    text = "ĳs <b>&amp; de kievit</b> vliegt naar het cafe\u0301"
    html = str(snippet(text, {"kievit"}))
    assert "<mark>kievit</mark>" in html
    assert "&lt;b&gt;&amp;amp; de" in html and "<b>" not in html


def test_a_snippet_starts_at_a_whole_word_not_inside_an_address():
    """A snippet's first word may be glued to the one before it ("www.polderlink.example"):
    it starts where that run of letters and dots starts, not in the middle of it."""
    from kb.search.highlight import snippet

    lead = " ".join(f"zin{n}" for n in range(20))
    text = f"{lead} kijk op www.polderlink.example of in de app Mijn Polderlink."
    html = str(snippet(text, {"app"}, width=16))
    assert html.startswith("…www.polderlink.example of in de <mark>app</mark>"), html
    long = "x" * 50
    html = str(snippet(f"{lead} kijk op {long}.example of in de app", {"app"}, width=16))
    assert html.startswith("…example of in de <mark>app</mark>"), html  # a cut, not 50 x's
