"""Review before publish in the pages: editors submit where review is on, supervisors approve
(which publishes) or return with a comment; the history shows who approved what."""

import re

import pytest

from tests.helpers import login
from tests.review_helpers import (
    DUTCH_REFUSAL,
    events,
    policy_doc,
    reviews,
    save,
    state,
)


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _editor_bar(page: str) -> str:
    return page.split('class="editor-bar"', 1)[1].split("<h1", 1)[0]


def _ack_checked(html: str) -> bool:
    """Is the first "Agents moeten dit bevestigen" box in ``html`` ticked?"""
    tag = re.search(r'<input[^>]*name="acknowledge"[^>]*>', html).group(0)
    return "checked" in tag


def _flash(client) -> str:
    page = client.get("/beoordelen").get_data(as_text=True)
    return " ".join(re.findall(r'class="flash[^"]*"[^>]*>([^<]*)<', page))


def test_an_editor_submits_instead_of_publishing_and_the_supervisor_approves(
    app, make_document, make_user
):
    slug = policy_doc(make_document)
    editor, supervisor = make_user("editor"), make_user("supervisor")
    save(app, slug, editor)
    ed = _client(app, editor)

    bar = _editor_bar(ed.get(f"/artikel/{slug}").get_data(as_text=True))
    assert "Indienen ter beoordeling" in bar
    assert ">Publiceren<" not in bar

    # Publishing directly is refused, with the reason in Dutch; nothing is published.
    response = ed.post_form(f"/artikel/{slug}/publiceren", {"revision": "2"})
    assert response.headers["Location"].endswith(f"/artikel/{slug}")
    assert DUTCH_REFUSAL in ed.get(f"/artikel/{slug}").get_data(as_text=True)
    assert state(app, slug)["published"] == 1

    response = ed.post_form(
        f"/artikel/{slug}/indienen",
        {"revision": "2", "note": "Twee dagen, zoals afgesproken.", "acknowledge": "y"},
    )
    assert response.headers["Location"].endswith(f"/artikel/{slug}")
    page = ed.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Revisie 2 wacht op beoordeling" in page
    assert "Indienen ter beoordeling" not in _editor_bar(page)  # already submitted
    [item] = reviews(app, slug)
    assert item["status"] == "pending" and item["note"] == "Twee dagen, zoals afgesproken."

    # The supervisor finds it in the nav and on "Te beoordelen".
    sup = _client(app, supervisor)
    listing = sup.get("/beoordelen").get_data(as_text=True)
    assert re.search(r'class="nav-review"[^>]*>Te beoordelen <span class="count"[^>]*>1<', listing)
    assert "Compensatie bij storing" in listing and "Twee dagen, zoals afgesproken." in listing
    assert f'href="/beoordelen/{item["id"]}"' in listing

    review_page = sup.get(f"/beoordelen/{item['id']}").get_data(as_text=True)
    assert "Goedkeuren en publiceren" in review_page and "Terugsturen" in review_page
    assert "<ins>" in review_page.split('id="rendered-diff"')[1]  # the diff with revision 1
    assert "Vergeleken met de gepubliceerde revisie 1." in review_page
    assert _ack_checked(review_page)  # beleid: on

    response = sup.post_form(
        f"/beoordelen/{item['id']}/goedkeuren", {"comment": "Prima.", "acknowledge": "y"}
    )
    assert response.headers["Location"].endswith(f"/artikel/{slug}")
    assert state(app, slug) == {"status": "published", "current": 2, "published": 2, "ack": 2}
    [item] = reviews(app, slug)
    assert item["status"] == "approved" and item["decided_by"] == supervisor.email

    history = sup.get(f"/artikel/{slug}/geschiedenis").get_data(as_text=True)
    row = history.split('data-revision="2"', 1)[1].split("</tr>", 1)[0]
    assert "goedgekeurd door Supervisor" in row
    assert [e[0] for e in events(app)] == ["review.submit", "review.approve"]
    assert events(app, "document.publish")[-1][1] == supervisor.email
    assert "Te beoordelen</a>" in sup.get("/beoordelen").get_data(as_text=True)  # count gone


def test_a_returned_submission_shows_the_comment_to_the_editor(app, make_document, make_user):
    slug = policy_doc(make_document)
    editor, supervisor = make_user("editor"), make_user("supervisor")
    save(app, slug, editor)
    ed, sup = _client(app, editor), _client(app, supervisor)
    ed.post_form(f"/artikel/{slug}/indienen", {"revision": "2", "note": ""})
    [item] = reviews(app, slug)

    # A comment is required.
    response = sup.post_form(f"/beoordelen/{item['id']}/terugsturen", {"comment": "  "})
    assert response.status_code == 422
    assert "Schrijf erbij wat er anders moet." in response.get_data(as_text=True)
    assert reviews(app, slug)[0]["status"] == "pending"

    sup.post_form(f"/beoordelen/{item['id']}/terugsturen", {"comment": "Noem ook de storingsduur."})
    assert reviews(app, slug)[0]["status"] == "returned"
    assert state(app, slug)["published"] == 1

    page = ed.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Revisie 2 is teruggestuurd door Supervisor" in page
    assert "Noem ook de storingsduur." in page
    assert "Indienen ter beoordeling" in _editor_bar(page)  # may submit again
    mine = ed.get("/beoordelen").get_data(as_text=True)
    assert "Teruggestuurd" in mine and "Noem ook de storingsduur." in mine
    assert re.search(r'class="nav-review"[^>]*>Beoordelingen <span class="count"[^>]*>1<', mine)
    history = ed.get(f"/artikel/{slug}/geschiedenis").get_data(as_text=True)
    assert "teruggestuurd door Supervisor" in history
    assert [e[0] for e in events(app)] == ["review.submit", "review.return"]

    # Submitting again clears the returned state.
    ed.post_form(f"/artikel/{slug}/indienen", {"revision": "2"})
    page = ed.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Noem ook de storingsduur." not in page
    assert "Revisie 2 wacht op beoordeling" in page


@pytest.mark.parametrize("role", ["agent", "editor", "supervisor", "admin"])
def test_who_sees_te_beoordelen_and_who_decides(app, make_document, make_user, role):
    slug = policy_doc(make_document)
    submitter = make_user("editor")
    save(app, slug, submitter)
    _client(app, submitter).post_form(f"/artikel/{slug}/indienen", {"revision": "2"})
    [item] = reviews(app, slug)
    client = _client(app, make_user(role))

    listing = client.get("/beoordelen")
    page = client.get(f"/beoordelen/{item['id']}")
    approve = client.post_form(f"/beoordelen/{item['id']}/goedkeuren", {"comment": ""})
    if role == "agent":
        assert listing.status_code == 404 and page.status_code == 404
        assert approve.status_code == 404
        assert "nav-review" not in client.get("/").get_data(as_text=True)
    elif role == "editor":  # someone else's submission: not in their list, not theirs to see
        assert listing.status_code == 200
        assert "Compensatie bij storing" not in listing.get_data(as_text=True)
        assert page.status_code == 404 and approve.status_code == 404
    else:
        assert "Compensatie bij storing" in listing.get_data(as_text=True)
        assert page.status_code == 200
        assert approve.headers["Location"].endswith(f"/artikel/{slug}")
    expected = 2 if role in ("supervisor", "admin") else 1
    assert state(app, slug)["published"] == expected


def test_an_editor_cannot_approve_their_own_submission(app, make_document, make_user):
    slug = policy_doc(make_document)
    editor = make_user("editor")
    save(app, slug, editor)
    ed = _client(app, editor)
    ed.post_form(f"/artikel/{slug}/indienen", {"revision": "2"})
    [item] = reviews(app, slug)
    page = ed.get(f"/beoordelen/{item['id']}").get_data(as_text=True)
    assert "Goedkeuren en publiceren" not in page and "Inzending intrekken" in page
    ed.post_form(f"/beoordelen/{item['id']}/goedkeuren", {"comment": ""})
    assert "Uw rol mag dit niet." in _flash(ed)
    assert state(app, slug)["published"] == 1

    ed.post_form(f"/beoordelen/{item['id']}/intrekken")
    assert reviews(app, slug)[0]["status"] == "withdrawn"
    assert events(app)[-1][0] == "review.withdraw"


def test_a_supervisor_publishing_directly_is_recorded_as_an_approval(app, make_document, make_user):
    slug = policy_doc(make_document)
    supervisor = make_user("supervisor")
    save(app, slug, supervisor)
    sup = _client(app, supervisor)
    bar = _editor_bar(sup.get(f"/artikel/{slug}").get_data(as_text=True))
    assert "Agents moeten dit bevestigen" in bar and ">Publiceren<" in bar
    assert _ack_checked(bar)  # beleid: on by default

    sup.post_form(f"/artikel/{slug}/publiceren", {"revision": "2"})  # box unticked
    assert state(app, slug) == {"status": "published", "current": 2, "published": 2, "ack": None}
    assert [(r["revision"], r["status"], r["decided_by"]) for r in reviews(app, slug)] == [
        (2, "approved", supervisor.email)
    ]
    history = sup.get(f"/artikel/{slug}/geschiedenis").get_data(as_text=True)
    assert "goedgekeurd door Supervisor" in history
    assert events(app)[-1][0] == "review.approve" and events(app)[-1][2]["direct"] is True


def test_an_editor_cannot_publish_an_old_revision_in_a_review_place(app, make_document, make_user):
    slug = policy_doc(make_document)
    editor = make_user("editor")
    save(app, slug, editor)
    save(app, slug, editor, body="Nog een versie.")
    ed = _client(app, editor)
    page = ed.get(f"/artikel/{slug}/revisie/2").get_data(as_text=True)
    assert "Deze revisie publiceren" not in page
    assert "Deze revisie indienen ter beoordeling" in page
    ed.post_form(f"/artikel/{slug}/publiceren", {"revision": "2"})
    assert DUTCH_REFUSAL in _flash(ed)
    assert state(app, slug)["published"] == 1

    # Submitting revision 2 while 3 is current: the review says it is behind.
    ed.post_form(f"/artikel/{slug}/indienen", {"revision": "2"})
    [item] = reviews(app, slug)
    assert item["revision"] == 2
    sup = _client(app, make_user("supervisor"))
    assert "verouderd: nu revisie 3" in sup.get("/beoordelen").get_data(as_text=True)
    page = sup.get(f"/beoordelen/{item['id']}").get_data(as_text=True)
    assert "Goedkeuren publiceert revisie 2, zoals ingediend." in page


def test_a_new_submission_withdraws_the_older_one(app, make_document, make_user):
    slug = policy_doc(make_document)
    editor = make_user("editor")
    save(app, slug, editor)
    ed = _client(app, editor)
    ed.post_form(f"/artikel/{slug}/indienen", {"revision": "2"})
    save(app, slug, editor, body="Beter.")
    page = ed.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "de huidige revisie 3 is niet ingediend" in page
    ed.post_form(f"/artikel/{slug}/indienen", {"revision": "3"})
    assert [(r["revision"], r["status"]) for r in reviews(app, slug)] == [
        (2, "withdrawn"),
        (3, "pending"),
    ]
    assert [e[0] for e in events(app)] == ["review.submit", "review.withdraw", "review.submit"]


def test_category_settings_switch_review_on_and_off(app, make_document, make_user):
    facturen = make_document("Factuur betalen", "Betaal op tijd.", category="facturen")
    beleid = policy_doc(make_document)
    editor, supervisor = make_user("editor"), make_user("supervisor")
    ed, sup = _client(app, editor), _client(app, supervisor)
    assert ed.get("/beoordelen/categorieen").status_code == 404

    page = sup.get("/beoordelen/categorieen").get_data(as_text=True)
    assert 'data-category="facturen"' in page and 'data-category="beleid"' in page
    sup.post_form(
        "/beoordelen/categorieen",
        {"category": "facturen", "review": "on", "description": "Betalen en facturen"},
    )
    sup.post_form("/beoordelen/categorieen", {"category": "beleid", "review": "off"})
    page = sup.get("/beoordelen/categorieen").get_data(as_text=True)
    assert "Betalen en facturen" in page

    save(app, facturen, editor)
    ed.post_form(f"/artikel/{facturen}/publiceren", {"revision": "2"})
    assert state(app, facturen)["published"] == 1  # review is on now
    save(app, beleid, editor)
    ed.post_form(f"/artikel/{beleid}/publiceren", {"revision": "2"})
    assert state(app, beleid)["published"] == 2  # review is off for beleid now
    changes = [(e[2]["review_required"], e[1]) for e in events(app, "category.")]
    assert changes == [(True, supervisor.email), (False, supervisor.email)]

    # Back to the default: beleid is reviewed again.
    sup.post_form("/beoordelen/categorieen", {"category": "beleid", "review": "default"})
    save(app, beleid, editor, body="Weer anders.")
    ed.post_form(f"/artikel/{beleid}/publiceren", {"revision": "3"})
    assert state(app, beleid)["published"] == 2
    unknown = sup.post_form("/beoordelen/categorieen", {"category": "bestaat-niet", "review": "on"})
    assert unknown.status_code == 404


def test_escalation_scripts_are_always_reviewed(app, make_document, make_user):
    slug = make_document(
        "Escalatie bij dreiging",
        "Stap 1: blijf rustig.",
        kind="script",
        audience="internal",
        channel="escalation",
        category="escalatie",
        min_edit_role="editor",
    )
    editor = make_user("editor")
    save(app, slug, editor)
    ed = _client(app, editor)
    bar = _editor_bar(ed.get(f"/artikel/{slug}").get_data(as_text=True))
    assert "Indienen ter beoordeling" in bar
    assert _ack_checked(bar)  # scripts: on by default
    ed.post_form(f"/artikel/{slug}/publiceren", {"revision": "2"})
    assert state(app, slug)["published"] == 1


def test_the_editor_bar_says_why_a_document_cannot_be_edited(app, make_document, make_user):
    beleid = make_document("Beleid", "Regels.", category="beleid", audience="internal")
    script = make_document(
        "Escalatie", "Stap.", kind="script", audience="internal", channel="escalation"
    )
    admin_only = make_document("Alleen beheer", "Tekst.", min_edit_role="admin")
    ed = _client(app, make_user("editor"))
    assert "Alleen supervisors bewerken beleid." in ed.get(f"/artikel/{beleid}").get_data(
        as_text=True
    )
    assert "Alleen supervisors bewerken escalatiescripts." in ed.get(f"/artikel/{script}").get_data(
        as_text=True
    )
    sup = _client(app, make_user("supervisor"))
    page = sup.get(f"/artikel/{admin_only}").get_data(as_text=True)
    assert "Alleen een beheerder mag dit document bewerken." in page


def test_archiving_asks_for_confirmation_first(app, make_document, make_user):
    slug = make_document()
    ed = _client(app, make_user("editor"))
    bar = _editor_bar(ed.get(f"/artikel/{slug}").get_data(as_text=True))
    confirm = bar.split('class="popover confirm-archive"', 1)[1].split("</details>", 1)[0]
    assert "Archiveren…" in confirm and "Ja, archiveren" in confirm
    assert "zoekresultaten" in confirm  # says what archiving does
    assert "onclick" not in bar


def test_editors_publish_directly_where_review_is_off(app, make_document, make_user):
    slug = make_document("Factuur betalen", "Betaal op tijd.")
    editor = make_user("editor")
    save(app, slug, editor)
    ed = _client(app, editor)
    bar = _editor_bar(ed.get(f"/artikel/{slug}").get_data(as_text=True))
    assert ">Publiceren<" in bar and "Indienen ter beoordeling" not in bar
    assert not _ack_checked(bar)  # an article: off
    ed.post_form(f"/artikel/{slug}/publiceren", {"revision": "2", "acknowledge": "y"})
    assert state(app, slug) == {"status": "published", "current": 2, "published": 2, "ack": 2}
    assert reviews(app, slug) == []  # no review place: no review recorded
