"""What the leak tests hide, and how they read and compare the answers (tests/test_leaks*.py).

WORD is only in what anonymous callers may not read: an internal article, a script, a policy
(`beleid`) document, the subjects of tickets resolved with an internal article, a comment on an
internal article and an article request. DRAFT_WORD is only in what agents may not read either:
a draft, an archived document, an unpublished revision of a public article and a review note.
LEARNED_WORD is only in ticket subjects, so it reaches search only as learned customer words.
"""

import json
import re

from kb.auth.models import SYSTEM
from kb.documents import service
from kb.documents.models import Document
from kb.documents.schemas import DocumentUpdate
from kb.extensions import db

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


VOLATILE = [
    re.compile(rb'(name="csrf-token" content=")[^"]+'),
    re.compile(rb'(name="csrf_token" type="hidden" value=")[^"]+'),
    re.compile(rb'(name="csrf_token" value=")[^"]+'),
    re.compile(rb'(nonce=")[^"]+'),
    re.compile(rb'(<p class="muted error-ref">)[^<]+'),  # an error page's Foutcode (request id)
]


def fetch(client, url: str, headers: dict | None = None) -> tuple[int, bytes]:
    """Status and body, with the session's CSRF token and any nonce blanked out."""
    response = client.get(url, headers=headers if url.startswith("/api/") else None)
    body = response.data
    for pattern in VOLATILE:
        body = pattern.sub(rb"\1-", body)
    return response.status_code, body


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
