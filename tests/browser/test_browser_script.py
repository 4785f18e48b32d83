"""An agent follows a script: placeholders filled in the page only, steps, keys, checks, copy."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NAME = "Fenna Zwartveld-Öztürk"
FILLER = "\n\n".join(f"Uitleg voor de medewerker, alinea {n}." for n in range(1, 40))
SCRIPT = f"""Gebruik dit script bij elk telefoongesprek met {{{{klantnaam}}}}.

## Begroeten

> Goedemiddag {{{{klantnaam}}}}, u spreekt met {{{{agent}}}} van Polderlink.

- [ ] Naam van de klant gevraagd

## Klantnummer controleren

> Mag ik uw klantnummer, {{{{klantnaam}}}}?

- [ ] Klantnummer gecontroleerd
- [ ] Ticket {{{{ticketnummer}}}} geopend

- Klant wil opzeggen → [ga naar stap 4](#stap-4)

## Vraag beantwoorden

Niet invullen: {{{{ Klant }}}} {{{{a b}}}} {{{{{{x}}}}}} {{% if 1 %}}ja{{% endif %}} {{{{x

| Tijd | Groet |
|---|---|
| tot 12.00 uur | Goedemorgen |
| vanaf 12.00 uur | Goedemiddag |

{FILLER}

## Opzeggen

> Wat jammer dat u wilt opzeggen, {{{{klantnaam}}}}.
"""


@pytest.fixture
def script_page(new_context, make_document, make_person, log_in, live_server):
    """An agent, logged in, with a fresh page on a script; returns (page, context, slug)."""
    slug = make_document(
        "Telefoon begroeting",
        SCRIPT,
        kind="script",
        channel="phone",
        audience="internal",
        category="gesprekken",
    )
    context = new_context()
    page = context.new_page()
    log_in(page, make_person("agent", "Anouk Agent"))
    return page, context, slug


def current(page):
    return page.locator(".kbs-step.kbs-current")


def test_placeholders_fill_the_page_and_never_leave_it(script_page):
    page, context, slug = script_page
    requests = []
    page.on("request", lambda request: requests.append(request))
    page.goto(f"/artikel/{slug}")

    fields = page.locator(".kbs-fields input")
    expect(fields).to_have_count(3)
    expect(page.locator(".kbs-fields label")).to_have_text(["Klantnaam", "Agent", "Ticketnummer"])
    occurrences = page.locator('article .kbs-ph[data-ph="klantnaam"]')
    expect(occurrences).to_have_count(4)
    expect(occurrences).to_have_text(["{{klantnaam}}"] * 4)

    page.get_by_label("Klantnaam", exact=True).press_sequentially(NAME)
    expect(occurrences).to_have_text([NAME] * 4)
    expect(page.locator("#stap-1 blockquote")).to_have_text(
        f"Goedemiddag {NAME}, u spreekt met {{{{agent}}}} van Polderlink."
    )
    # An empty field keeps its placeholder visible.
    expect(page.locator('article .kbs-ph[data-ph="ticketnummer"]')).to_have_text("{{ticketnummer}}")

    # Work with the page as an agent would, then leave it: nothing carries the name.
    page.get_by_label("Klantnaam", exact=True).press("Escape")
    page.keyboard.press("j")
    expect(current(page)).to_have_attribute("id", "stap-2")
    page.locator("#stap-2").get_by_text("Klantnummer gecontroleerd").click()
    page.get_by_label("Agent", exact=True).fill("Quirijn")
    with page.expect_request(lambda r: "/zoeken/suggesties" in r.url):
        page.locator("header input[name=q]").fill("opzeggen")
    page.reload()
    expect(page.locator(".kbs-fields input").first).to_have_value("")
    page.goto("/")

    urls = [r.url for r in requests]
    assert any(f"/artikel/{slug}" in url for url in urls) and any("opzeggen" in u for u in urls)
    for needle in (NAME, "Zwartveld", "Quirijn"):
        for request in requests:
            assert needle not in request.url, request.url
            assert needle not in " ".join(request.all_headers().values()), request.url
            assert needle not in (request.post_data or ""), request.url
    for cookie in context.cookies():
        assert "Zwartveld" not in cookie["value"] and "Quirijn" not in cookie["value"]
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0


def test_steps_keys_and_branches(script_page):
    page, _context, slug = script_page
    page.goto(f"/artikel/{slug}")
    steps = page.locator("article section.kbs-step")
    expect(steps).to_have_count(4)
    expect(steps.locator(".kbs-no")).to_have_text(["Stap 1", "Stap 2", "Stap 3", "Stap 4"])
    expect(current(page)).to_have_attribute("id", "stap-1")

    page.keyboard.press("j")
    expect(current(page)).to_have_attribute("id", "stap-2")
    page.keyboard.press("j")
    expect(current(page)).to_have_attribute("id", "stap-3")
    page.keyboard.press("k")
    expect(current(page)).to_have_attribute("id", "stap-2")
    page.keyboard.press("ArrowDown")
    expect(current(page)).to_have_attribute("id", "stap-3")
    page.keyboard.press("ArrowUp")
    expect(current(page)).to_have_attribute("id", "stap-2")

    # Typing j or k in a field types; it does not move.
    field = page.get_by_label("Klantnaam", exact=True)
    field.press_sequentially("jk")
    expect(field).to_have_value("jk")
    expect(current(page)).to_have_attribute("id", "stap-2")
    expect(page.locator(".kbs-current")).to_have_count(1)

    # A branch jumps: step 4 is below the fold until the link is followed.
    expect(page.locator("#stap-4")).not_to_be_in_viewport()
    page.locator("#stap-2").get_by_role("link", name="ga naar stap 4").click()
    expect(current(page)).to_have_attribute("id", "stap-4")
    expect(page.locator("#stap-4")).to_be_in_viewport()
    page.keyboard.press("k")
    expect(current(page)).to_have_attribute("id", "stap-3")

    # Clicking a step makes it current.
    page.locator("#stap-1 blockquote").click()
    expect(current(page)).to_have_attribute("id", "stap-1")

    # A link to a step opens on that step, within the page and from elsewhere.
    page.goto(f"/artikel/{slug}#stap-4")
    expect(current(page)).to_have_attribute("id", "stap-4")
    expect(page.locator("#stap-4")).to_be_in_viewport()
    page.goto("/")
    page.goto(f"/artikel/{slug}#stap-2")
    expect(current(page)).to_have_attribute("id", "stap-2")


def test_copy_a_step_and_the_whole_filled_in_script(script_page, live_server):
    page, context, slug = script_page
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto(f"/artikel/{slug}")
    page.get_by_label("Klantnaam", exact=True).fill(NAME)
    page.get_by_label("Klantnaam", exact=True).press("Escape")

    def clipboard():
        return page.evaluate("navigator.clipboard.readText()")

    # "c" copies the current step's text to say: its quote, filled in.
    page.keyboard.press("c")
    button = page.locator("#stap-1 .kbs-copy")
    expect(button).to_have_text("Gekopieerd ✓")
    assert clipboard() == f"Goedemiddag {NAME}, u spreekt met {{{{agent}}}} van Polderlink."
    expect(button).to_have_text("Kopieer tekst")

    # A step's own button, on another step.
    page.locator("#stap-4").get_by_role("button", name="Kopieer tekst").click()
    expect(page.locator(".kbs-status")).to_have_text("Gekopieerd")
    assert clipboard() == f"Wat jammer dat u wilt opzeggen, {NAME}."

    # The whole script, with ticked checks and the placeholders nobody filled in.
    page.locator("#stap-2").get_by_text("Klantnummer gecontroleerd").click()
    copy_all = page.locator(".kbs-copy-all")
    copy_all.click()
    expect(copy_all).to_have_text("Gekopieerd ✓")
    text = clipboard()
    assert text.startswith(f"Gebruik dit script bij elk telefoongesprek met {NAME}.\n\n")
    assert f"Stap 1: Begroeten\n\n> Goedemiddag {NAME}, u spreekt met {{{{agent}}}}" in text
    assert "- [ ] Naam van de klant gevraagd" in text
    assert "- [x] Klantnummer gecontroleerd\n- [ ] Ticket {{ticketnummer}} geopend" in text
    assert "Tijd | Groet\ntot 12.00 uur | Goedemorgen\nvanaf 12.00 uur | Goedemiddag" in text
    assert "Stap 4: Opzeggen" in text and "Kopieer" not in text and "{{klantnaam}}" not in text

    # Shift+C does the same from the keyboard.
    page.evaluate("navigator.clipboard.writeText('leeg')")
    expect(copy_all).to_have_text("Kopieer hele script")
    page.keyboard.press("Shift+C")
    expect(copy_all).to_have_text("Gekopieerd ✓")
    assert clipboard() == text


def test_checks_progress_and_malformed_placeholders(script_page):
    page, _context, slug = script_page
    page.goto(f"/artikel/{slug}")
    progress = page.locator(".kbs-progress")
    expect(progress).to_have_text("0 van 3 controles gedaan")
    checks = page.locator("article input[type=checkbox]")
    expect(checks).to_have_count(3)
    for i in range(3):
        expect(checks.nth(i)).to_be_enabled()

    page.get_by_label("Naam van de klant gevraagd").check()
    expect(progress).to_have_text("1 van 3 controles gedaan")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.get_by_label("Klantnummer gecontroleerd")).to_be_checked()
    expect(progress).to_have_text("2 van 3 controles gedaan")
    page.get_by_label("Naam van de klant gevraagd").uncheck()
    expect(progress).to_have_text("1 van 3 controles gedaan")

    # Malformed placeholders stay text: no field, no span, nothing evaluated.
    step3 = page.locator("#stap-3")
    expect(step3).to_contain_text(
        "Niet invullen: {{ Klant }} {{a b}} {{{x}}} {% if 1 %}ja{% endif %} {{x"
    )
    expect(step3.locator(".kbs-ph")).to_have_count(0)
    expect(page.locator(".kbs-fields input")).to_have_count(3)


def test_articles_show_disabled_checkboxes_and_no_script_tools(
    page, make_document, make_person, log_in
):
    slug = make_document(
        "Antwoorden binnen 24 uur",
        "Controleer:\n\n- [ ] Ticket bijgewerkt\n- [x] Klant geïnformeerd\n\nBeste {{klantnaam}}",
        audience="internal",
    )
    log_in(page, make_person("agent", "Bram Agent"))
    page.goto(f"/artikel/{slug}")
    boxes = page.locator("article input[type=checkbox]")
    expect(boxes).to_have_count(2)
    expect(boxes.first).to_be_disabled()
    expect(page.get_by_label("Klant geïnformeerd")).to_be_checked()
    expect(page.locator("article")).not_to_contain_text("[ ]")
    expect(page.locator(".kbs-bar, .kbs-step, .kbs-ph")).to_have_count(0)


def test_init_works_on_html_inserted_later_and_only_once(script_page):
    """The agent console inserts a script's HTML without a page load and calls init."""
    page, _context, slug = script_page
    page.goto(f"/artikel/{slug}")
    expect(page.locator(".kbs-step")).to_have_count(4)
    page.evaluate(
        """() => {
          document.querySelector('.kbs').remove();
          const root = document.createElement('div');
          root.id = 'ingevoegd';
          root.innerHTML = '<article><p>Hallo {{klantnaam}}</p><h2>Een</h2>'
            + '<blockquote><p>Dag {{klantnaam}}</p></blockquote>'
            + '<ul><li>[ ] Oude controle <em>zonder</em> vakje</li><li>[x] al gedaan</li></ul>'
            + '<p><a href="#stap-2">ga naar stap 2</a></p><h2>Twee</h2><p>Klaar</p></article>';
          document.querySelector('main').appendChild(root);
          window.kbScript.init(root);
          window.kbScript.init(root);
        }"""
    )
    root = page.locator("#ingevoegd")
    expect(root.locator(".kbs-step")).to_have_count(2)
    expect(root.locator(".kbs-no")).to_have_text(["Stap 1", "Stap 2"])
    expect(root.locator(".kbs-fields input")).to_have_count(1)
    expect(root.locator(".kbs-copy-all")).to_have_count(1)
    # Stored HTML from before task lists were rendered still gets its checks.
    expect(root.get_by_label("Oude controle zonder vakje")).not_to_be_checked()
    expect(root.get_by_label("al gedaan")).to_be_checked()
    expect(root.locator(".kbs-progress")).to_have_text("1 van 2 controles gedaan")
    root.get_by_label("Klantnaam").fill("Piet")
    expect(root.locator(".kbs-ph")).to_have_text(["Piet", "Piet"])
    # Escape in a field returns to the script and stays there: the console closes a
    # document on Escape, which must not happen while the agent is filling in a name.
    page.evaluate(
        "document.addEventListener('keydown', e => { if (e.key === 'Escape') window.esc = 1; })"
    )
    root.get_by_label("Klantnaam").press("Escape")
    expect(root.get_by_label("Klantnaam")).not_to_be_focused()
    assert page.evaluate("window.esc") is None
    page.keyboard.press("j")
    expect(root.locator(".kbs-current")).to_have_attribute("id", "stap-2")
    root.locator("#stap-1 h2").click()
    expect(root.locator(".kbs-current")).to_have_attribute("id", "stap-1")
    root.get_by_role("link", name="ga naar stap 2").click()
    expect(root.locator(".kbs-current")).to_have_attribute("id", "stap-2")
    assert re.search(r"/artikel/", page.url)
