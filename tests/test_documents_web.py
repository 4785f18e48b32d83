"""Editors write, save, publish, compare and restore documents in the browser pages."""

import re

from tests.helpers import login


def _base(page: str) -> str:
    return re.search(r'name="base_revision"[^>]*value="(\d+)"', page).group(1)


def _edit(client, slug, **fields):
    page = client.get(f"/artikel/{slug}/bewerken").get_data(as_text=True)
    data = {
        "title": re.search(r'name="title"[^>]*value="([^"]*)"', page).group(1),
        "body": fields.pop("body", "x"),
        "audience": "public",
        "channel": "",
        "category": "",
        "tags": "",
        "base_revision": _base(page),
        **fields,
    }
    return client.post_form(f"/artikel/{slug}/bewerken", data)


def test_editor_creates_edits_publishes_and_reads_history(client, login_as):
    login_as("editor")
    response = client.post_form(
        "/documenten/nieuw",
        {
            "title": "Modem resetten",
            "kind": "article",
            "audience": "public",
            "channel": "",
            "category": "storingen",
            "tags": "modem, reset",
            "body": "Houd de knop **10 seconden** in.",
        },
    )
    assert response.headers["Location"].endswith("/artikel/modem-resetten")
    page = client.get("/artikel/modem-resetten").get_data(as_text=True)
    assert "Concept" in page and "Revisie 1" in page
    assert "<strong>10 seconden</strong>" in page

    response = _edit(
        client, "modem-resetten", body="Houd de knop **15 seconden** in.", message="langer"
    )
    assert response.headers["Location"].endswith("/artikel/modem-resetten")
    page = client.get("/artikel/modem-resetten").get_data(as_text=True)
    assert "Revisie 2" in page and "15 seconden" in page

    client.post_form("/artikel/modem-resetten/publiceren", {"revision": "2"})
    page = client.get("/artikel/modem-resetten").get_data(as_text=True)
    assert "Gepubliceerd" in page

    history = client.get("/artikel/modem-resetten/geschiedenis").get_data(as_text=True)
    assert 'data-revision="1"' in history and 'data-revision="2"' in history
    assert "langer" in history


def test_anonymous_sees_published_revision_not_newer_draft(client, make_document, login_as):
    slug = make_document("Opzeggen", "Opzeggen kan per maand.")
    login_as("editor")
    _edit(client, slug, body="GEHEIM concept over opzeggen", title="Opzeggen (nieuw)")
    client.post_form("/uitloggen")
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Opzeggen kan per maand." in page
    assert "GEHEIM" not in page and "(nieuw)" not in page


def test_compare_any_two_revisions_source_and_rendered(client, make_document, login_as):
    slug = make_document("Betalen", "Eerste regel.\n\nTweede regel.")
    login_as("editor")
    _edit(client, slug, body="Eerste regel.\n\nTweede regel aangepast.")
    _edit(
        client,
        slug,
        body="Nieuwe eerste regel.\n\nTweede regel aangepast.\n\n| a | b |\n|---|---|\n| 1 | 2 |",
    )
    page = client.get(f"/artikel/{slug}/vergelijk?van=1&naar=3").get_data(as_text=True)
    source = page.split('id="source-diff"')[1].split("</pre>")[0]
    assert '<span class="ddel">-Eerste regel.' in source
    assert '<span class="dadd">+Nieuwe eerste regel.' in source
    rendered = page.split('id="rendered-diff"')[1].split("</article>")[0]
    assert "<del" in rendered and "<ins" in rendered and "<table>" in rendered
    # And backwards, 3 → 2.
    page = client.get(f"/artikel/{slug}/vergelijk?van=3&naar=2").get_data(as_text=True)
    assert '<span class="dadd">+Eerste regel.' in page
    assert client.get(f"/artikel/{slug}/vergelijk?van=1&naar=9").status_code == 404


def test_restore_makes_new_revision_with_old_content(client, make_document, login_as):
    slug = make_document("Verhuizen", "Versie een.")
    login_as("editor")
    _edit(client, slug, body="Versie twee.")
    response = client.post_form(f"/artikel/{slug}/herstel", {"revision": "1"})
    assert response.headers["Location"].endswith(f"/artikel/{slug}")
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Revisie 3" in page and "Versie een." in page
    history = client.get(f"/artikel/{slug}/geschiedenis").get_data(as_text=True)
    assert "Hersteld van revisie 1" in history
    # Revision 2 is still there, unchanged.
    assert "Versie twee." in client.get(f"/artikel/{slug}/revisie/2").get_data(as_text=True)


def test_unpublish_and_archive_hide_from_readers(client, make_document, make_user):
    slug = make_document("Storing melden", "Bel de storingslijn.")
    editor = make_user("editor")
    assert client.get(f"/artikel/{slug}").status_code == 200
    login(client, editor)
    client.post_form(f"/artikel/{slug}/depubliceren")
    client.post_form("/uitloggen")
    assert client.get(f"/artikel/{slug}").status_code == 404
    login(client, editor)
    client.post_form(f"/artikel/{slug}/publiceren", {"revision": "1"})
    client.post_form(f"/artikel/{slug}/archiveren")
    assert "Gearchiveerd" in client.get(f"/artikel/{slug}").get_data(as_text=True)
    client.post_form("/uitloggen")
    assert client.get(f"/artikel/{slug}").status_code == 404


def test_save_from_stale_revision_shows_conflict_and_keeps_text(app, make_document, make_user):
    slug = make_document("Klacht indienen", "Origineel.")
    alice, bob = make_user("editor"), make_user("editor")
    a, b = app.test_client(), app.test_client()
    login(a, alice)
    login(b, bob)
    page_a = a.get(f"/artikel/{slug}/bewerken").get_data(as_text=True)
    page_b = b.get(f"/artikel/{slug}/bewerken").get_data(as_text=True)
    assert _base(page_a) == _base(page_b) == "1"
    common = {
        "title": "Klacht indienen",
        "audience": "public",
        "channel": "",
        "category": "facturen",
        "tags": "",
    }
    ok = a.post_form(
        f"/artikel/{slug}/bewerken", {**common, "body": "Tekst van Alice.", "base_revision": "1"}
    )
    assert ok.status_code in (302, 303)
    conflict = b.post_form(
        f"/artikel/{slug}/bewerken", {**common, "body": "Tekst van Bob.", "base_revision": "1"}
    )
    assert conflict.status_code == 409
    page = conflict.get_data(as_text=True)
    assert "Iemand anders heeft dit document intussen gewijzigd" in page
    assert "+Tekst van Alice." in page  # the other person's change
    assert "Tekst van Bob." in page  # my own text, kept for merging
    # Both replaced the one line: a block to decide, started on 1, merged with 2.
    assert 'name="blok-0"' in page
    assert 'name="base_revision" value="1"' in page and 'name="theirs_revision" value="2"' in page
    merged = b.post_form(
        f"/artikel/{slug}/samenvoegen",
        {
            **common,
            "body": "Tekst van Bob.",
            "base_revision": "1",
            "theirs_revision": "2",
            "blok-0": "both",
            "action": "opslaan",
        },
    )
    assert merged.status_code in (302, 303)
    final = b.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Tekst van Alice." in final and "Tekst van Bob." in final and "Revisie 3" in final


def test_form_errors_are_shown_and_nothing_is_saved(client, login_as):
    login_as("editor")
    response = client.post_form(
        "/documenten/nieuw",
        {"title": "", "kind": "article", "audience": "public", "channel": "", "body": "x"},
    )
    assert response.status_code == 422
    response = client.post_form(
        "/documenten/nieuw",
        {
            "title": "Script zonder kanaal",
            "kind": "script",
            "audience": "internal",
            "channel": "",
            "body": "x",
        },
    )
    assert response.status_code == 422
    assert "Kies het kanaal van dit script." in response.get_data(as_text=True)
    assert client.get("/artikel/script-zonder-kanaal").status_code == 404


def test_pathological_markdown_is_a_quick_form_error(client, login_as):
    login_as("editor")
    response = client.post_form(
        "/documenten/nieuw",
        {
            "title": "Haken",
            "kind": "article",
            "audience": "public",
            "channel": "",
            "body": "[" * 10_000,
        },
    )
    assert response.status_code == 422
    assert "te veel vierkante haken" in response.get_data(as_text=True)
    nested = "".join("    " * i + "- x\n" for i in range(150))
    response = client.post_form(
        "/documenten/nieuw",
        {"title": "Diep", "kind": "article", "audience": "public", "channel": "", "body": nested},
    )
    assert response.status_code == 422
    assert "te diep genest" in response.get_data(as_text=True)


def test_live_preview_renders_and_sanitises(client, login_as):
    login_as("editor")
    token = client.csrf_token()
    response = client.post(
        "/voorbeeld",
        data={"body": "**vet** <script>alert(1)</script>"},
        headers={"X-CSRFToken": token},
    )
    html = response.get_json()["html"]
    assert "<strong>vet</strong>" in html and "<script" not in html
    assert client.post("/voorbeeld", data={"body": "x"}).status_code == 400  # no CSRF header


def test_wiki_link_to_missing_page_offers_create_to_editors_only(client, make_document, login_as):
    slug = make_document("Overzicht", "Zie [[bestaat-niet]] en [[overzicht]].")
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert '<span class="wikilink missing">bestaat-niet</span>' in page
    assert '<a class="wikilink" href="/artikel/overzicht">Overzicht</a>' in page
    login_as("editor")
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert 'href="/documenten/nieuw?slug=bestaat-niet"' in page
