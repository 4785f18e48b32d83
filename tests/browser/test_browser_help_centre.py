"""Issue 22: a customer on a phone (375 px wide) uses the help centre: nothing scrolls
sideways, the search shows results before filters, a long article has contents, the most read
articles are on the home page, an error page searches on; printing an article drops the site."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
TABLE = (
    "| Kanaal | Hoe | Openingstijden |\n|---|---|---|\n"
    "| Telefoon klantenservice | 0800-1234567 (gratis) | ma–vr 8.00–21.00, za 9.00–17.00 |\n"
    "| E-mail en contactformulier | Via www.polderlink.example/contactformulier-invullen | "
    "Altijd, antwoord binnen 24 uur |\n"
)
LONG = (
    "Zo bereikt u ons. Lees ook https://www.polderlink.example/een/heel/lang/adres/zonder/spaties"
    "/dat/niet/past\n\n## Bereikbaarheid per kanaal\n\n" + TABLE + "\n## Welk kanaal past bij uw"
    " vraag\n\nBel bij een storing.\n\n## Sneller geholpen\n\nHoud uw klantnummer bij de hand. "
    "Zie [de chat](https://www.polderlink.example/chat).\n\n## Feestdagen\n\nAfwijkende tijden."
)


def no_sideways_scroll(page) -> None:
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths}"


@pytest.fixture
def help_centre(make_document):
    slugs = {"long": make_document("Contact en openingstijden", LONG, category="contact")}
    for n in range(12):
        slugs[f"storing{n}"] = make_document(
            f"Storing melden {n}",
            f"Een storing aan internet of tv melden, deel {n}.",
            category=f"onderwerp-{n:02d}",
            tags=[f"storing{n}", f"melding{n}"],
        )
    slugs["tv"] = make_document(
        "Storing aan de tv", "Geen beeld? Herstart het kastje.", category="tv"
    )
    slugs["chat"] = make_document("Chatten met ons", "Via de app.", category="contact")
    return slugs


def test_a_customer_on_a_phone_searches_reads_and_finds_help(new_context, help_centre):
    page = new_context().new_page()
    page.set_viewport_size(PHONE)

    page.goto("/")
    expect(page.get_by_role("heading", name="Hoe kunnen we u helpen?")).to_be_visible()
    expect(page.get_by_role("heading", name="Neem contact op")).to_be_attached()
    no_sideways_scroll(page)

    page.locator("main input[name=q]").first.fill("storing")
    page.locator("main input[name=q]").first.press("Enter")
    expect(page).to_have_url(re.compile(r"/zoeken\?q=storing"))
    filters = page.locator("details.facet-fold")
    expect(filters.locator("summary")).to_be_visible()
    expect(filters.locator("summary")).to_have_text("Filters")
    # The filter links stay folded: the first result is on the first screen.
    expect(filters.get_by_role("link", name="Onderwerp 03")).to_be_hidden()
    first = page.locator("ol.search-results a.result-title").first
    expect(first).to_be_in_viewport()
    no_sideways_scroll(page)
    filters.locator("summary").click()
    expect(filters.get_by_role("link", name="Onderwerp 03")).to_be_visible()
    filters.get_by_role("link", name="Onderwerp 03").click()
    expect(page.get_by_text("1 resultaat voor “storing”")).to_be_visible()
    expect(page.locator(".active-filters")).to_contain_text("Onderwerp: Onderwerp 03")

    page.goto("/zoeken?q=kwispelstaart")
    expect(page.get_by_role("heading", name="Niets gevonden voor “kwispelstaart”")).to_be_visible()
    expect(page.locator(".topic-chips").get_by_role("link", name="Tv")).to_be_visible()
    expect(page.locator(".contact-box").get_by_role("link", name="0800-1234567")).to_be_visible()
    no_sideways_scroll(page)

    page.goto(f"/artikel/{help_centre['long']}")
    toc = page.locator("nav.toc")
    expect(toc.get_by_role("heading", name="In dit artikel")).to_be_visible()
    expect(toc.get_by_role("link")).to_have_count(4)
    no_sideways_scroll(page)
    toc.get_by_role("link", name="Sneller geholpen").click()
    expect(page).to_have_url(re.compile(r"#sneller-geholpen$"))
    expect(page.get_by_role("heading", name="Sneller geholpen")).to_be_in_viewport()
    # The table keeps whole words and scrolls in its own box to its last column; the page
    # itself never scrolls sideways.
    cell = page.locator("article table td", has_text="Altijd, antwoord binnen 24 uur")
    cell.scroll_into_view_if_needed()
    expect(cell).to_be_in_viewport()
    box = cell.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    no_sideways_scroll(page)
    expect(page.locator("#nuttig")).to_contain_text("Was dit nuttig?")
    related = page.locator("section.related")
    expect(related.get_by_role("link")).to_have_text(["Chatten met ons"])  # same category
    expect(page.locator(".contact-box").get_by_role("link", name="0800-1234567")).to_be_visible()

    page.goto("/artikel/bestaat-niet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")
    no_sideways_scroll(page)
    below = page.locator(".error-page input[name=q]")
    below.fill("tv")
    below.press("Enter")
    expect(
        page.locator("ol.search-results").get_by_role("link", name="Storing aan de tv")
    ).to_be_visible()


def test_on_a_wide_screen_the_filters_are_open(new_context, help_centre):
    page = new_context().new_page()
    page.set_viewport_size(DESKTOP)
    page.goto("/zoeken?q=storing")
    expect(
        page.locator("details.facet-fold").get_by_role("link", name="Onderwerp 03")
    ).to_be_visible()
    expect(page.locator("details.facet-fold summary")).to_be_hidden()


def test_what_customers_read_most_leads_the_home_page(app, new_context, help_centre):
    page = new_context().new_page()
    page.goto("/")
    popular = page.locator("section", has=page.get_by_role("heading", name="Veelgelezen"))
    expect(popular.get_by_role("link").first).to_have_text("Chatten met ons")  # the newest
    for _ in range(2):  # an older article, read twice
        page.goto(f"/artikel/{help_centre['storing3']}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Storing melden 3")
    page.goto(f"/artikel/{help_centre['tv']}")
    # As when the cached home page expires (KB_PAGE_CACHE_SECONDS; reads do not end it:
    # tests/test_page_cache.py checks that part).
    app.extensions["kb_page_cache"].clear()
    page.goto("/")
    expect(popular.get_by_role("link").nth(0)).to_have_text("Storing melden 3")
    expect(popular.get_by_role("link").nth(1)).to_have_text("Storing aan de tv")
    expect(popular.get_by_role("link").nth(2)).to_have_text("Chatten met ons")


def test_a_printed_article_is_the_text_and_where_its_links_go(new_context, help_centre):
    page = new_context().new_page()
    page.goto(f"/artikel/{help_centre['long']}")
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for hidden in ("header.site", "footer.site", "#nuttig", ".contact-box", "nav.toc"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator(".print-url")).to_contain_text(f"/artikel/{help_centre['long']}")
    after = page.locator("article a", has_text="de chat").evaluate(
        "a => getComputedStyle(a, '::after').content"
    )
    assert "https://www.polderlink.example/chat" in after
