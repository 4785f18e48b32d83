"""What the acknowledge banner shows as changed: only the changed blocks of the rendered text,
words marked, each under the step it belongs to; removed and added paragraphs whole."""

from kb.documents.ack_changes import MAX_BLOCKS, changes
from kb.documents.models import Revision

OLD = """<h2 id="begroeten">Begroeten</h2>
<blockquote>
<p>Goedemiddag, u spreekt met Polderlink.</p>
</blockquote>
<h2 id="controleren">Controleren</h2>
<ul>
<li>Vraag de naam.</li>
<li>Vraag het klantnummer.</li>
<li>Vraag het adres.</li>
</ul>
<p>Noteer alles in het ticket.</p>
<p>Sluit vriendelijk af.</p>"""


def rev(number: int, html: str, title: str = "Begroeting") -> Revision:
    return Revision(number=number, title=title, body="", html=html)


def shown(old: str, new: str, **kwargs):
    found = changes(rev(1, old), rev(2, new, **kwargs))
    return found, [(str(b.where) if b.where else None, str(b.html)) for b in found.blocks]


def test_only_the_changed_list_item_under_its_step():
    new = OLD.replace("Vraag het klantnummer.", "Vraag de postcode.")
    found, blocks = shown(OLD, new)
    assert found.title is None and len(blocks) == 1
    where, html = blocks[0]
    assert where == "Controleren"
    assert html == (
        "<ul><li>Vraag <del>het</del><ins>de</ins> <del>klantnummer.</del><ins>postcode.</ins>"
        "</li></ul>"
    )  # the other items stay out


def test_a_removed_paragraph_is_not_read_as_rewriting_the_next():
    new = OLD.replace("<p>Noteer alles in het ticket.</p>\n", "").replace(
        "Sluit vriendelijk af.", "Sluit vriendelijk af en bedank de klant."
    )
    _found, blocks = shown(OLD, new)
    htmls = [html for _where, html in blocks]
    assert "<p><del>Noteer alles in het ticket.</del></p>" in htmls
    assert "<p>Sluit vriendelijk <del>af.</del><ins>af en bedank de klant.</ins></p>" in htmls
    assert len(htmls) == 2


def test_an_added_step_and_a_new_title():
    new = OLD + '\n<h2 id="afsluiten">Afsluiten</h2>\n<p>Wens een fijne dag.</p>'
    found, blocks = shown(OLD, new, title="Begroeting telefoon")
    assert found.title == ("Begroeting", "Begroeting telefoon")
    assert blocks[0] == (None, '<p class="ack-heading"><ins>Afsluiten</ins></p>')
    assert blocks[1] == ("Afsluiten", "<p><ins>Wens een fijne dag.</ins></p>")
    assert all('id="' not in html for _where, html in blocks)  # the page keeps its anchors


def test_nothing_visible_changed():
    found, blocks = shown(OLD, OLD)
    assert found.empty and blocks == []


def test_a_long_rewrite_is_cut_with_a_count():
    old = "\n".join(f"<p>Alinea {n} oud.</p>" for n in range(MAX_BLOCKS + 5))
    new = old.replace("oud.", "nieuw.")
    found, blocks = shown(old, new)
    assert len(blocks) == MAX_BLOCKS and found.more == 5
