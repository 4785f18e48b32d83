"""Issue 22, the customer help centre: reads counted per document and day for an honest
"Veelgelezen", categories with their descriptions, the article's contents, related articles
and contact channels. Search and error pages: tests/test_help_centre_pages.py."""

import logging
import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from kb import write_behind
from kb.db import utcnow
from kb.documents import views_count
from kb.documents.models import CategorySetting, Document, DocumentView
from kb.extensions import db
from tests.helpers import login, table_away

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari"}
LONG = (
    "Intro.\n\n## Eerste stap\n\nA.\n\n## Tweede stap\n\nB.\n\n### Detail\n\nC.\n\n## Klaar\n\nD."
)


def read(client, slug: str, times: int = 1, headers: dict | None = None) -> None:
    for _ in range(times):
        response = client.get(f"/artikel/{slug}", headers=headers or BROWSER)
        assert response.status_code == 200


def reads(app, slug: str) -> int:
    with app.app_context():
        doc = db.session.scalar(sa.select(Document).where(Document.slug == slug))
        return views_count.reads(doc.id)


def popular_titles(page: str) -> list[str]:
    section = page.split('id="veelgelezen"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<a href="/artikel/[^"]+">([^<]+)</a>', section)


def test_a_read_is_counted_per_document_and_day(app, client, make_document):
    slug = make_document("Router herstarten", "Trek de stekker eruit.")
    other = make_document("Factuur betalen", "Op tijd.")
    read(client, slug, 3)
    read(client, other)
    assert reads(app, slug) == 3 and reads(app, other) == 1
    with app.app_context():
        rows = db.session.execute(sa.select(DocumentView)).scalars().all()
        # One row per document and day: no reader, address or time of day is kept.
        assert sorted((r.views, r.day) for r in rows) == [
            (1, utcnow().date()),
            (3, utcnow().date()),
        ]
        assert {c.name for c in DocumentView.__table__.columns} == {"document_id", "day", "views"}


def test_staff_reads_count_too(app, client, make_document, login_as):
    slug = make_document("Router herstarten", "Trek de stekker eruit.")
    login_as("agent")
    read(client, slug, 2)
    assert reads(app, slug) == 2


@pytest.mark.parametrize(
    "headers",
    [
        {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
        {"User-Agent": "Mozilla/5.0 (compatible; bingbot/2.0)"},
        {"User-Agent": "Mozilla/5.0 AhrefsBot/7.0"},
        {"User-Agent": "facebookexternalhit/1.1"},
        {"User-Agent": "curl/8.5.0"},
        {"User-Agent": "python-requests/2.32"},
        {"User-Agent": ""},
        {**BROWSER, "Sec-Purpose": "prefetch"},
        {**BROWSER, "Purpose": "prefetch"},
    ],
)
def test_bots_scripts_and_prefetches_are_not_counted(app, client, make_document, headers):
    slug = make_document("Router herstarten", "Trek de stekker eruit.")
    assert client.get(f"/artikel/{slug}", headers=headers).status_code == 200
    assert reads(app, slug) == 0


def test_head_requests_are_not_counted(app, client, make_document):
    slug = make_document("Router herstarten", "Trek de stekker eruit.")
    assert client.head(f"/artikel/{slug}", headers=BROWSER).status_code == 200
    assert reads(app, slug) == 0


def test_drafts_and_missing_pages_are_not_counted(app, client, make_document, login_as):
    draft = make_document("Nieuwe tarieven", "Nog niet klaar.", publish=False)
    login_as("editor")
    read(client, draft, 2)
    assert client.get("/artikel/bestaat-niet", headers=BROWSER).status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentView)) == 0


def test_reading_sets_no_cookie_of_its_own(app, client, make_document):
    """A counted read leaves the visitor exactly as an uncounted one does: no cookie of its
    own and nothing new in the session."""
    slug = make_document("Router herstarten", "Trek de stekker eruit.")
    client.get("/", headers=BROWSER)  # the session (CSRF token) exists before the read
    client.get(f"/artikel/{slug}", headers={"User-Agent": "curl/8.5.0"})
    with client.session_transaction() as session:
        before = dict(session)
    uncounted = client.get(f"/artikel/{slug}", headers={"User-Agent": "curl/8.5.0"})
    counted = client.get(f"/artikel/{slug}", headers=BROWSER)
    assert reads(app, slug) == 1

    def names(response):
        return sorted(c.split("=", 1)[0] for c in response.headers.getlist("Set-Cookie"))

    assert names(counted) == names(uncounted) and set(names(counted)) <= {"session"}
    with client.session_transaction() as session:
        assert dict(session) == before


def test_reads_at_the_same_time_are_all_counted(app, make_document):
    """The upsert is one statement: parallel first reads of a day neither fail nor get lost."""
    slug = make_document("Router herstarten", "Trek de stekker eruit.")
    failures: list[int] = []
    start = threading.Barrier(4)

    def reader():
        client = app.test_client()
        start.wait()
        for _ in range(5):
            status = client.get(f"/artikel/{slug}", headers=BROWSER).status_code
            if status != 200:
                failures.append(status)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert reads(app, slug) == 20


def test_a_failing_count_never_fails_the_page(app, client, make_document, caplog):
    """The counts are written behind the page (kb.write_behind): a write that fails is
    logged and lost, the pages go on, and the counts after it are kept."""
    slug = make_document("Router herstarten", "Trek de stekker eruit.")
    with table_away(app, "document_views"):
        for _ in range(2):
            response = client.get(f"/artikel/{slug}", headers=BROWSER)
            assert response.status_code == 200
            assert "Trek de stekker eruit." in response.get_data(as_text=True)
        with app.app_context(), caplog.at_level(logging.ERROR, logger="kb.write_behind"):
            write_behind.flush()  # as the timer would, a second later
        assert any("could not write 2 document_views" in r.getMessage() for r in caplog.records)
    client.get(f"/artikel/{slug}", headers=BROWSER)
    assert reads(app, slug) == 1


def test_home_lists_the_most_read_articles_first_then_the_newest(app, client, make_document):
    make_document("Oud artikel", "Eerst geschreven.")
    weinig = make_document("Weinig gelezen", "Tekst.")
    veel = make_document("Veel gelezen", "Tekst.")
    make_document("Nieuwste artikel", "Als laatste geschreven.")
    read(client, weinig)
    read(client, veel, 3)
    titles = popular_titles(client.get("/").get_data(as_text=True))
    assert titles == ["Veel gelezen", "Weinig gelezen", "Nieuwste artikel", "Oud artikel"]


def test_with_no_reads_the_home_lists_the_newest_articles(client, make_document):
    make_document("Oud artikel", "Eerst geschreven.")
    make_document("Nieuwste artikel", "Als laatste geschreven.")
    assert popular_titles(client.get("/").get_data(as_text=True)) == [
        "Nieuwste artikel",
        "Oud artikel",
    ]


def test_reads_older_than_thirty_days_no_longer_count(app, client, make_document):
    oud = make_document("Vorig jaar populair", "Tekst.")
    nu = make_document("Nu gelezen", "Tekst.")
    make_document("Nieuwste artikel", "Tekst.")
    with app.app_context():
        doc = db.session.scalar(sa.select(Document).where(Document.slug == oud))
        db.session.add(
            DocumentView(document_id=doc.id, day=utcnow().date() - timedelta(days=30), views=500)
        )
        db.session.commit()
    read(client, nu)
    titles = popular_titles(client.get("/").get_data(as_text=True))
    assert titles[0] == "Nu gelezen"
    assert titles.index("Nieuwste artikel") < titles.index("Vorig jaar populair")


def test_the_most_read_list_shows_each_reader_only_what_they_may_read(
    app, client, make_document, make_user
):
    make_document("Openbaar artikel", "Tekst.")
    intern = make_document("Interne werkinstructie", "Alleen voor ons.", audience="internal")
    script = make_document(
        "Belscript opzeggen",
        "## Stap\n\nZeg hallo.",
        kind="script",
        audience="internal",
        channel="phone",
    )
    agent = make_user("agent")
    staff = app.test_client()
    assert login(staff, agent).status_code in (302, 303)
    read(staff, intern, 5)
    read(staff, script, 5)
    page = client.get("/").get_data(as_text=True)
    assert popular_titles(page) == ["Openbaar artikel"]
    assert "Interne werkinstructie" not in page and "Belscript" not in page
    # The agent's own home shows the internal article (scripts are not articles).
    assert popular_titles(staff.get("/").get_data(as_text=True))[0] == "Interne werkinstructie"


def test_categories_show_their_descriptions(app, client, make_document):
    make_document("Factuur betalen", "Tekst.", category="facturen")
    make_document("Interne regel", "Tekst.", category="geheim-beleid", audience="internal")
    with app.app_context():
        db.session.add(CategorySetting(category="facturen", description="Alles over uw rekening."))
        db.session.add(CategorySetting(category="geheim-beleid", description="Interne afspraken."))
        db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "Alles over uw rekening." in home and "1 artikel" in home
    assert "Interne afspraken." not in home and "Geheim beleid" not in home
    category = client.get("/categorie/facturen").get_data(as_text=True)
    assert "Alles over uw rekening." in category and "Factuur betalen" in category
    assert client.get("/categorie/geheim-beleid").status_code == 404


def test_a_long_article_gets_contents_that_link_to_its_headings(client, make_document):
    slug = make_document("Modem installeren", LONG)
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    toc = page.split('class="toc"', 1)[1].split("</nav>", 1)[0]
    assert "In dit artikel" in toc
    anchors = re.findall(r'href="#([^"]+)">([^<]+)<', toc)
    assert [text for _, text in anchors] == ["Eerste stap", "Tweede stap", "Detail", "Klaar"]
    for anchor, _ in anchors:
        assert re.search(rf'<h[23] id="{anchor}">', page), anchor


def test_a_short_article_has_no_contents(client, make_document):
    slug = make_document("Kort", "Intro.\n\n## Eén kop\n\nA.\n\n## Twee\n\nB.")
    assert 'class="toc"' not in client.get(f"/artikel/{slug}").get_data(as_text=True)


def test_related_articles_share_tags_or_category_and_respect_the_reader(
    app, client, make_document, make_user
):
    slug = make_document("Wifi instellen", "Tekst.", category="internet", tags=["wifi", "router"])
    make_document("Wifi-wachtwoord", "Tekst.", category="account", tags=["wifi", "router"])
    make_document("Glasvezel", "Tekst.", category="internet")
    make_document("Router kiezen", "Tekst.", category="winkel", tags=["router"])
    make_document("Factuur", "Tekst.", category="facturen", tags=["betalen"])
    make_document("Intern wifi", "Tekst.", category="internet", tags=["wifi"], audience="internal")
    make_document("Concept wifi", "Tekst.", category="internet", tags=["wifi"], publish=False)
    for n in range(6):
        make_document(f"Internet {n}", "Tekst.", category="internet")

    def related(page: str) -> list[str]:
        section = page.split('class="related"', 1)[1].split("</section>", 1)[0]
        return re.findall(r'<a href="/artikel/[^"]+">([^<]+)</a>', section)

    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    shown = related(page)
    assert len(shown) == 5 and shown[:2] == ["Wifi-wachtwoord", "Router kiezen"]
    assert "Wifi instellen" not in shown and "Factuur" not in shown
    assert "Intern wifi" not in page and "Concept wifi" not in page
    agent = app.test_client()
    assert login(agent, make_user("agent")).status_code in (302, 303)
    assert "Intern wifi" in related(agent.get(f"/artikel/{slug}").get_data(as_text=True))


def test_related_articles_follow_the_published_tags(app, client, make_document):
    """A tag change counts for "related" (and the tag filter) once it is published, not while
    it is a pending edit; a draft follows its newest revision at once."""
    from kb.auth.models import SYSTEM
    from kb.documents import service
    from kb.documents.schemas import DocumentUpdate

    slug = make_document("Wifi instellen", "Tekst.", category="internet", tags=["wifi"])
    other = make_document("Router kiezen", "Tekst.", category="winkel", tags=["router"])

    def related() -> str:
        page = client.get(f"/artikel/{slug}").get_data(as_text=True)
        return (
            page.split('class="related"', 1)[1].split("</section>", 1)[0]
            if ('class="related"' in page)
            else ""
        )

    def retag(tags: list[str], publish: bool) -> None:
        with app.app_context():
            doc = db.session.scalar(db.select(Document).where(Document.slug == other))
            service.save_revision(
                doc, SYSTEM, doc.current_number, DocumentUpdate(tags=tags, message="tags")
            )
            if publish:
                service.publish(doc, SYSTEM)

    assert "Router kiezen" not in related()
    retag(["router", "wifi"], publish=False)
    assert "Router kiezen" not in related()
    assert "Router kiezen" not in client.get("/api/v1/documents?tag=wifi").get_data(as_text=True)
    retag(["router", "wifi"], publish=True)
    assert "Router kiezen" in related()
    assert "Router kiezen" in client.get("/api/v1/documents?tag=wifi").get_data(as_text=True)
    retag(["router"], publish=True)
    assert "Router kiezen" not in related()


def test_an_article_offers_the_contact_channels(client, make_document):
    slug = make_document("Factuur betalen", "Tekst.")
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    box = page.split('class="contact-box"', 1)[1].split("</section>", 1)[0]
    assert "Neem contact op" in box
    assert 'href="tel:08001234567"' in box and "0800-1234567" in box
    assert "/artikel/chatten-met-klantenservice" in box
    assert "contactformulier" in box and 'href="tel:08001234568"' in box
    assert "Was dit nuttig?" in page  # the vote stays


def test_contact_channels_come_from_the_configuration(app, client, make_document):
    slug = make_document("Factuur betalen", "Tekst.")
    app.config.update(
        KB_CONTACT_PHONE="020 123 45 67",
        KB_CONTACT_PHONE_HOURS="elke dag",
        KB_CONTACT_CHAT_URL="",
        KB_CONTACT_EMAIL="hulp@polderlink.example",
        KB_CONTACT_OUTAGE_PHONE="",
    )
    box = client.get(f"/artikel/{slug}").get_data(as_text=True).split('class="contact-box"')[1]
    box = box.split("</section>", 1)[0]
    assert 'href="tel:0201234567"' in box and "020 123 45 67" in box and "elke dag" in box
    assert 'href="mailto:hulp@polderlink.example"' in box
    assert "chatten-met-klantenservice" not in box and "0800-1234568" not in box


def test_internal_documents_show_staff_no_customer_contact_box(client, make_document, login_as):
    slug = make_document("Interne regel", "Tekst.", audience="internal")
    login_as("agent")
    assert 'class="contact-box"' not in client.get(f"/artikel/{slug}").get_data(as_text=True)
