"""The script page on the server: the partial with its hooks, and stored HTML never evaluated."""

SCRIPT = (
    "Gebruik dit bij elk gesprek.\n\n"
    "## Begroeten\n\n> Goedemiddag {{klantnaam}}, u spreekt met {{agent}}.\n\n"
    "- [ ] Naam gevraagd\n\n"
    "## Afsluiten\n\n"
    "Niet: {{ 7*7 }} {% if true %}WAAR{% endif %} {{config}} {{{x}}} {{x\n\n"
    "- Klant wil opzeggen → [ga naar stap 1](#stap-1)\n"
)


def _make_script(make_document, body=SCRIPT):
    return make_document(
        "Begroeting",
        body,
        kind="script",
        channel="phone",
        audience="internal",
        category="gesprekken",
    )


def test_script_page_has_the_partial_and_its_script(client, make_document, login_as):
    slug = _make_script(make_document)
    login_as("agent")
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert 'src="/static/script.js?v=' in page
    assert '<div class="kbs" data-kb-script' in page
    assert 'data-t-progress="{done} van {total} controles gedaan"' in page
    article = page.split("<article", 1)[1].split("</article>", 1)[0]
    assert '<h2 id="begroeten">Begroeten</h2>' in article
    assert "Goedemiddag {{klantnaam}}, u spreekt met {{agent}}." in article
    assert '<input type="checkbox" disabled> Naam gevraagd' in article
    assert '<a href="#stap-1" rel="noopener noreferrer">ga naar stap 1</a>' in article


def test_stored_html_is_never_evaluated_as_a_template(client, make_document, login_as):
    slug = _make_script(make_document)
    login_as("agent")
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Niet: {{ 7*7 }} {% if true %}WAAR{% endif %} {{config}} {{{x}}} {{x" in page
    article = page.split("<article", 1)[1].split("</article>", 1)[0]
    assert "49" not in article and "WAAR" in article  # neither computed nor dropped
    assert "&lt;Config" not in page and "SECRET_KEY" not in page


def test_articles_do_not_get_the_script_page(client, make_document, login_as):
    slug = make_document("Factuur", "- [ ] iets\n\nBeste {{klantnaam}}", audience="internal")
    login_as("agent")
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "data-kb-script" not in page
    assert '<article class="markdown">' in page
    assert '<input type="checkbox" disabled> iets' in page


def test_anonymous_visitors_never_see_a_script(client, make_document):
    slug = _make_script(make_document)
    assert client.get(f"/artikel/{slug}").status_code == 404
