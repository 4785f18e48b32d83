"""Markdown is rendered once at save, with the extensions editors expect, and sanitised."""

import pytest

from kb.documents import markdown
from kb.errors import Invalid


@pytest.fixture
def render(app):
    def do(body: str, timeout: float = 10.0) -> str:
        with app.test_request_context():
            return markdown.render(body, timeout=timeout)

    return do


def test_tables_code_toc_and_admonitions(render):
    html = render(
        "## Openingstijden\n\n| dag | tijd |\n|---|---|\n| ma | 8-21 |\n\n"
        '```\nping 8.8.8.8\n```\n\n!!! tip "Handig"\n    Herstart de Thuisbox.\n'
    )
    assert '<h2 id="openingstijden">Openingstijden</h2>' in html
    assert "<table>" in html and "<td>8-21</td>" in html
    assert "<pre><code>ping 8.8.8.8" in html
    assert (
        '<div class="admonition tip">' in html and '<p class="admonition-title">Handig</p>' in html
    )


@pytest.mark.parametrize(
    "body, forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ("[klik](javascript:alert(1))", "javascript:"),
        ("[data](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
        ('<iframe src="https://example.com"></iframe>', "<iframe"),
        ('<p style="color:red">x</p>', "style="),
        ('<a href="https://example.com" onclick="x()">x</a>', "onclick"),
    ],
)
def test_dangerous_markup_is_removed(render, body, forbidden):
    assert forbidden not in render(body).lower()


def test_allowed_link_schemes(render):
    html = render(
        "[bel](tel:08001234567) [mail](mailto:a@b.nl) [web](https://polderlink.example) "
        "[ftp](ftp://x.nl)"
    )
    assert 'href="tel:08001234567"' in html and 'href="mailto:a@b.nl"' in html
    assert 'href="https://polderlink.example"' in html and "ftp://" not in html


def test_wikilink_placeholders_resolve_per_viewer(render):
    html = render("Zie [[factuur-betalen]] of [[opzeggen|uw contract opzeggen]].")
    assert markdown.wikilink_slugs(html) == {"factuur-betalen", "opzeggen"}
    out = markdown.resolve_wikilinks(html, {"factuur-betalen": "Factuur betalen"}, can_create=False)
    assert '<a class="wikilink" href="/artikel/factuur-betalen">Factuur betalen</a>' in out
    assert '<span class="wikilink missing">uw contract opzeggen</span>' in out


def test_pathological_input_is_refused_quickly(render):
    with pytest.raises(Invalid) as exc:
        render("[" * 10_000)
    assert "body" in exc.value.errors
    with pytest.raises(Invalid):
        render("".join("    " * i + "- x\n" for i in range(100)))
    with pytest.raises(Invalid):
        render(">" * 200 + " diep")


def test_render_that_runs_past_its_deadline_is_refused_and_the_next_works(render):
    # A real render in the helper process, given no time at all, is cut off...
    with pytest.raises(Invalid) as exc:
        render("[" * 399 + "\n\n" + "[" * 399, timeout=0.0001)
    assert "duurt te lang" in exc.value.errors["body"]
    # ...and the replacement process renders the next body normally.
    assert render("**weer goed**") == "<p><strong>weer goed</strong></p>"
