"""The anonymous page cache (kb.page_cache): a change made on another host shows at once (its
sibling app here shares this process: at once; another process: within POLL_SECONDS), a
signed-in reader never sees (or leaves) an anonymous copy, each language gets its own page,
and a cached page's form posts with the visitor's own CSRF token."""

import re

import pytest
import sqlalchemy as sa

from kb.auth.models import SYSTEM
from kb.documents import service, views_count
from kb.documents.models import Document
from kb.documents.review_settings import set_review
from kb.documents.schemas import DocumentCreate, DocumentUpdate
from kb.extensions import db
from kb.search.models import SearchLog
from tests.helpers import login

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def other_host(sibling_app, tmp_path):
    """A second host on the same database, with its own data folder and index."""
    return sibling_app(KB_DATA_DIR=str(tmp_path / "host-b"), KB_SEARCH_CATCH_UP_SECONDS=0)


def page(client, path: str, **headers) -> str:
    response = client.get(path, headers={**BROWSER, **headers})
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def edit(app, slug: str, **changes) -> None:
    """Save and publish a change to ``slug`` through the service, on ``app``."""
    with app.app_context():
        doc = db.session.scalar(sa.select(Document).where(Document.slug == slug))
        service.save_revision(doc, SYSTEM, doc.current_number, DocumentUpdate(**changes))
        service.publish(doc, SYSTEM)


def test_a_publish_on_another_host_shows_at_once_on_every_cached_page(
    app, client, make_document, other_host
):
    app.config["KB_SEARCH_CATCH_UP_SECONDS"] = 0
    slug = make_document("Router herstarten", "Trek de stekker eruit.", category="internet")
    for _ in range(2):  # the second answer comes from the cache
        assert "Trek de stekker eruit." in page(client, f"/artikel/{slug}")
        page(client, "/")
        page(client, "/categorie/internet")
        page(client, "/zoeken?q=modem")

    edit(other_host, slug, title="Modem herstarten", body="Wacht tien seconden.")
    with other_host.app_context():
        data = {"kind": "article", "audience": "public", "category": "internet"}
        new = service.create_document(
            SYSTEM, DocumentCreate(title="Glasvezel aansluiten", body="Zo gaat het.", **data)
        )
        service.publish(new, SYSTEM)

    article = page(client, f"/artikel/{slug}")
    assert "Wacht tien seconden." in article and "Trek de stekker" not in article
    assert "Glasvezel aansluiten" in page(client, "/")
    assert "Modem herstarten" in page(client, "/categorie/internet")
    assert "Modem herstarten" in page(client, "/zoeken?q=modem")


def test_an_unpublished_article_is_gone_at_once(app, client, make_document, other_host):
    slug = make_document("Router herstarten", "Trek de stekker eruit.")
    page(client, f"/artikel/{slug}")
    page(client, f"/artikel/{slug}")
    with other_host.app_context():
        doc = db.session.scalar(sa.select(Document).where(Document.slug == slug))
        service.unpublish(doc, SYSTEM)
    assert client.get(f"/artikel/{slug}", headers=BROWSER).status_code == 404
    assert "Router herstarten" not in page(client, "/")


def test_a_new_category_description_shows_at_once(app, client, make_document, other_host):
    make_document("Factuur betalen", "Op tijd.", category="facturen")
    page(client, "/categorie/facturen")
    with other_host.app_context():
        set_review("facturen", SYSTEM, None, description="Alles over uw rekening.")
    assert "Alles over uw rekening." in page(client, "/categorie/facturen")
    assert "Alles over uw rekening." in page(client, "/")


@pytest.mark.parametrize("role", ["agent", "editor"])
def test_a_signed_in_reader_never_gets_the_anonymous_copy(
    app, client, make_document, make_user, role
):
    intern = make_document("Interne werkinstructie", "Alleen voor ons.", audience="internal")
    slug = make_document("Router herstarten", "Trek de stekker eruit.")
    for _ in range(2):
        anonymous = page(client, "/")
        assert "Inloggen voor medewerkers" in page(client, f"/artikel/{slug}")
    assert "Interne werkinstructie" not in anonymous

    staff = app.test_client()
    assert login(staff, make_user(role)).status_code in (302, 303)
    home = page(staff, "/")
    assert "Uitloggen" in home and "Interne werkinstructie" in home
    article = page(staff, f"/artikel/{slug}")
    assert "Uitloggen" in article and "Inloggen voor medewerkers" not in article
    assert staff.get(f"/artikel/{intern}", headers=BROWSER).status_code == 200
    if role == "editor":
        assert 'class="editor-bar"' in article


def test_a_signed_in_page_is_never_kept_for_anonymous_readers(
    app, client, make_document, make_user
):
    make_document("Interne werkinstructie", "Alleen voor ons.", audience="internal")
    slug = make_document("Router herstarten", "Trek de stekker eruit.")
    staff = app.test_client()
    assert login(staff, make_user("editor")).status_code in (302, 303)
    for _ in range(2):
        page(staff, "/")
        page(staff, f"/artikel/{slug}")
    home = page(client, "/")
    article = page(client, f"/artikel/{slug}")
    assert "Interne werkinstructie" not in home and "Uitloggen" not in home
    assert 'class="editor-bar"' not in article and "Uitloggen" not in article


def test_each_language_gets_its_own_page(client, app, make_document):
    make_document("Router herstarten", "Trek de stekker eruit.")
    for _ in range(2):
        assert '<html lang="nl">' in page(client, "/")
    english = app.test_client()
    english.set_cookie("kb_lang", "en")
    assert '<html lang="en' in page(english, "/")
    assert '<html lang="en' in page(app.test_client(), "/", **{"Accept-Language": "en"})
    assert '<html lang="nl">' in page(app.test_client(), "/")


def test_a_cached_page_carries_the_visitors_own_csrf_token(app, make_document):
    slug = make_document("Router herstarten", "Trek de stekker eruit.")
    first, second = app.test_client(), app.test_client()
    page(first, f"/artikel/{slug}")  # fills the cache
    cached = page(second, f"/artikel/{slug}")
    tokens = set(TOKEN.findall(cached))
    assert len(tokens) == 1 and tokens != set(TOKEN.findall(page(first, f"/artikel/{slug}")))
    voted = second.post(f"/artikel/{slug}/stem", data={"helpful": "ja", "csrf_token": tokens.pop()})
    assert voted.status_code in (302, 303)
    after = page(second, f"/artikel/{slug}")  # the visitor who voted sees his own page
    assert "Bedankt voor uw reactie!" in after
    assert "Bedankt voor uw reactie!" not in page(first, f"/artikel/{slug}")


def test_a_cached_page_still_counts_the_read_and_logs_the_search(app, make_document):
    slug = make_document("Router herstarten", "Trek de stekker eruit.")
    for _ in range(3):
        page(app.test_client(), f"/artikel/{slug}")
        page(app.test_client(), "/zoeken?q=stekker")
    with app.app_context():
        doc = db.session.scalar(sa.select(Document).where(Document.slug == slug))
        assert views_count.reads(doc.id) == 3
        logged = db.session.scalars(sa.select(SearchLog.query)).all()
        assert logged == ["stekker"] * 3


def test_a_cached_page_is_no_one_elses_session(app, make_document):
    """A cached page sets only the visitor's own session cookie, and not for someone else."""
    slug = make_document("Router herstarten", "Trek de stekker eruit.")
    first, second = app.test_client(), app.test_client()
    page(first, f"/artikel/{slug}")
    response = second.get(f"/artikel/{slug}", headers=BROWSER)
    cookies = response.headers.getlist("Set-Cookie")
    assert [c.split("=", 1)[0] for c in cookies] == ["session"]
    assert first.get_cookie("session").value != second.get_cookie("session").value


def test_read_counts_on_the_home_page_follow_once_the_cached_copy_expires(
    app, client, make_document, monkeypatch
):
    """Reads do not end a cached page (that would end it on every read); "Veelgelezen" on a
    cached home page is at most KB_PAGE_CACHE_SECONDS old."""
    from kb import page_cache

    make_document("Storing melden", "Bel ons.", slug="storing-melden")
    make_document("Chatten met ons", "Start de chat.", slug="chatten-met-ons")  # the newest

    def most_read() -> str:
        home = page(client, "/")
        section = home.split("Veelgelezen", 1)[1]
        return re.search(r'href="/artikel/([^"]+)"', section).group(1)

    assert most_read() == "chatten-met-ons"
    for _ in range(2):
        page(app.test_client(), "/artikel/storing-melden")
    assert most_read() == "chatten-met-ons"  # the cached copy, still fresh

    now = page_cache.time.monotonic()
    seconds = app.config.get("KB_PAGE_CACHE_SECONDS", page_cache.DEFAULT_SECONDS)
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now + seconds + 1)
    assert most_read() == "storing-melden"


def test_a_change_from_another_process_shows_within_the_poll_and_our_own_at_once(
    app, client, make_document, monkeypatch
):
    """A worker asks the database's generation at most every POLL_SECONDS: a change another
    process commits shows once that has passed; a change this worker commits, at once."""
    from kb import page_cache

    make_document("Factuur betalen", "Op tijd.", category="facturen")
    with app.app_context():
        set_review("facturen", SYSTEM, None, description="Oude uitleg.")
    clock = [page_cache.time.monotonic()]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    for _ in range(2):
        assert "Oude uitleg." in page(client, "/categorie/facturen")

    with app.app_context():  # another process: a connection SQLAlchemy does not see
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("UPDATE category_settings SET description = 'Andere uitleg.'")
            cursor.execute(
                "INSERT INTO search_outbox (document_id, created_at) "
                "SELECT min(id), CURRENT_TIMESTAMP FROM documents"
            )
            raw.commit()
        finally:
            raw.close()
    assert "Oude uitleg." in page(client, "/categorie/facturen")  # within the poll
    clock[0] += page_cache.POLL_SECONDS
    assert "Andere uitleg." in page(client, "/categorie/facturen")

    with app.app_context():  # this process, the clock standing still
        set_review("facturen", SYSTEM, None, description="Eigen uitleg.")
    assert "Eigen uitleg." in page(client, "/categorie/facturen")


# itsdangerous: base64 of the JSON string (starts with "I"), timestamp, signature
SIGNED = re.compile(rb"(I[\w-]+)\.[\w-]+\.[\w-]+")


def unsigned(html: bytes) -> bytes:
    """``html`` with each signed CSRF token reduced to the token itself."""
    tokens = SIGNED.findall(html)
    assert tokens, "a page with a form carries a CSRF token"
    return SIGNED.sub(rb"\1", html)


def test_a_cached_page_answers_like_the_page_it_copies(app, make_document, caplog):
    """A hit (kb.page_hits, in front of Flask) carries the page's security and caching
    headers, a request id of its own and the request line in the log; a returning visitor
    keeps his session (no new cookie, the same token)."""
    slug = make_document("Router herstarten", "Trek de stekker eruit.")
    visitor = app.test_client()
    first = visitor.get(f"/artikel/{slug}", headers=BROWSER)
    caplog.clear()
    with caplog.at_level("INFO", logger="kb.request"):
        again = visitor.get(f"/artikel/{slug}", headers={**BROWSER, "X-Request-Id": "proxy-id-1"})
    assert again.status_code == 200
    # The same CSRF token, signed anew: its timestamp moves on when a second has passed.
    assert unsigned(again.get_data()) == unsigned(first.get_data())
    for name in ("Content-Security-Policy", "X-Frame-Options", "Content-Type", "Vary"):
        assert again.headers[name] == first.headers[name], name
    assert again.headers["X-Request-Id"] == "proxy-id-1" != first.headers["X-Request-Id"]
    assert "Set-Cookie" not in again.headers
    lines = [r for r in caplog.records if r.name == "kb.request"]
    assert [(r.path, r.status, r.request_id) for r in lines] == [
        (f"/artikel/{slug}", 200, "proxy-id-1")
    ]
    newcomer = app.test_client().get(f"/artikel/{slug}", headers=BROWSER)
    assert newcomer.headers["X-Request-Id"] not in (first.headers["X-Request-Id"], "proxy-id-1")
    assert int(newcomer.headers["Content-Length"]) == len(newcomer.get_data())


def test_signed_in_homes_share_counts_per_reading_level_and_follow_a_publish(
    app, client, make_document, make_user
):
    """Category counts and "Veelgelezen" are worked out once per generation for each
    reading level (page_cache.remembered): an agent's internal categories never reach a
    customer, and a publish shows on the agent's next page."""
    make_document("Factuur betalen", "Tekst.", category="facturen")
    make_document("Interne regel", "Tekst.", category="geheim-beleid", audience="internal")
    agent = app.test_client()
    assert login(agent, make_user("agent")).status_code in (302, 303)
    assert "Geheim beleid" in page(agent, "/")
    home = page(client, "/")
    assert "Facturen" in home and "Geheim beleid" not in home and "Interne regel" not in home
    make_document("Storing melden", "Tekst.", category="storingen-intern", audience="internal")
    agents_home = page(agent, "/")
    assert "Storingen intern" in agents_home and "Storing melden" in agents_home
    assert "Storingen intern" not in page(app.test_client(), "/")
