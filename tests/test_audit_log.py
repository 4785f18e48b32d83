"""The admin's audit page: Dutch sentences with names, filters, paging; every action has a
sentence (the source is scanned for the action strings)."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from kb.audit import sentences
from kb.audit.models import AuditEvent
from kb.auth.models import User
from kb.documents import service as documents
from kb.documents.models import Document
from kb.extensions import db
from tests.helpers import login

KB = Path(__file__).resolve().parent.parent / "kb"
LITERAL = re.compile(r"""["']([a-z_]+\.[a-z_]+)["']""")


def _recorded_actions() -> set[str]:
    """Action strings passed to audit.record: literals, f-strings over a status, and for a call
    that passes a variable, the dotted literals of that module (outside url_for)."""
    found: set[str] = set()
    for path in KB.rglob("*.py"):
        if path.parent.name == "audit":
            continue
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"audit\.record\(\s*[^,]+,\s*(f?)([\"'][^\"']+[\"']|\w+)", text):
            is_f, arg = call.groups()
            if is_f:  # f"comment.{status}": one action per suggestion status
                found.update(
                    arg[1:-1].replace("{status}", s) for s in ("open", "accepted", "closed")
                )
            elif arg[0] in "\"'":
                found.add(arg[1:-1])
            else:
                for line in text.splitlines():
                    if "url_for" not in line and "endpoint" not in line:
                        found.update(LITERAL.findall(line))
    return found


def test_every_recorded_action_has_a_dutch_sentence():
    actions = _recorded_actions()
    assert {
        "document.publish",
        "review.approve",
        "comment.accepted",
        "user.login_failed",
    } <= actions
    assert {"document.archive", "user.set_one_time_password", "review.withdraw"} <= actions
    assert sorted(a for a in actions if a not in sentences.SENTENCES) == []


def _log(client, url: str) -> str:
    """The audit table's rows of a page, as HTML."""
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return html[html.index("<tbody>") : html.index("</tbody>")]


def _admin(client, make_user):
    admin = make_user("admin")
    login(client, admin)
    return admin


def test_page_reads_sentences_with_names(app, client, make_user, make_document):
    _admin(client, make_user)
    editor = make_user("editor")
    slug = make_document(title="Wachtwoord vergeten")
    with app.app_context():
        user = db.session.get_one(User, editor.id)
        user.name = "Demo editor"
        db.session.commit()
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        documents.save_revision(
            doc, user, doc.current_number, _update(doc, body="Nieuwe tekst, stap voor stap.")
        )
        documents.publish(doc, user)
        number = doc.current_number
    page = _log(client, "/beheer/audit")
    assert f"Demo editor publiceerde revisie {number} van “Wachtwoord vergeten”" in page
    assert f"Demo editor bewaarde revisie {number} van “Wachtwoord vergeten”" in page
    assert "document.publish</td>" not in page


def _update(doc, **changes):
    from kb.documents.schemas import DocumentUpdate

    return DocumentUpdate(title=changes.get("title", doc.title), body=changes["body"])


def test_removed_target_falls_back_to_stored_id(app, client, make_user):
    _admin(client, make_user)
    with app.app_context():
        db.session.add(
            AuditEvent(action="ticket.resolve", target_type="ticket", target_id="987654", detail={})
        )
        db.session.add(
            AuditEvent(
                action="document.archive", target_type="document", target_id="weg", detail={}
            )
        )
        db.session.commit()
    page = _log(client, "/beheer/audit")
    assert "kb loste ticket 987654 op" in page
    assert "kb archiveerde “weg”" in page


def test_names_are_looked_up_per_page_not_per_row(app, client, make_user, make_document):
    _admin(client, make_user)
    slugs = [make_document(title=f"Artikel {i}") for i in range(6)]
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        page = _log(client, "/beheer/audit")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert all(f"kb publiceerde revisie 1 van “Artikel {i}”" in page for i in range(6)), slugs
    by_slug = [s for s in statements if re.search(r"WHERE documents\.slug (IN|=)", s)]
    assert len(by_slug) == 1  # one look-up for the whole page, not one per row


def test_filters_by_actor_action_target_and_period(app, client, make_user, make_document):
    admin = _admin(client, make_user)
    editor = make_user("editor")
    slug = make_document(title="Retour sturen", publish=False)
    other = make_document(title="Factuur betalen", publish=False)
    with app.app_context():
        user = db.session.get_one(User, editor.id)
        for s in (slug, other):
            documents.publish(db.session.scalar(db.select(Document).filter_by(slug=s)), user)
        old = AuditEvent(
            actor_id=editor.id,
            action="document.archive",
            target_type="document",
            target_id=slug,
            detail={},
            created_at=datetime(2020, 3, 4, 12, tzinfo=UTC),
        )
        db.session.add(old)
        db.session.commit()

    by_actor = _log(client, f"/beheer/audit?actor={editor.id}")
    assert "Editor publiceerde revisie 1 van “Retour sturen”" in by_actor
    assert "kb maakte" not in by_actor and "Admin meldde zich aan" not in by_actor

    by_action = _log(client, f"/beheer/audit?action=user.login&actor={admin.id}")
    assert "Admin meldde zich aan" in by_action
    assert "publiceerde" not in by_action

    by_target = _log(client, f"/beheer/audit?target_type=document&target={other}")
    assert "“Factuur betalen”" in by_target and "“Retour sturen”" not in by_target

    period = _log(client, "/beheer/audit?from=2020-03-01&to=2020-03-04")
    assert "Editor archiveerde “Retour sturen”" in period
    assert "publiceerde" not in period
    assert "4 mrt 2020" in period  # Dutch date
    before = _log(client, "/beheer/audit?to=2020-03-03")
    assert "Geen gebeurtenissen." in before

    assert "Geen gebeurtenissen." in _log(client, "/beheer/audit?target_type=ticket&target=ABC-1")


def test_pages_of_fifty_newest_first_with_filters_in_the_links(app, client, make_user):
    admin = _admin(client, make_user)
    start = datetime(2024, 5, 1, 9, tzinfo=UTC)
    with app.app_context():
        for i in range(120):
            db.session.add(
                AuditEvent(
                    actor_id=admin.id,
                    action="ticket.reopen",
                    target_type="ticket",
                    target_id=str(900000 + i),
                    detail={},
                    created_at=start + timedelta(minutes=i),
                )
            )
        db.session.commit()
    query = "action=ticket.reopen&from=2024-05-01"
    first = client.get(f"/beheer/audit?{query}").get_data(as_text=True)
    assert _log(client, f"/beheer/audit?{query}").count("heropende ticket") == 50
    assert first.index("ticket 900119<") < first.index("ticket 900118<")
    links = re.findall(r'href="([^"]*page=2[^"]*)"', first)
    assert links and "action=ticket.reopen" in links[0] and "from=2024-05-01" in links[0]
    third = client.get(links[0].replace("&amp;", "&").replace("page=2", "page=3"))
    text = third.get_data(as_text=True)
    assert (
        _log(client, links[0].replace("&amp;", "&").replace("page=2", "page=3")).count(
            "heropende ticket"
        )
        == 20
    )
    assert "ticket 900000<" in text and 'rel="next"' not in text


@pytest.mark.parametrize("role", ["editor", "supervisor", "agent"])
def test_only_admins_see_the_audit_page(client, make_user, role):
    login(client, make_user(role))
    assert client.get("/beheer/audit").status_code == 404


def test_system_actor_is_named(app):
    with app.app_context():
        e = AuditEvent(action="user.unlock", target_type="user", target_id="1", detail={})
        assert sentences.sentences([e])[0].startswith("kb ontgrendelde")
