"""Document owners and verify-by dates: who may set them, what is refused, "Gecontroleerd",
the editor bar on the document page and "Mijn documenten"."""

from datetime import timedelta

import pytest

from kb.audit.models import AuditEvent
from kb.auth import service as accounts
from kb.auth.models import SYSTEM, User
from kb.db import utcnow
from kb.documents import owners
from kb.documents import service as documents
from kb.documents.models import Document
from kb.documents.schemas import DocumentCreate
from kb.errors import Forbidden, Invalid
from kb.extensions import db
from kb.feedback import service as feedback
from kb.feedback.models import Vote
from kb.feedback.schemas import CommentCreate
from tests.helpers import login


def _user(user) -> User:
    return db.session.get_one(User, user.id)


def _doc(slug: str) -> Document:
    return db.session.scalars(db.select(Document).where(Document.slug == slug)).one()


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))


def _create(app, actor, title: str, **fields) -> str:
    data = {"kind": "article", "audience": "internal", "category": "facturen", "title": title}
    with app.app_context():
        doc = documents.create_document(
            _user(actor), DocumentCreate.model_validate({"body": "Tekst.", **data, **fields})
        )
        documents.publish(doc, SYSTEM)
        return doc.slug


def test_the_creator_owns_a_new_document_and_an_editor_hands_it_over(app, make_user):
    eva, piet = make_user("editor"), make_user("editor")
    slug = _create(app, eva, "Factuur uitleggen")
    with app.app_context():
        doc = _doc(slug)
        assert doc.owner_id == eva.id
        owners.set_owner(doc, _user(piet), _user(piet))
        assert _doc(slug).owner_id == piet.id
        [event] = _events("document.owner")
        assert (event.actor_id, event.target_id, event.detail["owner"]) == (piet.id, slug, piet.id)
        assert event.detail["before"] == eva.id


def test_only_someone_who_may_edit_it_owns_or_hands_over_a_document(app, make_user):
    eva, agent = make_user("editor"), make_user("agent")
    boss = make_user("supervisor")
    gone = make_user("editor")
    slug = _create(app, boss, "Vergoedingen", category="beleid")  # supervisors edit `beleid`
    plain = _create(app, eva, "Modem resetten")
    with app.app_context():
        accounts.set_active(SYSTEM, _user(gone), False)
        policy_doc, doc = _doc(slug), _doc(plain)
        with pytest.raises(Forbidden):
            owners.set_owner(policy_doc, _user(eva), _user(boss))  # eva may not edit it
        with pytest.raises(Invalid) as refused:
            owners.set_owner(policy_doc, _user(boss), _user(eva))  # nor may she own it
        assert "owner" in refused.value.errors
        with pytest.raises(Invalid):
            owners.set_owner(doc, _user(eva), _user(agent))  # agents never own documents
        with pytest.raises(Invalid):
            owners.set_owner(doc, _user(eva), _user(gone))  # nor do inactive accounts
        with pytest.raises(Forbidden):
            owners.set_owner(doc, _user(agent), _user(eva))
        owners.set_owner(doc, _user(eva), _user(boss))
        assert _doc(plain).owner_id == boss.id
        assert [u.id for u in owners.candidates(policy_doc)] == [boss.id]
        assert {u.id for u in owners.candidates(doc)} == {eva.id, boss.id}
        assert len(_events("document.owner")) == 1


def test_verify_by_is_today_or_later_and_can_be_cleared(app, make_user):
    eva, agent = make_user("editor"), make_user("agent")
    slug = _create(app, eva, "Storing melden")
    with app.app_context():
        doc, today = _doc(slug), owners.today()
        with pytest.raises(Invalid) as refused:
            owners.set_verify_by(doc, _user(eva), today - timedelta(days=1))
        assert "verify_by" in refused.value.errors
        with pytest.raises(Forbidden):
            owners.set_verify_by(doc, _user(agent), today)
        owners.set_verify_by(doc, _user(eva), today)
        assert _doc(slug).verify_by == today
        assert owners.is_overdue(_doc(slug))  # due today counts as due
        owners.set_verify_by(doc, _user(eva), None)
        assert _doc(slug).verify_by is None
        days = [e.detail["verify_by"] for e in _events("document.verify_by")]
        assert days == [today.isoformat(), None]


def test_gecontroleerd_moves_the_date_on_by_the_same_interval(app, make_user):
    eva = make_user("editor")
    slug, other = _create(app, eva, "Wachtwoord vergeten"), _create(app, eva, "Verhuizen")
    with app.app_context():
        today = owners.today()
        owners.set_verify_by(_doc(slug), _user(eva), today + timedelta(days=30))
        owners.mark_verified(_doc(slug), _user(eva))
        doc = _doc(slug)
        assert doc.verify_by == today + timedelta(days=30)
        assert doc.verified_at is not None and doc.verified_at > utcnow() - timedelta(minutes=5)
        # Without a date: six months from today.
        owners.mark_verified(_doc(other), _user(eva))
        assert _doc(other).verify_by == owners.add_months(today, 6)
        assert [e.target_id for e in _events("document.verified")] == [slug, other]


def test_add_months_keeps_the_end_of_the_month():
    from datetime import date

    assert owners.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert owners.add_months(date(2026, 12, 1), 3) == date(2027, 3, 1)


def test_the_editor_bar_shows_owner_and_date_and_changes_them(app, client, make_user):
    eva = make_user("editor")
    piet = make_user("editor")
    slug = _create(app, eva, "Router plaatsen")
    from datetime import date

    with app.app_context():
        owners.set_verify_by(_doc(slug), _user(eva), date(2027, 3, 1))
    login(client, eva)
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Eigenaar:" in page and "Editor</strong>" in page
    assert "Controleren vóór 1 maart 2027" in page
    assert 'data-overdue="nee"' in page
    assert "Gecontroleerd" in page
    response = client.post_form(
        f"/artikel/{slug}/redactie", {"owner": str(piet.id), "verify_by": "2027-04-15"}
    )
    assert response.headers["Location"].endswith(f"/artikel/{slug}")
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Eigenaar en controledatum opgeslagen." in page
    assert "Controleren vóór 15 april 2027" in page
    with app.app_context():
        assert _doc(slug).owner_id == piet.id
    # A date in the past is refused with a message, and nothing changes.
    client.post_form(
        f"/artikel/{slug}/redactie", {"owner": str(piet.id), "verify_by": "2020-01-01"}
    )
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Kies vandaag of een datum in de toekomst." in page
    assert "Controleren vóór 15 april 2027" in page


def test_an_overdue_date_is_a_warning_and_gecontroleerd_clears_it(app, client, make_user):
    eva = make_user("editor")
    slug = _create(app, eva, "Pakket kiezen")
    with app.app_context():
        doc = _doc(slug)
        doc.verify_by = owners.today() - timedelta(days=3)  # the service refuses past dates
        db.session.commit()
    login(client, eva)
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert 'class="verify-by overdue"' in page and "verlopen" in page
    # Handing it over leaves the overdue date as it is, without a complaint about it.
    piet = make_user("editor")
    past = (owners.today() - timedelta(days=3)).isoformat()
    client.post_form(f"/artikel/{slug}/redactie", {"owner": str(piet.id), "verify_by": past})
    assert "Eigenaar en controledatum opgeslagen." in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert _doc(slug).owner_id == piet.id
    client.post_form(f"/artikel/{slug}/gecontroleerd")
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Gecontroleerd. Volgende controle vóór" in page
    assert 'data-overdue="nee"' in page


def test_agents_see_no_editorial_info_and_cannot_post_it(app, client, make_user):
    eva, agent = make_user("editor"), make_user("agent")
    slug = _create(app, eva, "Belscript storing")
    login(client, agent)
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Eigenaar:" not in page and "Gecontroleerd" not in page
    assert client.post_form(f"/artikel/{slug}/gecontroleerd").status_code == 404
    response = client.post_form(f"/artikel/{slug}/redactie", {"owner": str(agent.id)})
    assert response.status_code == 404
    with app.app_context():
        assert _doc(slug).owner_id == eva.id and _doc(slug).verify_by is None


def test_an_editor_reads_but_cannot_change_a_supervisors_document(app, client, make_user):
    boss, eva = make_user("supervisor"), make_user("editor")
    slug = _create(app, boss, "Compensatie bij storing", category="beleid")
    login(client, eva)
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Eigenaar:" in page and "Supervisor</strong>" in page
    assert "Gecontroleerd" not in page and "Eigenaar of datum wijzigen" not in page
    assert client.post_form(f"/artikel/{slug}/gecontroleerd").status_code == 403
    with app.app_context():
        assert _doc(slug).verified_at is None


def test_mijn_documenten_lists_what_needs_attention_then_all_owned(app, client, make_user):
    eva, piet, agent = make_user("editor"), make_user("editor"), make_user("agent")
    due = _create(app, eva, "Aa verlopen controle")
    flagged = _create(app, eva, "Bb met voorstellen")
    rated = _create(app, eva, "Cc niet nuttig")
    fine = _create(app, eva, "Dd alles goed")
    old_votes = _create(app, eva, "Ee oude stemmen")
    others = _create(app, piet, "Ff van Piet")
    with app.app_context():
        owners.set_verify_by(_doc(due), _user(eva), owners.today())
        for body in ("Stap 2 klopt niet.", "Noem de app."):
            feedback.add_comment(
                _doc(flagged), _user(agent), CommentCreate(body=body, kind="suggestion")
            )
        feedback.add_comment(_doc(others), _user(agent), CommentCreate(body="Oud nummer."))
        for _ in range(3):
            feedback.vote(_doc(rated), False)
        feedback.vote(_doc(fine), True)
        long_ago = utcnow() - timedelta(days=owners.NOT_HELPFUL_DAYS + 5)
        db.session.add(Vote(document_id=_doc(old_votes).id, is_helpful=False, created_at=long_ago))
        db.session.commit()
    login(client, eva)
    page = client.get("/mijn-documenten").get_data(as_text=True)
    attention, everything = page.split('id="alle"')
    assert attention.index(due) < attention.index(flagged)  # overdue first
    assert f'data-document="{flagged}"' in attention and 'data-open="2"' in attention
    assert f'data-document="{rated}"' in attention and 'data-not-helpful="3"' in attention
    for absent in (fine, old_votes, others):
        assert f'data-document="{absent}"' not in attention
    for slug in (due, flagged, rated, fine, old_votes):
        assert f'data-document="{slug}"' in everything
    assert others not in page


def test_mijn_documenten_is_for_editors(app, client, make_user):
    assert client.get("/mijn-documenten").status_code in (302, 303)  # log in first
    login(client, make_user("agent"))
    assert client.get("/mijn-documenten").status_code == 404


TAKE_ON = {"take_on": "1", "next": "/mijn-documenten"}  # the form on "Mijn documenten"


def test_an_editor_takes_on_a_document_without_an_owner(app, client, make_user, make_document):
    eva, boss = make_user("editor"), make_user("supervisor")
    loose = make_document("Zonder eigenaar", audience="internal")  # imported: nobody owns it
    policy = make_document("Beleid zonder eigenaar", category="beleid", audience="internal")
    owned = _create(app, boss, "Van de supervisor")
    login(client, eva)
    page = client.get("/mijn-documenten").get_data(as_text=True)
    section = page.split('id="zonder-eigenaar"')[1]
    assert "2 documenten zonder eigenaar" in section
    assert f'data-document="{loose}"' in section
    assert f'data-document="{policy}"' not in section  # she may not edit it, so not take it
    assert owned not in section
    assert client.post_form(f"/artikel/{policy}/redactie", TAKE_ON).status_code == 403
    response = client.post_form(f"/artikel/{loose}/redactie", TAKE_ON)
    assert response.headers["Location"].endswith("/mijn-documenten")
    page = client.get("/mijn-documenten").get_data(as_text=True)
    assert "U bent nu eigenaar van Zonder eigenaar." in page
    assert f'data-document="{loose}"' in page.split('id="alle"')[1].split('id="zonder-eigenaar"')[0]
    # Someone else's document is not taken over this way.
    client.post_form(f"/artikel/{owned}/redactie", TAKE_ON)
    assert "Dit document heeft al een eigenaar." in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert _doc(loose).owner_id == eva.id and _doc(owned).owner_id == boss.id
        [event] = _events("document.owner")
        assert (event.actor_id, event.target_id) == (eva.id, loose)


def test_mijn_documenten_has_a_plain_title(app, client, make_user, make_document):
    make_document("Zonder eigenaar", "Tekst.")  # imported by the system: no owner
    login(client, make_user("editor"))
    page = client.get("/mijn-documenten").get_data(as_text=True)
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and "Mijn documenten" in title
    assert page.count('id="zonder-eigenaar"') == 1
