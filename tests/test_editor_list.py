"""The editors' document list (/documenten): who sees it, search, filters, sorting, paging in
SQL with the filters kept in every link, and a clear empty result."""

import re
from datetime import date, timedelta
from html import unescape

import pytest

from kb.auth.models import User
from kb.documents.models import Document
from kb.extensions import db
from tests.helpers import login


def rows(response) -> list[str]:
    return re.findall(r'<tr data-slug="([^"]+)"', response.get_data(as_text=True))


def links(response) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', response.get_data(as_text=True))]


@pytest.fixture
def set_fields(app):
    """Editorial fields a test starts from (owner, verify-by date), set directly."""

    def do(slug: str, **values) -> None:
        with app.app_context():
            doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
            for name, value in values.items():
                setattr(doc, name, value)
            db.session.commit()

    return do


@pytest.fixture
def team(make_document, make_user, set_fields):
    """Five documents of every sort, two owners, one open suggestion, one overdue check."""
    me = make_user("editor")
    other = make_user("editor")
    agent = make_user("agent")
    make_document("Factuur betalen", category="facturen")
    make_document("Storing melden", category="storingen", audience="internal", publish=False)
    make_document(
        "Begroeting telefoon",
        kind="script",
        channel="phone",
        audience="internal",
        category="telefoon",
    )
    make_document("Oude actie", category="acties")
    make_document("Wachtwoord vergeten", category="account")
    set_fields("factuur-betalen", owner_id=me.id, verify_by=date.today() - timedelta(days=1))
    set_fields("storing-melden", owner_id=me.id, verify_by=date.today() + timedelta(days=30))
    set_fields("begroeting-telefoon", owner_id=other.id, verify_by=date.today())
    set_fields("oude-actie", status="archived", published_number=None)
    return me, other, agent


@pytest.fixture
def suggestion(app):
    from kb.feedback import service
    from kb.feedback.schemas import CommentCreate

    def make(slug: str, author) -> None:
        with app.app_context():
            doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
            service.add_comment(
                doc, db.session.get(User, author.id), CommentCreate(kind="suggestion", body="Beter")
            )

    return make


def test_only_editors_and_up_see_the_list(client, make_user, make_document):
    make_document("Factuur betalen")
    response = client.get("/documenten")
    assert "/inloggen" in response.headers.get("Location", "")
    login(client, make_user("agent"))
    assert client.get("/documenten").status_code == 404
    for role in ("editor", "supervisor", "admin"):
        login(client, make_user(role))
        response = client.get("/documenten")
        assert response.status_code == 200 and rows(response) == ["factuur-betalen"]


def test_search_by_title_or_slug(client, team):
    login(client, team[0])
    assert rows(client.get("/documenten?q=STORING")) == ["storing-melden"]
    assert rows(client.get("/documenten?q=wachtwoord-verg")) == ["wachtwoord-vergeten"]
    assert rows(client.get("/documenten?q=%25")) == []  # a % is a character, not "anything"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=script", {"begroeting-telefoon"}),
        ("status=draft", {"storing-melden"}),
        ("status=archived", {"oude-actie"}),
        ("category=facturen", {"factuur-betalen"}),
        ("audience=internal", {"storing-melden", "begroeting-telefoon"}),
        ("owner=mij", {"factuur-betalen", "storing-melden"}),
        ("due=1", {"factuur-betalen", "begroeting-telefoon"}),
        ("owner=mij&due=1", {"factuur-betalen"}),
        ("kind=onzin&status=weg", None),  # unknown values count as not given
        ("owner=99999999999999999999", None),  # no id, not a database error
    ],
)
def test_filters(client, team, query, expected):
    login(client, team[0])
    response = client.get(f"/documenten?{query}")
    assert response.status_code == 200
    everything = {
        "factuur-betalen",
        "storing-melden",
        "begroeting-telefoon",
        "oude-actie",
        "wachtwoord-vergeten",
    }
    assert set(rows(response)) == (everything if expected is None else expected)


def test_owner_filter_by_person_is_offered_and_works(client, team):
    me, other, _agent = team
    login(client, me)
    page = client.get("/documenten").get_data(as_text=True)
    assert f'<option value="{other.id}"' in page
    assert rows(client.get(f"/documenten?owner={other.id}")) == ["begroeting-telefoon"]


def test_open_suggestions_filter_and_count(client, team, suggestion, app):
    me, _other, agent = team
    suggestion("wachtwoord-vergeten", agent)
    suggestion("wachtwoord-vergeten", agent)
    login(client, me)
    response = client.get("/documenten?suggestions=1")
    assert rows(response) == ["wachtwoord-vergeten"]
    assert "2 open" in response.get_data(as_text=True)


def test_sorting(client, team):
    login(client, team[0])
    assert rows(client.get("/documenten?sort=titel")) == [
        "begroeting-telefoon",
        "factuur-betalen",
        "oude-actie",
        "storing-melden",
        "wachtwoord-vergeten",
    ]
    by_status = rows(client.get("/documenten?sort=status"))
    assert by_status[0] == "storing-melden" and by_status[-1] == "oude-actie"
    by_date = rows(client.get("/documenten?sort=verifieren"))
    assert by_date[:3] == ["factuur-betalen", "begroeting-telefoon", "storing-melden"]
    # The newest change first by default.
    assert rows(client.get("/documenten"))[0] == "wachtwoord-vergeten"


def test_overdue_verification_is_marked(client, team):
    login(client, team[0])
    page = client.get("/documenten?q=factuur").get_data(as_text=True)
    assert "verlopen" in page
    page = client.get("/documenten?q=storing").get_data(as_text=True)
    assert "verlopen" not in page


def test_paging_in_sql_keeps_the_filters(client, make_user, make_document):
    for n in range(30):
        make_document(f"Storing {n:02d}", category="storingen", publish=n % 2 == 0)
    make_document("Factuur betalen", category="facturen")
    login(client, make_user("editor"))
    first = client.get("/documenten?category=storingen&sort=titel&q=storing")
    assert rows(first) == [f"storing-{n:02d}" for n in range(25)]
    assert "31" not in re.search(r'id="doc-count"[^>]*>([^<]+)', first.get_data(as_text=True))[1]
    assert "30 documenten" in first.get_data(as_text=True)
    nxt = next(h for h in links(first) if "page=2" in h)
    for part in ("category=storingen", "sort=titel", "q=storing"):
        assert part in nxt
    second = client.get(nxt)
    assert rows(second) == [f"storing-{n:02d}" for n in range(25, 30)]
    prev = next(h for h in links(second) if "page=1" in h)
    assert "category=storingen" in prev
    # Sorting links keep the filters too.
    sort_link = next(h for h in links(second) if "sort=status" in h)
    assert "category=storingen" in sort_link and "q=storing" in sort_link
    # A page past the end shows the last page.
    assert rows(client.get("/documenten?category=storingen&sort=titel&page=99")) == [
        f"storing-{n:02d}" for n in range(25, 30)
    ]


def test_nothing_found_says_so_with_a_reset_link(client, team):
    login(client, team[0])
    response = client.get("/documenten?q=bestaatniet&kind=script")
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and rows(response) == []
    assert "Geen documenten gevonden." in page
    assert re.search(r'<a href="/documenten">Alle filters wissen</a>', page)
    # The form keeps what was asked, so it can be changed.
    assert 'value="bestaatniet"' in page
    assert re.search(r'<option value="script" selected>', page)


def test_documents_the_editor_may_not_edit_are_marked(client, make_user, make_document):
    make_document("Compensatie", category="beleid", audience="internal")
    make_document("Factuur betalen")
    login(client, make_user("editor"))
    page = client.get("/documenten").get_data(as_text=True)
    row = re.search(r'<tr data-slug="compensatie".*?</tr>', page, re.S).group(0)
    assert "alleen supervisor" in row
    row = re.search(r'<tr data-slug="factuur-betalen".*?</tr>', page, re.S).group(0)
    assert "alleen" not in row
