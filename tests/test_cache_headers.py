"""Cache-Control: every answer to a signed-in user or a bearer-token caller is `no-store`, so no
browser or proxy keeps internal text, drafts or figures; public pages for anonymous readers
may be cached. Anonymous callers get 404 on per-document staff URLs (as for a missing slug)
and the login page for staff pages that name no document (the rule in kb/web.py)."""

import pytest

from tests.helpers import login, without_csrf


def _page(response) -> str:
    """The page without its CSRF tokens, which are signed anew (with the time) on every page."""
    return without_csrf(response.get_data(as_text=True))


@pytest.fixture
def docs(make_document):
    return {
        "public": make_document("Factuur betalen", "Betaal op tijd."),
        "internal": make_document("Storing melden", "Interne stappen.", audience="internal"),
        "draft": make_document("Nieuwe tarieven", "Nog geheim.", publish=False),
    }


SIGNED_IN_PAGES = [
    "/",
    "/zoeken?q=factuur",
    "/zoeken/suggesties?q=fact",
    "/artikel/{public}",
    "/artikel/{internal}",
    "/artikel/{draft}",
    "/artikel/{draft}/geschiedenis",
    "/documenten",
    "/console",
    "/tickets",
    "/verzoeken",
    "/dashboard",
    "/inzichten",
    "/inbox",
    "/account",
    "/beheer/gebruikers",
    "/beheer/audit",
]

TOKEN_ANSWERS = [
    "/api/v1/documents",
    "/api/v1/documents/{public}",
    "/api/v1/documents/{internal}",
    "/api/v1/documents/{draft}",
    "/api/v1/documents/{draft}/revisions",
    "/api/v1/search?q=storing",
    "/api/v1/search/suggest?q=stor",
    "/api/v1/requests",
    "/api/v1/metrics",
    "/api/v1/documents/bestaat-niet",  # a 404 to a token holder: also not for a cache
]


def test_every_answer_to_a_signed_in_user_is_no_store(client, docs, make_user):
    login(client, make_user("admin"))
    for url in SIGNED_IN_PAGES:
        response = client.get(url.format(**docs))
        assert response.status_code == 200, url
        assert response.headers.get("Cache-Control") == "no-store", url


def test_every_answer_to_a_bearer_token_caller_is_no_store(client, docs, make_user, token_for):
    headers = token_for(make_user("supervisor"))
    for url in TOKEN_ANSWERS:
        response = client.get(url.format(**docs), headers=headers)
        assert response.status_code in (200, 404), url
        assert response.headers.get("Cache-Control") == "no-store", url
        assert "Authorization" in response.headers.get("Vary", ""), url


def test_public_answers_to_anonymous_readers_may_be_cached(client, docs):
    for url in ("/", "/artikel/{public}", "/zoeken?q=factuur", "/api/v1/documents/{public}"):
        response = client.get(url.format(**docs))
        assert response.status_code == 200, url
        assert "no-store" not in response.headers.get("Cache-Control", ""), url
    # The same API answer with a token is not for a shared cache: it varies by Authorization.
    response = client.get("/api/v1/documents/{public}".format(**docs))
    assert "Authorization" in response.headers["Vary"]


def test_static_files_stay_cacheable_for_signed_in_users(client, make_user):
    login(client, make_user("editor"))
    response = client.get("/static/kb.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


def test_anonymous_callers_get_404_on_per_document_staff_urls(client, docs):
    missing = client.get("/artikel/bestaat-niet")
    assert missing.status_code == 404
    for slug in (docs["public"], docs["draft"], "bestaat-niet"):
        for url in (
            f"/artikel/{slug}/bewerken",
            f"/artikel/{slug}/geschiedenis",
            f"/artikel/{slug}/revisie/1",
            f"/artikel/{slug}/vergelijk?van=1&naar=1",
            f"/artikel/{slug}/bevestigingen",
        ):
            response = client.get(url)
            assert response.status_code == 404, url
            assert "Location" not in response.headers, url
            # The same page as a slug that does not exist: nothing tells them apart.
            assert _page(response) == _page(missing), url
    response = client.post_form(f"/artikel/{docs['public']}/reactie", {"body": "Hallo"})
    assert response.status_code == 404


def test_anonymous_callers_are_sent_to_the_login_page_for_other_staff_pages(client):
    for url in ("/console", "/tickets", "/documenten", "/beheer/gebruikers"):
        response = client.get(url)
        assert response.status_code in (302, 303), url
        assert response.headers["Location"].startswith("/inloggen?next="), url
