"""Issue 20: error messages and ticket pages leak nothing of hidden documents.

The secret words and where they hide: tests/leak_helpers.py.
"""

import pytest

from kb.auth.models import SYSTEM
from kb.documents import service
from kb.documents.models import Document
from kb.documents.schemas import DocumentUpdate
from kb.extensions import db
from tests.helpers import login
from tests.leak_helpers import (
    DRAFT_WORD,
    HIDDEN_FROM_AGENTS,
    HIDDEN_SLUGS,
    WORD,
    assert_no_word,
    comparable,
    fetch,
    hidden_from_agents,
    hidden_from_anonymous,
    public_documents,
)

pytestmark = pytest.mark.search


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
