"""Issue 20: leaks checked with secret words that appear only in hidden things.

WORD is only in what anonymous callers may not read: an internal article, a script, a policy
(`beleid`) document, the subjects of tickets resolved with an internal article (learned
customer words), a comment on an internal article and an article request. DRAFT_WORD is only
in what agents may not read either: a draft, an archived document, an unpublished revision of
a public article and a review note.

Each role's answers (pages, API, search, suggestions, facets, "Bedoelde u", console,
dashboards, error pages of the hidden slugs, OpenAPI) are recorded before the hidden things
exist and again after: they must be the same (so every total, facet count and 404 body equals
that of a database without them), and must not hold the word.
"""

import json
import re

import pytest

from kb.auth.models import SYSTEM
from kb.documents import service
from kb.documents.models import Document
from kb.documents.schemas import DocumentUpdate
from kb.extensions import db
from tests.helpers import login

pytestmark = pytest.mark.search

WORD = "zwartekraai"
DRAFT_WORD = "grijsuiltje"
LEARNED_WORD = "kraaienmodem"  # only in the subjects of tickets solved with intern-1
# A prefix and a near miss of each ("Bedoelde u ...?"), asked everywhere a query goes.
QUERIES = [WORD, "zwartek", "zwartekraaj", DRAFT_WORD, "grijsu", "grijsuiltej", LEARNED_WORD]
HIDDEN_CATEGORY = "geheimen"

PUBLIC = [
    ("Router herstarten", "Trek de stekker uit de router en wacht tien seconden.", "storingen"),
    ("Zwarte schermen", "Een zwart scherm op de tv? Kies een andere ingang.", "tv"),
    ("Grijze kabel", "De grijze kabel gaat in de poort van het kastje.", "storingen"),
    # Wiki links to documents that are hidden later: rendered exactly like missing ones.
    ("Meer lezen", "Zie [[intern-1]], [[script-1]], [[beleid-1]], [[concept-1]], [[oud-1]].", "tv"),
]


def public_documents(make_document) -> None:
    for title, body, category in PUBLIC:
        make_document(title, body, category=category)


def hidden_from_anonymous(app, make_document, client, make_user, token_for) -> None:
    text = f"{WORD.capitalize()} staat hier. Meer over {WORD} en de storing."
    make_document(f"Intern {WORD}", text, slug="intern-1", audience="internal")
    make_document(
        f"Intern {WORD} twee", text, slug="intern-2", category=HIDDEN_CATEGORY, audience="internal"
    )
    make_document(
        f"Script {WORD}",
        f"## Stap 1\n\n{text}",
        slug="script-1",
        kind="script",
        audience="internal",
        channel="phone",
    )
    make_document(f"Beleid {WORD}", text, slug="beleid-1", audience="internal", category="beleid")
    agent = token_for(make_user("agent"))
    for n in range(3):  # learned customer words: subjects of tickets solved with intern-1
        created = client.post(
            "/api/v1/tickets",
            json={
                "external_ref": f"T-{n}",
                "subject": f"klant vraagt naar {WORD} {LEARNED_WORD}",
                "channel": "phone",
            },
            headers=agent,
        )
        assert created.status_code == 201, created.get_data(as_text=True)
        solved = client.post(
            f"/api/v1/tickets/{created.json['id']}/resolve",
            json={"document": "intern-1"},
            headers=agent,
        )
        assert solved.status_code == 200, solved.get_data(as_text=True)
    created = client.post(
        "/api/v1/tickets",
        json={"external_ref": "T-req", "subject": "Vraag zonder antwoord", "channel": "chat"},
        headers=agent,
    )
    requested = client.post(
        f"/api/v1/tickets/{created.json['id']}/resolve",
        json={"request": {"title": f"Artikel over {WORD}", "details": f"Uitleg {WORD}."}},
        headers=agent,
    )
    assert requested.status_code == 200, requested.get_data(as_text=True)
    commented = client.post(
        "/api/v1/documents/intern-1/comments", json={"body": f"Klopt {WORD} nog?"}, headers=agent
    )
    assert commented.status_code == 201, commented.get_data(as_text=True)


def hidden_from_agents(app, make_document, client, make_user, token_for) -> None:
    text = f"{DRAFT_WORD.capitalize()} staat hier. Meer over {DRAFT_WORD} en de storing."
    make_document(f"Concept {DRAFT_WORD}", text, slug="concept-1", publish=False)
    make_document(
        f"Concept {DRAFT_WORD}", text, slug="concept-2", publish=False, category=HIDDEN_CATEGORY
    )
    make_document(f"Oud {DRAFT_WORD}", text, slug="oud-1", audience="internal")
    make_document(
        f"Beleidsconcept {DRAFT_WORD}",
        text,
        slug="beleid-2",
        publish=False,
        audience="internal",
        category="beleid",
    )
    with app.app_context():
        old = db.session.scalar(db.select(Document).where(Document.slug == "oud-1"))
        service.archive(old, SYSTEM)
        router = db.session.scalar(db.select(Document).where(Document.slug == "router-herstarten"))
        change = DocumentUpdate(title=f"Router {DRAFT_WORD}", body=text)
        service.save_revision(router, SYSTEM, router.current_number, change)
    supervisor = token_for(make_user("supervisor"))
    submitted = client.post(
        "/api/v1/documents/beleid-2/reviews",
        json={"note": f"Graag kijken naar {DRAFT_WORD}."},
        headers=supervisor,
    )
    assert submitted.status_code == 201, submitted.get_data(as_text=True)


HIDDEN_FROM_AGENTS = ["concept-1", "concept-2", "oud-1", "beleid-2"]
HIDDEN_SLUGS = [
    "intern-1",
    "intern-2",
    "script-1",
    "beleid-1",
    "concept-1",
    "concept-2",
    "oud-1",
    "beleid-2",
]


def urls(role: str) -> list[str]:
    asked = [
        "/",
        "/zoeken",
        "/api/openapi.json",
        "/artikel/meer-lezen",
        "/api/v1/documents/meer-lezen",
    ]
    asked += [f"/categorie/{c}" for c in ("storingen", "tv", "beleid", HIDDEN_CATEGORY)]
    for q in QUERIES:
        asked += [
            f"/zoeken?q={q}",
            f"/zoeken?q={q}&category={HIDDEN_CATEGORY}",
            f"/zoeken/suggesties?q={q}",
            f"/api/v1/search?q={q}",
            f"/api/v1/search?q={q}&kind=script",
            f"/api/v1/search/suggest?q={q}",
        ]
    asked += ["/api/v1/search?q=storing", "/api/v1/search?q=storing&limit=1"]
    asked += [f"/api/v1/search?q=&category={c}" for c in ("beleid", HIDDEN_CATEGORY)]
    asked += [
        "/api/v1/documents",
        "/api/v1/documents?kind=script",
        "/api/v1/documents?category=beleid",
        f"/api/v1/documents?category={HIDDEN_CATEGORY}",
        "/api/v1/documents?status=draft",
        "/api/v1/documents?status=archived",
        "/api/v1/documents?channel=phone",
        "/dashboard",
        "/dashboard.csv",
        "/inzichten",
    ]
    # Staff pages: none may show what their reader may not read.
    asked += ["/documenten", "/beoordelen", "/beoordelen/1", "/inbox", "/mijn-documenten"]
    asked += ["/mijn-voorstellen", "/console/tickets", "/beheer/audit", "/api/v1/metrics"]
    asked += ["/api/v1/reviews/1", "/api/v1/suggestions", "/api/v1/tickets/1", "/api/v1/tickets/4"]
    for slug in HIDDEN_SLUGS if role == "anonymous" else HIDDEN_FROM_AGENTS:
        asked += [f"/artikel/{slug}", f"/api/v1/documents/{slug}", f"/zoeken/geopend/{slug}"]
        asked += [f"/artikel/{slug}/{page}" for page in ("geschiedenis", "revisie/1", "bewerken")]
        asked += [f"/artikel/{slug}/vergelijk?van=1&naar=1", f"/artikel/{slug}/bevestigingen"]
        asked += [f"/api/v1/documents/{slug}/{what}" for what in ("acknowledgements", "comments")]
        asked += [f"/api/v1/documents/{slug}/diff?from=1&to=1"]
    if role == "agent":
        asked += ["/console", "/tickets", "/verzoeken", "/api/v1/requests", "/api/v1/reviews"]
        asked += [f"/console/zoeken?q={q}" for q in QUERIES]
        asked += [f"/console/document/{slug}" for slug in HIDDEN_FROM_AGENTS]
        asked += [f"/api/v1/documents/{s}/revisions" for s in ("router-herstarten", "beleid-2")]
    return asked


VOLATILE = [
    re.compile(rb'(name="csrf-token" content=")[^"]+'),
    re.compile(rb'(name="csrf_token" type="hidden" value=")[^"]+'),
    re.compile(rb'(name="csrf_token" value=")[^"]+'),
    re.compile(rb'(nonce=")[^"]+'),
]


def fetch(client, url: str, headers: dict | None = None) -> tuple[int, bytes]:
    """Status and body, with the session's CSRF token and any nonce blanked out."""
    response = client.get(url, headers=headers if url.startswith("/api/") else None)
    body = response.data
    for pattern in VOLATILE:
        body = pattern.sub(rb"\1-", body)
    return response.status_code, body


def crawl(client, role: str, headers: dict | None = None) -> dict[str, tuple[int, bytes]]:
    return {url: fetch(client, url, headers) for url in urls(role)}


def comparable(answer: tuple[int, bytes]):
    """JSON as data (an object's key order means nothing), without the time of the last edit
    (test_a_pending_edit_does_not_move_updated_at checks that); other answers as they are."""
    status, body = answer
    if body[:1] in (b"{", b"["):
        return status, _without(json.loads(body), "updated_at")
    return answer


def _without(value, key: str):
    if isinstance(value, dict):
        return {k: _without(v, key) for k, v in value.items() if k != key}
    if isinstance(value, list):
        return [_without(v, key) for v in value]
    return value


def assert_no_word(answers: dict[str, tuple[int, bytes]], words: list[str]) -> None:
    for url, (_, body) in answers.items():
        for word in words:
            if word not in url:  # a page may show the query its reader typed
                assert word.encode() not in body.lower(), f"{word} leaks in {url}"


def assert_same(before: dict, after: dict) -> None:
    changed = [url for url in before if comparable(after[url]) != comparable(before[url])]
    assert not changed


def test_anonymous_sees_nothing_of_hidden_documents_and_staff_data(
    app, client, make_document, make_user, token_for
):
    public_documents(make_document)
    before = crawl(client, "anonymous")
    hidden_from_anonymous(app, make_document, app.test_client(), make_user, token_for)
    hidden_from_agents(app, make_document, app.test_client(), make_user, token_for)
    after = crawl(client, "anonymous")
    assert_no_word(after, [WORD, DRAFT_WORD, LEARNED_WORD])
    assert_same(before, after)
    # The control: the word is there for those who may read it.
    agent = token_for(make_user("agent"))
    found = client.get(f"/api/v1/search?q={WORD}", headers=agent).json
    assert {r["slug"] for r in found["results"]} >= {"intern-1", "intern-2", "script-1", "beleid-1"}


def test_agents_see_nothing_of_drafts_archived_documents_and_reviews(
    app, client, make_document, make_user, token_for
):
    public_documents(make_document)
    hidden_from_anonymous(app, make_document, app.test_client(), make_user, token_for)
    agent = make_user("agent")
    assert login(client, agent).status_code in (302, 303)
    headers = token_for(agent)
    before = crawl(client, "agent", headers)
    assert WORD.encode() in before[f"/api/v1/search?q={WORD}"][1]
    # The control: the crawl does find the word where its reader may see it.
    for url in (
        "/",
        "/artikel/meer-lezen",
        "/zoeken/suggesties?q=zwartek",
        "/api/v1/search/suggest?q=zwartek",
        "/zoeken?q=zwartekraaj",
        "/api/v1/search?q=zwartekraaj",
        "/api/v1/requests",
        "/console/zoeken?q=zwartekraaj",
    ):
        assert WORD.encode() in before[url][1].lower(), url
    learned = json.loads(before[f"/api/v1/search?q={LEARNED_WORD}"][1])
    assert [r["slug"] for r in learned["results"]] == ["intern-1"]
    hidden_from_agents(app, make_document, app.test_client(), make_user, token_for)
    after = crawl(client, "agent", headers)
    assert_no_word(after, [DRAFT_WORD])
    assert_same(before, after)
    # Staff figures are for editors and up: an agent gets the same 404 as for a missing page.
    missing = fetch(client, "/bestaat-niet")
    for url in ("/dashboard", "/dashboard.csv", "/inzichten"):
        assert after[url] == missing, url
    # The control: an editor does read the draft.
    editor = token_for(make_user("editor"))
    draft = client.get("/api/v1/documents/concept-1", headers=editor)
    assert draft.status_code == 200 and DRAFT_WORD in draft.json["body"]


@pytest.mark.xfail(
    strict=True,
    reason="kb/api/documents.py:list_documents (and get_document) leak a pending unpublished "
    "edit: updated_at is the document's, not the published revision's",
)
def test_a_pending_edit_does_not_move_updated_at(app, client, make_document):
    public_documents(make_document)
    listed = client.get("/api/v1/documents").json["items"]
    before = {d["slug"]: d["updated_at"] for d in listed}
    one = client.get("/api/v1/documents/router-herstarten").json.get("updated_at")
    with app.app_context():
        router = db.session.scalar(db.select(Document).where(Document.slug == "router-herstarten"))
        change = DocumentUpdate(body=f"Een concept over {DRAFT_WORD}.")
        service.save_revision(router, SYSTEM, router.current_number, change)
    listed = client.get("/api/v1/documents").json["items"]
    assert {d["slug"]: d["updated_at"] for d in listed} == before
    assert client.get("/api/v1/documents/router-herstarten").json.get("updated_at") == one


def test_error_messages_for_hidden_documents_are_those_for_missing_ones(
    app, client, make_document, make_user, token_for
):
    """Writing to a hidden document answers exactly like writing to a missing one."""
    public_documents(make_document)
    hidden_from_anonymous(app, make_document, app.test_client(), make_user, token_for)
    hidden_from_agents(app, make_document, app.test_client(), make_user, token_for)
    agent = token_for(make_user("agent"))
    ticket = client.post(
        "/api/v1/tickets",
        json={"external_ref": "T-fout", "subject": "Storing", "channel": "phone"},
        headers=agent,
    ).json["id"]

    def answers(slug: str, headers: dict | None) -> list:
        got = [
            client.post(
                f"/api/v1/documents/{slug}/feedback", json={"helpful": True}, headers=headers
            ),
            client.post(
                f"/api/v1/documents/{slug}/comments", json={"body": "Klopt dit?"}, headers=headers
            ),
            client.get(f"/api/v1/documents/{slug}/revisions", headers=headers),
            client.get(f"/api/v1/documents/{slug}?revision=1", headers=headers),
        ]
        if headers:
            got.append(
                client.post(
                    f"/api/v1/tickets/{ticket}/resolve", json={"document": slug}, headers=headers
                )
            )
        return [(r.status_code, r.get_data(as_text=True).replace(slug, "SLUG")) for r in got]

    for slugs, headers in ((HIDDEN_SLUGS, None), (HIDDEN_FROM_AGENTS, agent)):
        missing = answers("bestaat-niet", headers)
        for slug in slugs:
            got = answers(slug, headers)
            assert got == missing, slug
            for _, body in got:
                assert WORD not in body.lower() and DRAFT_WORD not in body.lower()


@pytest.mark.xfail(
    strict=True,
    reason="kb/search/whoosh/backend.py:_facets orders facet values by document number, "
    "so drafts an agent may not read reorder the agent's facets",
)
def test_drafts_do_not_reorder_an_agents_facets(app, client, make_document, make_user, token_for):
    if app.config.get("KB_SEARCH_BACKEND") == "postgres":
        pytest.skip("PostgreSQL's GROUP BY order is its own; this is about the Whoosh backend")
    public_documents(make_document)
    hidden_from_anonymous(app, make_document, app.test_client(), make_user, token_for)
    agent = token_for(make_user("agent"))
    before = client.get("/api/v1/search?q=storing", headers=agent).json["facets"]
    hidden_from_agents(app, make_document, app.test_client(), make_user, token_for)
    after = client.get("/api/v1/search?q=storing", headers=agent).json["facets"]
    assert after == before  # the same counts: nothing is leaked but the order
    assert [list(v) for v in after.values()] == [list(v) for v in before.values()]


def test_a_ticket_shows_an_agent_no_draft_of_the_document_that_solved_it(
    app, client, make_document, make_user, token_for
):
    """A ticket solved with a document that was edited or unpublished since shows the agent
    neither the pending edit nor the unpublished document."""
    public_documents(make_document)
    make_document("Intern stappenplan", "Eerst de router.", slug="intern-2", audience="internal")
    agent = make_user("agent")
    assert login(client, agent).status_code in (302, 303)
    headers = token_for(agent)
    tickets = []
    for n, slug in enumerate(("router-herstarten", "intern-2")):
        made = client.post(
            "/api/v1/tickets",
            json={"external_ref": f"T-{n}", "subject": "Geen internet", "channel": "phone"},
            headers=headers,
        ).json["id"]
        solved = client.post(
            f"/api/v1/tickets/{made}/resolve", json={"document": slug}, headers=headers
        )
        assert solved.status_code == 200, solved.get_data(as_text=True)
        tickets.append(made)
    asked = ["/tickets", "/console/tickets", "/console"]
    asked += [f"/tickets/{t}" for t in tickets] + [f"/api/v1/tickets/{t}" for t in tickets]
    before = {url: fetch(client, url, headers) for url in asked}
    assert b"Intern stappenplan" in before[f"/tickets/{tickets[1]}"][1]
    with app.app_context():
        for slug in ("router-herstarten", "intern-2"):
            doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
            change = DocumentUpdate(title=f"Titel {DRAFT_WORD}", body=f"Over {DRAFT_WORD}.")
            service.save_revision(doc, SYSTEM, doc.current_number, change)
        service.unpublish(doc, SYSTEM)  # intern-2 is a draft now
    after = {url: fetch(client, url, headers) for url in asked}
    assert_no_word(after, [DRAFT_WORD])
    for url in asked:
        assert after[url][0] == 200, url
    assert comparable(after[f"/api/v1/tickets/{tickets[0]}"]) == comparable(
        before[f"/api/v1/tickets/{tickets[0]}"]
    )
    assert b"Intern stappenplan" not in after[f"/tickets/{tickets[1]}"][1]
    assert b"intern-2" not in after[f"/api/v1/tickets/{tickets[1]}"][1]
