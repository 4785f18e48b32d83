"""The compare page as an editor reads it: one source line per line, no "@@ -8,6 +8,8 @@"
hunk headers, a marker where unchanged lines are left out, [[links]] shown as the titles the
article page shows, and dates to the minute on the editor pages."""

import re

from kb.documents import diff

BODY = "\n\n".join(f"Alinea {n} over het abonnement." for n in range(1, 16))


def _edit(client, slug, body, message="Aangepast"):
    page = client.get(f"/artikel/{slug}/bewerken").get_data(as_text=True)
    data = {
        "title": re.search(r'name="title"[^>]*value="([^"]*)"', page).group(1),
        "body": body,
        "audience": "public",
        "channel": "",
        "category": "facturen",
        "tags": "",
        "message": message,
        "base_revision": re.search(r'name="base_revision"[^>]*value="(\d+)"', page).group(1),
    }
    response = client.post_form(f"/artikel/{slug}/bewerken", data)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]


def _source(page: str) -> str:
    return page.split('id="source-diff">')[1].split("</pre>")[0]


def test_source_diff_has_no_hunk_headers_and_one_line_per_line(client, login_as, make_document):
    slug = make_document("Abonnement", BODY)
    login_as("editor")
    changed = BODY.replace("Alinea 3 over", "Alinea drie over").replace("Alinea 10 ", "Alinea 40 ")
    _edit(client, slug, changed)
    page = client.get(f"/artikel/{slug}/vergelijk?van=1&naar=2").get_data(as_text=True)
    source = _source(page)
    assert "@@" not in source
    lines = re.findall(r'<span class="(d\w+)"[^>]*>(.*?)\n</span>', source, re.S)
    # Every line is one element that ends in its own newline: nothing between them, so the
    # page shows no blank line between two source lines (copying keeps the line breaks).
    assert re.sub(r'<span class="d\w+"[^>]*>.*?\n</span>', "", source, flags=re.S) == ""
    kinds = [kind for kind, _text in lines]
    assert ("ddel", "-Alinea 3 over het abonnement.") in lines
    assert ("dadd", "+Alinea drie over het abonnement.") in lines
    assert ("dadd", "+Alinea 40 over het abonnement.") in lines
    # Unchanged stretches are left out, each marked once: before, between and after.
    assert kinds.count("dgap") == 3 and kinds[0] == "dgap" and kinds[-1] == "dgap"
    assert 'aria-label="ongewijzigde regels weggelaten"' in source
    assert "Alinea 7 over" not in source  # far from both changes


def test_page_lines_keep_every_change_and_leave_out_no_edge_that_is_shown():
    from types import SimpleNamespace

    def rev(body, number):
        meta = {"audience": "public", "category": "x", "tags": []}
        return SimpleNamespace(title="T", body=body, meta=meta, number=number)

    old, new = rev("een\ntwee\ndrie", 1), rev("een\n2\ndrie", 2)
    lines = diff.page_lines(old, new)
    assert [line.op for line in lines if line.op in "-+"] == ["-", "+"]
    assert lines[-1].op != "~"  # the change is near the end: nothing left out after it
    assert not any(line.op == "@" for line in lines)
    assert diff.page_lines(old, old) == []
    # The API keeps its unified lines with hunk headers.
    assert diff.source_diff(old, new)[0].op == "@"


def test_rendered_diff_shows_wiki_links_by_title(client, login_as, make_document):
    make_document("Wachtwoord vergeten", "Zo zet u een nieuw wachtwoord.")
    slug = make_document("Inloggen", "Lukt inloggen niet? Bel ons.")
    login_as("editor")
    _edit(client, slug, "Lukt inloggen niet? Lees [[wachtwoord-vergeten]] of [[nog-te-schrijven]].")
    page = client.get(f"/artikel/{slug}/vergelijk?van=1&naar=2").get_data(as_text=True)
    rendered = page.split('id="rendered-diff">')[1].split("</article>")[0]
    link = re.search(
        r'<a class="wikilink" href="/artikel/wachtwoord-vergeten"[^>]*>(.*?)</a>', rendered
    )
    assert link and re.sub(r"</?ins>", "", link.group(1)) == "Wachtwoord vergeten"
    assert "/documenten/nieuw?slug=nog-te-schrijven" in rendered  # editors may create it
    assert "data-slug" not in rendered
    # The source diff still shows what the editor typed.
    assert "[[wachtwoord-vergeten]]" in _source(page)


def test_editor_pages_show_dates_to_the_minute(client, login_as, make_document):
    slug = make_document("Betalen", "Eerste versie.")
    login_as("editor")
    _edit(client, slug, "Tweede versie.", message="Tweede")
    pages = {
        "history": f"/artikel/{slug}/geschiedenis",
        "revision": f"/artikel/{slug}/revisie/1",
        "compare": f"/artikel/{slug}/vergelijk?van=1&naar=2",
    }
    for name, url in pages.items():
        page = client.get(url).get_data(as_text=True)
        main = page.split('<main id="inhoud">')[1].split("</main>")[0]
        text = re.sub(r"<[^>]+>", " ", main)
        shown = re.findall(r"\b\d{1,2}[-:.]\d{2}(?:[-:.]\d{2,4})?\b", text)
        times = [t for t in shown if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", t)]
        assert times, f"{name}: no time shown"
        assert all(t.count(":") == 1 for t in times), f"{name} shows seconds: {times}"
    compare = client.get(pages["compare"]).get_data(as_text=True)
    assert compare.count("<time datetime=") == 2  # both revisions: who and when
    assert "Tweede" in compare.split('class="compare-revisions"')[1].split("</dl>")[0]
