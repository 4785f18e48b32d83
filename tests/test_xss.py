"""Issue 20: every user-supplied string that reaches a page is escaped or sanitised.

The payloads (tests/data/xss_payloads.txt) go through the Markdown renderer (the HTML stored
on a revision) and through the app into every field a person can fill in: titles, bodies,
tags, comments, "Wat zocht u?" answers, ticket subjects and notes, search queries. Every
page that shows them must hold nothing that runs, loads or redirects (tests/xss_corpus.py).
The browser half is tests/browser/test_browser_xss.py.
"""

import pytest
from pydantic import ValidationError

from kb.auth.models import SYSTEM
from kb.documents import markdown
from kb.documents.models import MAX_TITLE, Document
from kb.errors import Invalid
from kb.extensions import db
from tests.helpers import login
from tests.xss_corpus import PAYLOADS, dangers


def test_the_corpus_is_big_and_the_check_finds_active_html():
    assert len(PAYLOADS) >= 70
    # The check itself must be able to fail: the raw payloads are mostly active.
    active = [p for p in PAYLOADS if dangers(p)]
    assert len(active) >= 50
    assert dangers('<a href="jav&#x09;ascript:x()">a</a>')
    assert dangers('<h2 id="__xss">kop</h2>')
    assert dangers("<script src=/static/kb.js>x()</script>", page=True)


def test_stored_markdown_html_holds_nothing_active():
    for payload in PAYLOADS:
        html = markdown.render(payload)
        assert not dangers(html), (payload, html)
    # What may stay does stay: links, task boxes, heading anchors.
    kept = markdown.render("## Kop\n\n- [x] klaar\n\n[site](https://example.test)")
    assert '<h2 id="kop">' in kept and 'href="https://example.test"' in kept
    assert '<input type="checkbox" checked disabled>' in kept


def test_a_heading_id_cannot_stand_for_a_script_global():
    html = markdown.render('<h2 id="kbScript">a</h2>\n\n<h3 id="__xss">b</h3>\n\n## Gewoon')
    assert 'id="kbScript"' not in html and 'id="__xss"' not in html
    assert '<h2 id="gewoon">Gewoon</h2>' in html


def _seed(app, make_user):
    """A document per payload (title and body), with a comment, a follow-up answer, and a
    ticket with a note per payload. Returns (slugs, ticket ids).

    One unit of work, as `kb content import` does: the search index is updated once after
    its commit instead of after each of the ~200 saves (most of this test's time)."""
    from kb.db import unit_of_work
    from kb.documents import service
    from kb.documents.schemas import DocumentCreate
    from kb.feedback import service as feedback
    from kb.feedback.schemas import CommentCreate, VoteFollowUp
    from kb.search import service as search
    from kb.tickets import service as tickets
    from kb.tickets.schemas import NoteCreate, TicketCreate

    agent = make_user("agent")
    slugs, ticket_ids = [], []
    with app.app_context(), unit_of_work():
        from kb.auth.models import User

        author = db.session.get(User, agent.id)
        for n, payload in enumerate(PAYLOADS):
            title = f"xss {n} {' '.join(payload.split())}"[:MAX_TITLE]
            data = {"kind": "article", "audience": "public", "category": "xss"}
            doc = service.create_document(
                SYSTEM, DocumentCreate.model_validate({**data, "title": title, "body": payload})
            )
            service.publish(doc, SYSTEM)
            slugs.append(doc.slug)
            feedback.add_comment(doc, author, CommentCreate(body=payload))
            vote = feedback.vote(doc, helpful=False)
            db.session.flush()  # the vote's id, which the follow-up names
            assert feedback.follow_up(doc, vote.id, VoteFollowUp(wanted=payload[:300]))
            if n % 4 == 0:  # tickets are fewer: a subject is one line
                ticket = tickets.create_ticket(
                    author,
                    TicketCreate(
                        external_ref=f"XSS-{n}",
                        subject=" ".join(payload.split())[:200],
                        channel="phone",
                        confirm_personal_data=True,
                    ),
                )
                tickets.add_note(
                    ticket, author, NoteCreate(body=payload, confirm_personal_data=True)
                )
                db.session.flush()
                ticket_ids.append(ticket.id)
    with app.app_context():
        search.sync()  # whatever the after-commit update's time budget left over
        assert db.session.scalar(db.select(db.func.count(Document.id))) == len(PAYLOADS)
    return slugs, ticket_ids


def _inert(client, url: str, allowed: frozenset[str] = frozenset()) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.get_data(as_text=True)
    found = dangers(html, page=True, allowed={"form", "body", *allowed})
    assert not found, (url, found)
    return html


def test_every_field_reaches_its_pages_escaped(app, client, make_user):
    slugs, ticket_ids = _seed(app, make_user)
    # A customer: articles, search results (titles, snippets) and the query itself.
    for slug in slugs:
        _inert(client, f"/artikel/{slug}")
    for payload in PAYLOADS:
        _inert(client, "/zoeken?" + _query({"q": payload[:200]}))
    assert "xss 0" in _inert(client, "/zoeken?q=xss&limit=50")
    assert client.get("/api/v1/search?q=klik").get_json()["total"] > 0
    for hit in client.get("/api/v1/search?q=window+xss&limit=50").get_json()["results"]:
        assert not dangers(hit["snippet"]) and "<" not in hit["snippet"].replace(
            "<mark>", ""
        ).replace("</mark>", "")
    _inert(client, "/categorie/xss")
    # Staff: comments on the page, the inbox, the dashboard with "Wat zocht u?", tickets.
    for role in ("editor", "supervisor"):
        staff = make_user(role)
        with app.test_client() as own:
            login(own, staff)
            for slug in slugs[::7]:
                page = _inert(own, f"/artikel/{slug}")
                assert "window.__xss" in page or "xss" in page
            _inert(own, "/inbox")
            _inert(own, "/verzoeken")
            _inert(own, "/mijn-documenten")
            for slug in slugs[::11]:
                _inert(own, f"/artikel/{slug}/geschiedenis")
            _inert(own, "/dashboard", allowed=frozenset({"svg"}))  # its own charts
            _inert(own, "/inzichten")
            _inert(own, "/tickets")
            for ticket_id in ticket_ids:
                _inert(own, f"/tickets/{ticket_id}")
            for payload in PAYLOADS[::5]:
                found = own.get("/console/zoeken?" + _query({"q": payload[:100]})).get_json()
                for hit in found["results"]:
                    assert not dangers(hit["snippet"]), hit
            _inert(own, "/console")


def test_tags_refuse_markup(app, make_user):
    from kb.documents import service
    from kb.documents.schemas import DocumentCreate

    with app.app_context():
        for payload in PAYLOADS[:10]:
            data = {"kind": "article", "audience": "public", "category": "xss", "title": "Tags"}
            with pytest.raises((Invalid, ValidationError)):
                service.create_document(
                    SYSTEM, DocumentCreate.model_validate({**data, "tags": [payload], "body": "x"})
                )
        assert db.session.scalar(db.select(db.func.count(Document.id))) == 0


def _query(params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def test_file_names_on_import_reach_the_history_escaped(app, client, make_user, runner, tmp_path):
    """An imported file's name is in its revision message, which the history shows."""
    folder = tmp_path / "content" / "articles"
    folder.mkdir(parents=True)
    names = [p for p in PAYLOADS if "/" not in p and "\x00" not in p and len(p.encode()) < 200]
    assert len(names) >= 20
    for n, payload in enumerate(names[:20]):
        (folder / f"{payload}.md").write_text(
            f"---\ntitle: Importbestand {n}\nslug: importbestand-{n}\nkind: article\n"
            f"audience: public\ncategory: xss\n---\nTekst {n}.\n",
            encoding="utf-8",
        )
    result = runner.invoke(args=["content", "import", str(tmp_path / "content")])
    assert result.exit_code == 0, result.output
    login(client, make_user("editor"))
    shown = 0
    for n, payload in enumerate(names[:20]):
        page = _inert(client, f"/artikel/importbestand-{n}/geschiedenis")
        shown += "<" in payload and "&lt;" in page  # the name is there, as text
    assert shown >= 10
