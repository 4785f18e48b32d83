"""The look of the product in a real browser (issue 22): every page fits a 375 px phone (a wide
table scrolls inside its own box, never the page), the header collapses behind a menu button
on a phone, both colour themes keep WCAG AA contrast on the rendered pages, and keyboard focus
is always visible, starting with the skip link.

Contrast is computed in the page from the colours the browser actually draws (each text's
colour over the backgrounds behind it), not judged by eye.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import NAVIGATION_TIMEOUT_MS, PASSWORD, TIMEOUT_MS

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
DESK = {"width": 1280, "height": 800}
ZOOMED = {"width": 640, "height": 400}  # 1280 px at 200% zoom

WIDE_TABLE = "\n".join(
    [
        "Zo lees je de lampjes.",
        "",
        "| Lampje | Stand | Betekenis | Wat je concludeert en doet |",
        "|---|---|---|---|",
        "| Internet | Rood knipperend | Geen verbinding met het netwerk van Polderlink"
        " | Controleer de glasvezelkabel, herstart de Thuisbox, plan anders een monteur in |",
        "| Wifi | Uit | Wifi staat uit | Druk twee seconden op de wifiknop:"
        " Internetverbindingsproblemen |",
    ]
)
# Every text whose contrast with what is behind it is below AA (see the script's comment).
LOW_CONTRAST_JS = (Path(__file__).parent / "low_contrast.js").read_text(encoding="utf-8")


@pytest.fixture
def site(app, live_server, browser, make_document, make_person):
    """An article with a wide table, an admin's session, and contexts at any width and theme."""
    slug = make_document("Lampjes op de Thuisbox", WIDE_TABLE, category="techniek")
    admin = make_person("admin", "Anna Beheer")
    contexts = []

    def open_page(viewport=DESK, scheme="light", signed_in=True):
        context = browser.new_context(
            base_url=live_server, locale="nl-NL", viewport=viewport, color_scheme=scheme
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        if signed_in:
            page.goto("/inloggen")
            page.locator("input[name=email]").fill(admin.email)
            page.locator("input[name=password]").fill(PASSWORD)
            page.locator("main button[type=submit]").click()
            expect(page.locator("header .who")).to_have_count(1)
        return page

    yield {"slug": slug, "open": open_page}
    for context in contexts:
        context.close()


def page_urls(slug: str) -> list[str]:
    return [
        f"/artikel/{slug}",
        "/console",
        f"/artikel/{slug}/bewerken",
        "/dashboard",
        "/beheer/gebruikers",
        "/documenten",
        f"/artikel/{slug}/geschiedenis",
        "/beoordelen/categorieen",  # a wide table of forms, with visually hidden labels
    ]


def page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize("viewport", [PHONE, ZOOMED], ids=["phone", "zoom-200"])
def test_no_page_is_wider_than_the_screen(site, viewport):
    page = site["open"](viewport)
    for url in page_urls(site["slug"]):
        page.goto(url)
        expect(page.locator("main h1").first).to_be_visible()
        scroll_width, screen = page_width(page)
        assert scroll_width <= screen, (
            f"{url}: the page is {scroll_width} px on a {screen} px screen"
        )


def test_a_wide_table_in_an_article_stays_in_its_own_box(site):
    """Its columns share the width, or the table scrolls by itself: never the page."""
    page = site["open"](PHONE, signed_in=False)
    page.goto(f"/artikel/{site['slug']}")
    table = page.locator("article.markdown table")
    last_column = table.locator("th").last
    expect(last_column).to_have_text("Wat je concludeert en doet")
    left, right = table.evaluate(
        "t => [t.getBoundingClientRect().left, t.getBoundingClientRect().right]"
    )
    assert left >= 0 and right <= PHONE["width"], "the table's box must stay on the screen"
    # Scrolled to its end (if it scrolls at all), the last column is on the screen.
    table.evaluate("t => { t.scrollLeft = t.scrollWidth; }")
    edges = last_column.evaluate(
        "th => [th.getBoundingClientRect().left, th.getBoundingClientRect().right]"
    )
    assert edges[0] >= 0 and edges[1] <= PHONE["width"] + 1, edges
    assert page_width(page)[0] <= PHONE["width"]


def test_on_a_phone_the_links_sit_behind_a_menu_button(site):
    page = site["open"](PHONE)
    page.goto("/")
    menu = page.get_by_role("button", name="Menu")
    users = page.locator("header nav").get_by_role("link", name="Gebruikers")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(users).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(users).to_be_visible()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    assert page_width(page)[0] <= PHONE["width"]
    page.keyboard.press("Tab")  # into the open menu; Escape closes it and returns to the button
    page.keyboard.press("Escape")
    expect(users).to_be_hidden()
    expect(menu).to_be_focused()
    # The current page is marked in the menu.
    page.goto("/beheer/gebruikers")
    menu.click()
    expect(users).to_have_attribute("aria-current", "page")


def test_on_a_desk_every_link_shows_without_a_menu_button(site):
    page = site["open"](DESK)
    page.goto("/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    nav = page.locator("header nav")
    for name in ("Console", "Dashboard", "Documenten", "Gebruikers", "Auditlog"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(nav.get_by_role("button", name="Uitloggen")).to_be_visible()
    # The links wrap into tidy rows: none of them overlaps another.
    boxes = nav.locator("a, button, .who").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return [r.left, r.top, r.right, r.bottom]; })"
    )
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap = (
                min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1
            )
            assert not overlap, (a, b)


def luminance(css_colour: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", css_colour)[:3])
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_dark_mode_follows_the_system_setting(site):
    page = site["open"](DESK, scheme="dark", signed_in=False)
    page.goto(f"/artikel/{site['slug']}")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    text = page.evaluate("getComputedStyle(document.querySelector('main h1')).color")
    assert luminance(background) < 0.05, f"a dark theme needs a dark page, got {background}"
    assert luminance(text) > 0.5, f"and light text, got {text}"
    light = site["open"](DESK, scheme="light", signed_in=False)
    light.goto(f"/artikel/{site['slug']}")
    assert luminance(light.evaluate("getComputedStyle(document.body).backgroundColor")) > 0.9


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_meets_wcag_aa_contrast(site, scheme):
    for viewport in (DESK, PHONE):
        page = site["open"](viewport, scheme=scheme)
        if viewport is PHONE:
            page.goto("/")
            page.get_by_role("button", name="Menu").click()  # the open menu is checked too
            assert page.evaluate(LOW_CONTRAST_JS) == [], "/ with the menu open"
        for url in ["/", "/zoeken?q=lampjes", *page_urls(site["slug"])]:
            page.goto(url)
            expect(page.locator("main h1").first).to_be_visible()
            low = page.evaluate(LOW_CONTRAST_JS)
            assert not low, f"{url} ({scheme}, {viewport['width']} px): {low}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_keyboard_focus_is_always_visible(site, scheme):
    page = site["open"](DESK, scheme=scheme)
    page.goto(f"/artikel/{site['slug']}")
    # The first Tab lands on the skip link, which then shows on the screen.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["x"] >= 0 and box["height"] > 10
    for _ in range(25):
        page.keyboard.press("Tab")
        ring = page.evaluate(
            """() => { const el = document.activeElement; const cs = getComputedStyle(el);
              return [el.outerHTML.slice(0, 80), cs.outlineStyle, parseFloat(cs.outlineWidth),
                      cs.boxShadow]; }"""
        )
        element, style, width, shadow = ring
        assert (style != "none" and width >= 2) or shadow != "none", f"no focus ring on {element}"
