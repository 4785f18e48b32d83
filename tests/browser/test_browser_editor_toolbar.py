"""The editor's Markdown toolbar in Chromium: bold by button and Ctrl+B, a link with Ctrl+K, a
[[document]] link from the picker, table and admonition blocks, the live preview following
along, keyboard-only use, and the plain textarea without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def open_new_document(page, log_in, make_user):
    log_in(page, make_user("editor"))
    page.goto("/documenten/nieuw")
    expect(page.get_by_role("toolbar", name="Opmaak")).to_be_visible()
    return page.locator("textarea[name=body]")


def select_last_word(page, body, text):
    """Type ``text`` at the end and select its last word with the keyboard."""
    body.press("Control+End")
    body.press_sequentially(text)
    body.press("Control+Shift+ArrowLeft")


def test_bold_by_button_and_shortcut_with_the_preview_following(page, make_user, log_in):
    body = open_new_document(page, log_in, make_user)
    toolbar = page.get_by_role("toolbar", name="Opmaak")
    select_last_word(page, body, "Bel ons gratis")
    toolbar.get_by_role("button", name="Vet").click()
    expect(body).to_have_value("Bel ons **gratis**")
    expect(body).to_be_focused()
    preview = page.locator("#preview")
    expect(preview.locator("strong")).to_have_text("gratis")

    # Ctrl+B on the same (still selected) word takes the bold off again.
    body.press("Control+b")
    expect(body).to_have_value("Bel ons gratis")
    expect(preview.locator("strong")).to_have_count(0)

    # Ctrl+B with nothing selected: a sample word, selected, so typing replaces it.
    body.press("Control+End")
    body.press_sequentially(". Altijd ")
    body.press("Control+b")
    body.press_sequentially("bereikbaar")
    expect(body).to_have_value("Bel ons gratis. Altijd **bereikbaar**")
    expect(preview.locator("strong")).to_have_text("bereikbaar")

    # Ctrl+Z undoes the button as it undoes typing: first the word, then the bold.
    body.press("Control+z")
    expect(body).to_have_value("Bel ons gratis. Altijd **vette tekst**")
    body.press("Control+z")
    expect(body).to_have_value("Bel ons gratis. Altijd ")


def test_link_table_and_admonition_blocks(page, make_user, log_in):
    body = open_new_document(page, log_in, make_user)
    toolbar = page.get_by_role("toolbar", name="Opmaak")
    select_last_word(page, body, "Zie de website")
    body.press("Control+k")
    # The chosen text became the link text; the address is selected, ready to type.
    page.keyboard.type("https://www.example.nl/storing")
    expect(body).to_have_value("Zie de [website](https://www.example.nl/storing)")
    preview = page.locator("#preview")
    expect(preview.get_by_role("link", name="website")).to_have_attribute(
        "href", "https://www.example.nl/storing"
    )

    body.press("Control+End")
    toolbar.get_by_role("button", name="Tabel").click()
    expect(preview.locator("table th").first).to_have_text("Kolom 1")
    page.keyboard.type("Kanaal")  # the first heading was selected
    expect(preview.locator("table th").first).to_have_text("Kanaal")

    body.press("Control+End")
    toolbar.get_by_role("button", name="Let op").click()
    page.keyboard.type("Nooit het wachtwoord vragen.")
    warning = preview.locator(".admonition.warning")
    expect(warning.locator(".admonition-title")).to_have_text("Let op")
    expect(warning).to_contain_text("Nooit het wachtwoord vragen.")
    assert '!!! warning "Let op"\n    Nooit het wachtwoord vragen.' in body.input_value()

    toolbar.get_by_role("button", name="Invulveld").click()
    expect(body).to_have_value(re.compile(r"\{\{klantnaam\}\}\n?$"))


def test_document_link_from_the_picker_shows_its_title(page, make_user, make_document, log_in):
    make_document("Wachtwoord vergeten", "Zo zet u een nieuw wachtwoord.")
    make_document("Wachtwoord resetten voor een klant", "Alleen na controle.", audience="internal")
    body = open_new_document(page, log_in, make_user)
    select_last_word(page, body, "Lees eerst dit")
    page.get_by_role("button", name="Verwijzing naar document").click()
    picker = page.get_by_role("dialog", name="Zoek het document waarnaar u verwijst")
    search = picker.get_by_role("combobox")
    expect(search).to_be_focused()
    search.press_sequentially("wachtwoord")
    options = picker.get_by_role("option")
    expect(options).to_have_count(2)
    # Editors may link to internal documents too; they are marked.
    expect(picker.get_by_role("option", name=re.compile("Wachtwoord resetten"))).to_contain_text(
        "intern"
    )
    picker.get_by_role("option", name=re.compile("^Wachtwoord vergeten")).click()
    expect(picker).to_be_hidden()
    # The selected word became the link's own text.
    expect(body).to_have_value("Lees eerst [[wachtwoord-vergeten|dit]]")
    expect(body).to_be_focused()
    expect(page.locator("#preview").get_by_role("link", name="dit")).to_have_attribute(
        "href", "/artikel/wachtwoord-vergeten"
    )

    # Without a selection the link shows the document's title.
    body.press("Control+End")
    body.press_sequentially(" en ")
    page.get_by_role("button", name="Verwijzing naar document").click()
    search.press_sequentially("vergeten")
    expect(options).to_have_count(1)
    search.press("Enter")
    expect(body).to_have_value("Lees eerst [[wachtwoord-vergeten|dit]] en [[wachtwoord-vergeten]]")
    expect(page.locator("#preview").get_by_role("link", name="Wachtwoord vergeten")).to_be_visible()


def test_keyboard_only(page, make_user, make_document, log_in):
    make_document("Factuur betalen", "Betaal op tijd.")
    body = open_new_document(page, log_in, make_user)
    toolbar = page.get_by_role("toolbar", name="Opmaak")
    # Tab from the tags field: the toolbar is one stop, then the text.
    page.get_by_label("Tags (komma's ertussen)").focus()
    page.keyboard.press("Tab")
    expect(toolbar.get_by_role("button", name="Vet")).to_be_focused()
    page.keyboard.press("Tab")
    expect(body).to_be_focused()

    page.keyboard.type("Stap een")
    # Alt+F10 goes to the toolbar, the arrows move along it, Enter presses a button.
    page.keyboard.press("Alt+F10")
    expect(toolbar.get_by_role("button", name="Vet")).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Opsomming")).to_be_focused()
    page.keyboard.press("Enter")
    expect(body).to_be_focused()
    expect(body).to_have_value("- Stap een")
    expect(page.locator("#preview li")).to_have_text("Stap een")

    # Escape in the toolbar returns to the text without changing it.
    page.keyboard.press("Alt+F10")
    expect(toolbar.get_by_role("button", name="Opsomming")).to_be_focused()
    page.keyboard.press("Escape")
    expect(body).to_be_focused()

    # The picker: search, arrows, Enter; Escape closes it and returns to the text.
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.press("Alt+F10")
    page.keyboard.press("End")
    for _ in range(3):  # Invulveld, Let op, Tip, then the document button
        page.keyboard.press("ArrowLeft")
    document_button = toolbar.get_by_role("button", name="Verwijzing naar document")
    expect(document_button).to_be_focused()
    page.keyboard.press("Enter")
    expect(document_button).to_have_attribute("aria-expanded", "true")
    page.keyboard.type("factuur")
    expect(page.get_by_role("option", name=re.compile("Factuur betalen"))).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(body).to_be_focused()
    expect(body).to_have_value("- Stap een\n\n")
    page.keyboard.press("Alt+F10")
    expect(document_button).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.type("factuur")
    expect(page.get_by_role("option", name=re.compile("Factuur betalen"))).to_have_attribute(
        "aria-selected", "true"
    )
    page.keyboard.press("Enter")
    expect(body).to_have_value("- Stap een\n\n[[factuur-betalen]]")
    expect(page.locator("#preview").get_by_role("link", name="Factuur betalen")).to_be_visible()

    # The Opmaakhulp opens from the keyboard too.
    page.locator("#opmaakhulp summary").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#opmaakhulp")).to_contain_text("!!! tip")


def test_without_javascript_the_textarea_is_the_editor(browser, live_server, make_user, log_in):
    context = browser.new_context(base_url=live_server, locale="nl-NL", java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, make_user("editor"))
        page.goto("/documenten/nieuw")
        expect(page.get_by_role("toolbar")).to_have_count(0)  # hidden: its buttons need the script
        expect(page.get_by_role("button", name="Vet")).to_be_hidden()
        page.get_by_label("Titel").fill("Zonder script")
        page.get_by_label("Categorie", exact=True).select_option("nieuw")
        page.get_by_label("Nieuwe categorie").fill("proef")
        page.locator("textarea[name=body]").fill("Gewoon **Markdown** typen.")
        page.locator("#opmaakhulp summary").click()
        expect(page.locator("#opmaakhulp")).to_contain_text("[[wachtwoord-vergeten]]")
        page.get_by_role("button", name="Opslaan").click()
        expect(page).to_have_url(re.compile(r"/artikel/zonder-script$"))
        expect(page.locator("article strong")).to_have_text("Markdown")
    finally:
        context.close()
