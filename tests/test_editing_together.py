"""Two editors on one document in the web pages: a stale save meets the merge page, whose own
form (submitted as a browser would) saves without losing either person's change; and who
else has the editor open."""

from datetime import timedelta
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from kb.auth.models import SYSTEM, User
from kb.db import utcnow
from kb.documents import presence
from kb.documents.models import Document
from kb.extensions import db
from tests.helpers import PASSWORD, login

BASE = "# Modem\n\nZet de modem uit.\nWacht tien seconden.\nZet de modem weer aan."
HEADING = BASE.replace("# Modem", "# Modem opnieuw starten")  # Anna
PARAGRAPH = BASE + "\n\nBrandt het lampje rood? Bel de storingslijn."  # Bram
COMMON = {"audience": "public", "channel": "", "category": "internet", "tags": "modem"}


class FormReader(HTMLParser):
    """What a browser sends for one form: named inputs, textareas, checked radios, selects."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, {}
        self.textarea: str | None = None
        self.action = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
            self.action = a.get("action", "") if self.inside else self.action
        if not self.inside or "name" not in a:
            return
        if tag == "input" and a.get("type") not in ("radio", "checkbox", "submit"):
            self.fields[a["name"]] = a.get("value") or ""
        elif tag == "input" and "checked" in a:
            self.fields[a["name"]] = a.get("value") or "on"
        elif tag == "textarea":
            self.textarea = a["name"]
            self.fields[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        if tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data


def form_of(page: str, form_id: str = "merge-form") -> tuple[str, dict]:
    reader = FormReader(form_id)
    reader.feed(page)
    fields = dict(reader.fields)
    if "body" in fields:  # a browser drops the newline a textarea's content starts with
        body = fields["body"]
        fields["body"] = body[2:] if body.startswith("\r\n") else body.removeprefix("\n")
    return reader.action, fields


@pytest.fixture
def editors(app):
    """Anna and Bram, two editors with names, each logged in with a client of their own."""
    from kb.auth import service

    def person(name):
        with app.app_context():
            user = service.create_user(
                SYSTEM, f"{name.lower()}@example.test", "editor", PASSWORD, name=f"{name} Test"
            )
            plain = SimpleNamespace(id=user.id, email=user.email, password=PASSWORD, name=user.name)
        client = app.test_client()
        login(client, plain)
        return SimpleNamespace(user=plain, client=client)

    return person("Anna"), person("Bram")


def save(client, slug, base, body, **fields):
    data = {**COMMON, "title": "Modem resetten", "body": body, "base_revision": str(base)}
    return client.post_form(f"/artikel/{slug}/bewerken", {**data, **fields})


def current(app, slug):
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        rev = doc.current
        return SimpleNamespace(
            number=rev.number, body=rev.body, title=rev.title, message=rev.message, meta=rev.meta
        )


@pytest.fixture
def slug(make_document):
    return make_document("Modem resetten", BASE, category="internet", tags=["modem"])


def test_edits_that_do_not_overlap_are_merged_and_saved_with_one_click(app, slug, editors):
    anna, bram = editors
    assert save(anna.client, slug, 1, HEADING).status_code in (302, 303)
    conflict = save(bram.client, slug, 1, PARAGRAPH, message="Lampje toegevoegd")
    assert conflict.status_code == 409
    page = conflict.get_data(as_text=True)
    assert "overlappen niet" in page and 'id="merge-status"' in page
    # Both changes are marked in the merged text: hers as hers, his as his.
    assert "Gewijzigd door Anna Test" in page and "Uw wijziging" in page
    theirs_block = page[page.index('class="m-block m-theirs"') :]
    # The words she added are marked within her line.
    assert '# Modem <mark class="m-word">opnieuw starten</mark>' in theirs_block.split("</div>")[0]
    mine_block = page[page.index('class="m-block m-mine"') :]
    assert "Brandt het lampje rood?" in mine_block.split("</div>")[0]
    assert 'type="radio"' not in page  # nothing to decide

    # One click: the page's own form as it stands, with its first button.
    action, fields = form_of(page)
    assert fields["body"] == PARAGRAPH  # Bram's text travels along, untouched
    saved = bram.client.post_form(action, {**fields, "action": "opslaan"})
    assert saved.status_code in (302, 303) and saved.headers["Location"].endswith(f"/{slug}")
    rev = current(app, slug)
    assert rev.number == 3
    assert rev.body == HEADING + "\n\nBrandt het lampje rood? Bel de storingslijn."
    assert rev.message == "Lampje toegevoegd (samengevoegd met revisie 2 van Anna Test)"


def _overlap(app, slug, editors):
    anna, bram = editors
    assert save(anna.client, slug, 1, BASE.replace("tien", "dertig")).status_code in (302, 303)
    conflict = save(bram.client, slug, 1, PARAGRAPH.replace("tien", "twintig"))
    assert conflict.status_code == 409
    return conflict.get_data(as_text=True)


def test_overlapping_edits_are_not_saved_until_each_block_is_decided(app, slug, editors):
    _, bram = editors
    page = _overlap(app, slug, editors)
    assert "hetzelfde stuk gewijzigd" in page
    block = page[page.index('id="blok-0"') : page.index("</fieldset>", page.index('id="blok-0"'))]
    assert 'Wacht <mark class="m-word">twintig</mark> seconden.' in block  # his side
    assert 'Wacht <mark class="m-word">dertig</mark> seconden.' in block  # hers
    for label in ("houd mijn versie", "houd hun versie", "beide"):
        assert label in block
    # His paragraph at the end merged without asking.
    assert "Brandt het lampje rood?" in page[page.index('class="m-block m-mine"') :]

    action, fields = form_of(page)
    refused = bram.client.post_form(action, {**fields, "action": "opslaan"})
    assert refused.status_code == 422
    again = refused.get_data(as_text=True)
    assert "Niet opgeslagen: kies eerst bij elk gemarkeerd blok" in again
    assert current(app, slug).number == 2  # nothing saved, and his text is still on the page
    assert form_of(again)[1]["body"] == PARAGRAPH.replace("tien", "twintig")
    # "Verder bewerken" is refused the same way.
    assert bram.client.post_form(action, {**fields, "action": "bewerken"}).status_code == 422


@pytest.mark.parametrize(
    ("choice", "line"),
    [
        ("mine", "Wacht twintig seconden."),
        ("theirs", "Wacht dertig seconden."),
        ("both", "Wacht dertig seconden.\nWacht twintig seconden."),
    ],
)
def test_each_choice_does_what_it_says(app, slug, editors, choice, line):
    _, bram = editors
    action, fields = form_of(_overlap(app, slug, editors))
    saved = bram.client.post_form(action, {**fields, "blok-0": choice, "action": "opslaan"})
    assert saved.status_code in (302, 303)
    expected = f"# Modem\n\nZet de modem uit.\n{line}\nZet de modem weer aan."
    assert current(app, slug).body == expected + "\n\nBrandt het lampje rood? Bel de storingslijn."


def test_a_choice_made_is_kept_when_the_page_comes_back(app, slug, editors):
    _, bram = editors
    # Title and text both overlap; he decides the text only.
    anna, _ = editors
    assert save(anna.client, slug, 1, BASE, title="Modem herstarten").status_code in (302, 303)
    conflict = save(bram.client, slug, 1, BASE + "\n\nExtra.", title="Modem uit en aan")
    page = conflict.get_data(as_text=True)
    assert 'id="veld-title"' in page and 'name="veld-title"' in page
    action, fields = form_of(page)
    refused = bram.client.post_form(action, {**fields, "action": "opslaan"})
    assert refused.status_code == 422
    again = refused.get_data(as_text=True)
    row = again[
        again.index('id="veld-title"') : again.index("</tr>", again.index('id="veld-title"'))
    ]
    assert "Kies welke versie blijft." in row
    action, fields = form_of(again)
    fields["veld-title"] = "theirs"
    chosen = bram.client.post_form(action, {**fields, "action": "bewerken"})
    # Verder bewerken: the editor with the merged result, on top of revision 2.
    assert chosen.status_code == 200
    _, editor = form_of(chosen.get_data(as_text=True), "editor-form")
    assert editor["base_revision"] == "2" and editor["title"] == "Modem herstarten"
    assert editor["body"] == BASE + "\n\nExtra."
    assert current(app, slug).number == 2


def test_overwriting_their_change_takes_its_own_button_and_is_recorded(app, slug, editors):
    _, bram = editors
    assert save(editors[0].client, slug, 1, HEADING).status_code in (302, 303)
    page = save(bram.client, slug, 1, PARAGRAPH, message="Lampje").get_data(as_text=True)
    assert "Overschrijf hun wijziging" in page
    action, fields = form_of(page)
    saved = bram.client.post_form(action, {**fields, "action": "overschrijven"})
    assert saved.status_code in (302, 303)
    rev = current(app, slug)
    assert rev.body == PARAGRAPH  # exactly his text: her heading is undone, on purpose
    assert rev.message == "Lampje (overschreef de wijziging van Anna Test (revisie 2))"


def test_metadata_merges_field_by_field(app, slug, editors):
    anna, bram = editors
    ok = save(anna.client, slug, 1, BASE, category="storingen")
    assert ok.status_code in (302, 303)
    page = save(bram.client, slug, 1, BASE, tags="modem, wifi", title="Modem herstarten")
    page_text = page.get_data(as_text=True)
    assert "overlappen niet" in page_text
    action, fields = form_of(page_text)
    assert bram.client.post_form(action, {**fields, "action": "opslaan"}).status_code in (302, 303)
    rev = current(app, slug)
    assert rev.title == "Modem herstarten"
    assert rev.meta["category"] == "storingen" and rev.meta["tags"] == ["modem", "wifi"]
    assert rev.body == BASE


def test_a_third_save_in_between_is_merged_too(app, slug, editors, make_user):
    anna, bram = editors
    assert save(anna.client, slug, 1, HEADING).status_code in (302, 303)
    action, fields = form_of(save(bram.client, slug, 1, PARAGRAPH).get_data(as_text=True))
    # While Bram looks at the merge page, a third editor changes another line.
    third = app.test_client()
    login(third, make_user("editor"))
    three = HEADING.replace("Zet de modem uit.", "Zet de modem uit met de knop.")
    assert save(third, slug, 2, three).status_code in (302, 303)
    again = bram.client.post_form(action, {**fields, "action": "opslaan"})
    assert again.status_code == 409  # merged once more, against revision 3
    page = again.get_data(as_text=True)
    assert "overlappen niet" in page and "revisie 3" in page
    action, fields = form_of(page)
    assert bram.client.post_form(action, {**fields, "action": "opslaan"}).status_code in (302, 303)
    rev = current(app, slug)
    assert rev.number == 4
    assert rev.body == three + "\n\nBrandt het lampje rood? Bel de storingslijn."


def test_editors_see_who_else_has_the_editor_open(app, slug, editors, make_user, client):
    anna, bram = editors
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        presence.report(
            doc, db.session.get(User, anna.user.id), now=utcnow() - timedelta(minutes=3)
        )
        presence.report(
            doc, db.session.get(User, anna.user.id), now=utcnow() - timedelta(minutes=1)
        )
    page = bram.client.get(f"/artikel/{slug}/bewerken").get_data(as_text=True)
    assert "Ook bezig met dit document: Anna Test (sinds 3 min)" in page
    # Anna does not see herself.
    assert "Ook bezig met dit document" not in anna.client.get(
        f"/artikel/{slug}/bewerken"
    ).get_data(as_text=True)
    # Bram's heartbeat (a POST with the CSRF header) records him and answers with the others.
    token = bram.client.csrf_token()
    beat = bram.client.post(f"/artikel/{slug}/aanwezig", headers={"X-CSRFToken": token})
    assert beat.status_code == 200
    assert beat.get_json() == {"text": "Ook bezig met dit document: Anna Test (sinds 3 min)"}
    beat = anna.client.post(
        f"/artikel/{slug}/aanwezig", headers={"X-CSRFToken": anna.client.csrf_token()}
    )
    assert beat.get_json() == {"text": "Ook bezig met dit document: Bram Test (zojuist begonnen)"}
    # Without the CSRF token nothing is recorded.
    assert bram.client.post(f"/artikel/{slug}/aanwezig").status_code == 400
    # Agents never see it: the editor and the heartbeat are not there for them.
    login(client, make_user("agent"))
    assert client.get(f"/artikel/{slug}/bewerken").status_code == 404
    assert client.post_form(f"/artikel/{slug}/aanwezig").status_code == 404


def test_presence_goes_after_the_window_and_after_saving(app, slug, editors):
    anna, bram = editors
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        long_ago = utcnow() - presence.WINDOW - timedelta(seconds=1)
        presence.report(doc, db.session.get(User, anna.user.id), now=long_ago)
    page = bram.client.get(f"/artikel/{slug}/bewerken").get_data(as_text=True)
    assert "Ook bezig met dit document" not in page
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        presence.report(doc, db.session.get(User, anna.user.id))
        # Back after the window: counted from now, not from the first time.
        assert [p.minutes for p in presence.others(doc, db.session.get(User, bram.user.id))] == [0]
    assert "Anna Test (zojuist begonnen)" in bram.client.get(f"/artikel/{slug}/bewerken").get_data(
        as_text=True
    )
    assert save(anna.client, slug, 1, HEADING).status_code in (302, 303)  # she is done
    page = bram.client.get(f"/artikel/{slug}/bewerken").get_data(as_text=True)
    assert "Ook bezig met dit document" not in page


def test_choices_made_on_an_older_merge_are_asked_again(app, slug, editors, make_user):
    """His choice is kept in his text; a newer save that overlaps it again is a new question,
    not answered by the old choice."""
    _, bram = editors
    action, fields = form_of(_overlap(app, slug, editors))
    third = app.test_client()
    login(third, make_user("editor"))
    longer = BASE.replace("tien", "dertig").replace("dertig seconden", "dertig lange seconden")
    assert save(third, slug, 2, longer).status_code in (302, 303)
    again = bram.client.post_form(action, {**fields, "blok-0": "mine", "action": "opslaan"})
    assert again.status_code == 409  # merged anew, with revision 3
    page = again.get_data(as_text=True)
    block = page[page.index('id="blok-0"') : page.index("</fieldset>", page.index('id="blok-0"'))]
    assert "twintig" in block and "lange" in block and "checked" not in block
    assert "Terwijl u samenvoegde, sloeg Editor revisie 3 op." in page
    action, fields = form_of(page)
    assert bram.client.post_form(action, {**fields, "action": "opslaan"}).status_code == 422
    assert current(app, slug).number == 3
    saved = bram.client.post_form(action, {**fields, "blok-0": "both", "action": "opslaan"})
    assert saved.status_code in (302, 303)
    assert current(app, slug).body == (
        "# Modem\n\nZet de modem uit.\nWacht dertig lange seconden.\nWacht twintig seconden."
        "\nZet de modem weer aan.\n\nBrandt het lampje rood? Bel de storingslijn."
    )


def test_a_script_merges_its_channel_and_category_field_by_field(app, make_document, editors):
    anna, bram = editors
    slug = make_document(
        "Begroeting",
        "Goedemorgen, u spreekt met {{naam}}.",
        kind="script",
        audience="internal",
        channel="phone",
        category="gesprekken",
        tags=["begroeting"],
    )
    fields = {"audience": "internal", "category": "gesprekken", "tags": "begroeting"}
    body = "Goedemorgen, u spreekt met {{naam}}."
    ok = save(anna.client, slug, 1, body, title="Begroeting", **{**fields, "channel": "chat"})
    assert ok.status_code in (302, 303)
    page = save(
        bram.client,
        slug,
        1,
        body + " Waarmee kan ik u helpen?",
        title="Begroeting",
        **{**fields, "channel": "phone", "category": "klantcontact"},
    ).get_data(as_text=True)
    assert "overlappen niet" in page
    action, form = form_of(page)
    assert bram.client.post_form(action, {**form, "action": "opslaan"}).status_code in (302, 303)
    rev = current(app, slug)
    assert (rev.meta["channel"], rev.meta["category"]) == ("chat", "klantcontact")
    assert rev.body.endswith("Waarmee kan ik u helpen?")
