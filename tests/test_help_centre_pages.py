"""Issue 22, the customer help centre: the search page (nothing found, filters folded on a
phone) and the error pages (in the site's look, each with a search box and a way home)."""

import re

import pytest
from werkzeug import exceptions

from kb import errors
from tests.helpers import without_csrf

pytestmark = pytest.mark.search

ERROR_CODES = (400, 403, 404, 405, 413, 414, 429, 500, 503)


def search_form_in_main(page: str) -> bool:
    main = page.split('<main id="inhoud">', 1)[1]
    form = re.search(
        r'<form action="/zoeken" method="get" role="search"[^>]*>(.*?)</form>', main, re.S
    )
    return bool(form) and 'name="q"' in form.group(1)


def test_nothing_found_offers_tips_topics_popular_articles_and_contact(client, make_document):
    make_document("Factuur betalen", "Betaal op tijd.", category="facturen")
    make_document("Router herstarten", "Stekker eruit.", category="storingen")
    make_document("Geheime regel", "Intern.", category="geheimen", audience="internal")
    page = client.get("/zoeken?q=kwispelstaart").get_data(as_text=True)
    assert "Niets gevonden voor “kwispelstaart”" in page
    assert "Controleer de spelling." in page
    assert 'href="/categorie/facturen"' in page and 'href="/categorie/storingen"' in page
    assert "Factuur betalen" in page and "Router herstarten" in page  # read most, or newest
    assert 'href="tel:08001234567"' in page and "Liever iemand spreken?" in page
    assert "geheimen" not in page.lower() and "Geheime regel" not in page
    assert 'class="facet-fold"' not in page  # no filters to offer


def test_nothing_found_with_a_filter_offers_to_search_without_it(client, make_document):
    make_document("Factuur betalen", "Betaal op tijd.", category="facturen")
    page = client.get("/zoeken?q=router&category=facturen").get_data(as_text=True)
    assert "Zoek zonder filters" in page and 'href="/zoeken?q=router"' in page


def test_the_search_page_without_a_question_explains_and_offers_contact(client):
    page = client.get("/zoeken").get_data(as_text=True)
    assert "Typ uw vraag in een paar woorden" in page and "Neem contact op" in page
    assert search_form_in_main(page)


def test_filters_are_folded_behind_one_button(client, make_document):
    for n in range(12):
        make_document(f"Storing {n}", "Een storing.", category=f"onderwerp-{n}", tags=[f"tag{n}"])
    page = client.get("/zoeken?q=storing").get_data(as_text=True)
    fold = re.search(r'<details class="facet-fold">(.*?)</details>', page, re.S)
    assert fold, "the filters are in a closed <details>"
    assert re.search(r"<summary>\s*Filters\s*</summary>", fold.group(1))
    assert fold.group(1).count('href="/zoeken?') >= 20
    before_results = page.split('class="search-results"', 1)[0]
    outside = before_results.replace(fold.group(0), "")
    assert "category=" not in outside and "tag=" not in outside


def test_an_active_filter_shows_outside_the_fold_and_can_be_removed(client, make_document):
    make_document("Storing tv", "Een storing.", category="tv")
    make_document("Storing internet", "Een storing.", category="internet")
    page = client.get("/zoeken?q=storing&category=tv").get_data(as_text=True)
    chips = page.split('class="active-filters"', 1)[1].split("</ul>", 1)[0]
    assert "Onderwerp: Tv" in chips and 'href="/zoeken?q=storing"' in chips
    assert "<summary>Filters <span" in page and "(1)" in page


@pytest.mark.parametrize("code", ERROR_CODES)
def test_every_error_page_has_a_search_box_and_a_way_home(app, code):
    exc = exceptions.default_exceptions[code]()
    with app.test_request_context("/ergens"):
        body, status = errors.handle_http(exc)
    assert status == code
    assert search_form_in_main(body)
    assert 'href="/"' in body.split('<main id="inhoud">', 1)[1]
    assert "Naar de kennisbank" in body
    # Werkzeug's English explanations never reach the page.
    assert exc.description not in body and "The server" not in body


def test_the_404_page_searches_below_its_text(client, make_document):
    response = client.get("/artikel/bestaat-niet")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    text = page.index("Zoek hieronder verder")
    assert search_form_in_main(page) and page.index('id="zoek-fout"') > text
    assert 'class="error-code"' in page


def test_real_errors_render_in_the_site_look(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/kapot-voor-de-test")
    def broken():
        raise RuntimeError("geheim-detail uit de database")

    assert client.post("/zoeken").status_code in (400, 405)
    long = client.get("/zoeken?q=" + "a" * 9000)
    assert long.status_code == 414 and search_form_in_main(long.get_data(as_text=True))
    failed = client.get("/kapot-voor-de-test")
    page = failed.get_data(as_text=True)
    assert failed.status_code == 500 and search_form_in_main(page)
    assert "Er ging iets mis" in page and "Foutcode" in page
    assert "geheim-detail" not in page and "Traceback" not in page and "RuntimeError" not in page


def test_hidden_and_missing_articles_get_the_same_error_page(client, make_document):
    make_document("Intern geheim", "Alleen voor ons.", slug="intern-geheim", audience="internal")
    hidden = client.get("/artikel/intern-geheim").get_data(as_text=True)
    missing = client.get("/artikel/bestaat-niet").get_data(as_text=True)
    assert without_csrf(hidden) == without_csrf(missing)
    assert "Intern geheim" not in hidden
