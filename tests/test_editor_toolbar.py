"""The editor's Markdown toolbar as the server sends it: a plain textarea that works without
JavaScript, labelled buttons the script reveals, the document picker's search and the
Opmaakhulp; the admin's role confirmation in Dutch; the content commands in English."""

import re

from tests.helpers import login


def _editor_page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_editor_page_has_a_labelled_toolbar_hidden_until_its_script_runs(
    client, login_as, make_document
):
    slug = make_document("Factuur betalen", "Betaal op tijd.")
    login_as("editor")
    for url in (f"/artikel/{slug}/bewerken", "/documenten/nieuw"):
        page = _editor_page(client, url)
        # Without JavaScript: the textarea is the whole editor; the buttons would do nothing.
        assert re.search(r'<textarea[^>]*name="body"', page)
        toolbar = re.search(r'<div class="md-toolbar"[^>]*>', page).group(0)
        assert 'role="toolbar"' in toolbar and " hidden" in toolbar
        assert 'aria-label="Opmaak"' in toolbar and 'aria-controls="body"' in toolbar
        assert 'src="/static/toolbar.js?v=' in page
        # Every button has a Dutch name (its text or aria-label) and no script of its own.
        buttons = re.findall(r'<button type="button" data-md="(\w+)"([^>]*)>(.*?)</button>', page)
        names = {}
        for action, attributes, text in buttons:
            label = re.search(r'aria-label="([^"]+)"', attributes)
            names[action] = label.group(1) if label else re.sub(r"<[^>]+>", "", text).strip()
            assert "onclick" not in attributes
        assert names == {
            "bold": "Vet",
            "italic": "Cursief",
            "heading": "Tussenkop",
            "bullets": "Opsomming",
            "numbers": "Genummerde lijst",
            "table": "Tabel",
            "link": "Link",
            "doc": "Verwijzing naar document",
            "tip": "Tip",
            "warning": "Let op",
            "placeholder": "Invulveld",
        }
        assert 'aria-keyshortcuts="Control+B"' in page and 'aria-keyshortcuts="Control+K"' in page
        # The picker asks the page's own suggest endpoint (the signed-in editor's view).
        assert 'data-suggest="/zoeken/suggesties"' in page
        assert '<label id="md-picker-label" for="md-picker-q">' in page


def test_opmaakhulp_explains_links_admonitions_placeholders_and_tables(client, login_as):
    login_as("editor")
    page = _editor_page(client, "/documenten/nieuw")
    help_box = page.split('<details class="md-help" id="opmaakhulp">')[1].split("</details>")[0]
    assert "<summary>Opmaakhulp</summary>" in help_box
    assert (
        "[[wachtwoord-vergeten]]" in help_box and "[[wachtwoord-vergeten|eigen tekst]]" in help_box
    )
    # The admonition kinds kb.css styles, with a Dutch title in quotes.
    assert '!!! tip "Handig om te weten"' in help_box
    assert '!!! warning "Let op"' in help_box
    assert "{{klantnaam}}" in help_box  # the placeholder syntax of the script page
    assert "| --- | --- |" in help_box


def test_the_picker_finds_internal_documents_for_editors_by_slug(client, login_as, make_document):
    make_document("Storing doorzetten naar de tweede lijn", "Intern.", audience="internal")
    login_as("editor")
    data = client.get("/zoeken/suggesties?q=storing").get_json()
    found = {s["slug"]: s for s in data["suggestions"]}
    assert found["storing-doorzetten-naar-de-tweede-lijn"]["audience"] == "internal"


def test_the_toolbar_script_is_served_and_the_page_allows_it(client, login_as):
    login_as("editor")
    response = client.get("/documenten/nieuw")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    script = client.get("/static/toolbar.js")
    assert script.status_code == 200
    assert b"execCommand" in script.data and b"aria-activedescendant" in script.data
    script.close()


def test_role_confirmation_names_the_dutch_role(client, make_user, login_as):
    agent = make_user("agent")
    login_as("admin")
    response = client.post_form(f"/beheer/gebruikers/{agent.id}/rol", {"role": "editor"})
    assert response.headers["Location"].endswith("/beheer/gebruikers")
    page = client.get("/beheer/gebruikers").get_data(as_text=True)
    assert f"{agent.email} is nu redacteur." in page
    assert "is nu editor" not in page
    client.post_form("/uitloggen")
    assert login(client, agent).headers["Location"] == "/console"


def test_content_commands_speak_english_like_the_rest_of_the_cli(runner, tmp_path):
    folder = tmp_path / "inhoud" / "articles"
    folder.mkdir(parents=True)
    (folder / "proef.md").write_text(
        "---\ntitle: Proef\nslug: proef\nkind: article\naudience: public\n"
        "category: algemeen\ntags: []\n---\nTekst.\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["content", "import", str(tmp_path / "inhoud")])
    assert result.exit_code == 0, result.output
    assert "Importing" in result.output and "Importeren" not in result.output
    assert "Imported 1 files" in result.output
    result = runner.invoke(args=["content", "export", str(tmp_path / "uit")])
    assert result.exit_code == 0, result.output
    assert "Exporting" in result.output and "Exporteren" not in result.output
    assert "Exported 1 documents" in result.output
