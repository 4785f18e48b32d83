"""Markdown is rendered once at save, with the extensions editors expect, and sanitised."""

import re

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


def test_one_document_leaves_nothing_behind_for_the_next():
    """The converter is reused per thread: heading ids, code blocks and raw HTML of one body
    must not show up in, or change, the next one."""
    first = markdown._render_unchecked(
        "## Stap een\n\n```\ngeheime code\n```\n\n<b>vet</b>\n\n[[wachtwoord]]\n"
    )
    second = markdown._render_unchecked("## Stap een\n\ntekst\n")
    assert '<h2 id="stap-een">' in first and "geheime code" in first
    assert second == '<h2 id="stap-een">Stap een</h2>\n<p>tekst</p>'


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


def test_task_lists_render_as_disabled_checkboxes(render):
    html = render(
        "- [ ] Klantnummer **gecontroleerd**\n- [x] Ticket aangemaakt\n- gewoon punt\n\n"
        "1. [X] genummerd\n\n"
        "- [ ] los item\n\n    met een tweede alinea\n"
    )
    assert html.count('<ul class="task-list">') == 2 and '<ol class="task-list">' in html
    assert (
        '<li class="task"><label><input type="checkbox" disabled> Klantnummer '
        "<strong>gecontroleerd</strong></label></li>"
    ) in html
    assert '<input type="checkbox" checked disabled> Ticket aangemaakt' in html
    assert '<input type="checkbox" checked disabled> genummerd' in html
    assert "<li>gewoon punt</li>" in html
    assert '<p><label><input type="checkbox" disabled> los item</label></p>' in html
    assert "[ ]" not in html and "[x]" not in html.lower()


def test_brackets_that_are_not_tasks_stay_text(render):
    html = render("- [ ]zonder spatie\n- [y] ander teken\n- tekst [ ] midden\n\n[ ] geen lijst")
    assert "<input" not in html
    assert "[ ]zonder spatie" in html and "[y] ander teken" in html and "[ ] geen lijst" in html


@pytest.mark.parametrize(
    "body",
    [
        '<input type="text" onfocus="alert(1)" autofocus value="x" name="csrf_token">',
        '<input type="image" src="javascript:alert(1)" formaction="javascript:alert(2)">',
        '<input type="submit" form="f"><input type="hidden" name="q">',
        '<input type="password">',
        '- [ ] <input type="text" onfocus=alert(1)>',
    ],
)
def test_raw_inputs_become_harmless_disabled_checkboxes(render, body):
    html = render(body)
    inputs = re.findall(r"<input[^>]*>", html)
    assert inputs and set(inputs) == {'<input type="checkbox" disabled>'}
    for forbidden in ("onfocus", "javascript:", "autofocus", "value=", "name=", "form", "text"):
        assert forbidden not in html.replace('type="checkbox"', "").lower()


def test_input_text_inside_attributes_is_dropped_not_rewritten(render):
    html = render(
        """<abbr title='x<input a="b" onmouseover="alert(1)">'>a</abbr> """
        """<abbr title="<INPUT>">b</abbr> <span class='<input>'>c</span>"""
    )
    assert html == "<p><abbr>a</abbr> <abbr>b</abbr> <span>c</span></p>"


def test_rendering_is_the_same_every_time(render):
    body = "- [x] klaar\n- [ ] open\n\n<input checked disabled type=checkbox>"
    assert len({render(body) for _ in range(8)}) == 1


def test_label_and_list_classes_carry_no_handlers(render):
    html = render('<label for="x" onclick="alert(1)" class="y">a</label> <ul onmouseover=x>')
    assert "onclick" not in html and "onmouseover" not in html and "for=" not in html


def test_placeholders_and_template_syntax_stay_plain_text(render):
    html = render(
        "Goedemiddag {{klantnaam}}, {{ Klant }} {{a b}} {{{x}}} {% if 1 %}ja{% endif %} "
        "{{x en {{klant_naam}} bij {{agent}}.\n\n> U spreekt met {{agent}}."
    )
    assert (
        "<p>Goedemiddag {{klantnaam}}, {{ Klant }} {{a b}} {{{x}}} {% if 1 %}ja{% endif %} "
        "{{x en {{klant_naam}} bij {{agent}}.</p>"
    ) in html
    assert "<blockquote>\n<p>U spreekt met {{agent}}.</p>\n</blockquote>" in html


def test_rendered_diff_keeps_checkboxes(render):
    from types import SimpleNamespace

    from kb.documents.diff import rendered_diff

    old = SimpleNamespace(html=render("- [ ] een\n- [x] twee"))
    new = SimpleNamespace(html=render("- [ ] een\n- [x] drie"))
    html = str(rendered_diff(old, new))
    assert '<input type="checkbox" disabled> een' in html
    assert '<input type="checkbox" checked disabled> <del>twee</del><ins>drie</ins>' in html
