"""Many editors save on one base revision at the same moment, through the API: exactly one
new revision comes from that base, every other save gets a 409 with a merge proposal that
keeps both its own change and the winner's, and saving those proposals loses nobody's."""

import threading

import pytest

from kb.documents.models import Document, Revision
from kb.extensions import db

EDITORS = 32
PARAGRAPHS = [f"Alinea {i}: bel de klant binnen een werkdag terug." for i in range(EDITORS)]
BASE = "# Terugbellen\n\n" + "\n\n".join(PARAGRAPHS)


def edited(i: int) -> str:
    """Editor i's text: his own paragraph changed, nothing else (so no two edits overlap)."""
    return BASE.replace(PARAGRAPHS[i], PARAGRAPHS[i].replace("een werkdag", f"{i + 1} uur"))


@pytest.fixture
def editors(app, make_user, token_for):
    """A few editors, each thread with a bearer token of its own (tokens are cheap, users
    cost a password hash)."""
    people = [make_user("editor") for _ in range(4)]
    return [token_for(people[i % len(people)]) for i in range(EDITORS)]


def test_simultaneous_saves_on_one_base_make_one_revision_and_lose_nothing(
    app, make_document, editors
):
    slug = make_document("Terugbellen", BASE, category="klantcontact")
    url = f"/api/v1/documents/{slug}"
    barrier = threading.Barrier(EDITORS)
    answers: list = [None] * EDITORS

    def save(i: int) -> None:
        client = app.test_client()  # its own request contexts, so its own database session
        barrier.wait()
        response = client.put(url, headers=editors[i], json={"base_revision": 1, "body": edited(i)})
        answers[i] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=save, args=(i,)) for i in range(EDITORS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] + [409] * (EDITORS - 1)  # no 500, no lost update
    [winner] = [i for i, (status, _) in enumerate(answers) if status == 200]
    assert answers[winner][1]["revision"] == 2
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        numbers = db.session.scalars(
            db.select(Revision.number).where(Revision.document_id == doc.id)
        ).all()
        assert sorted(numbers) == [1, 2] and doc.current.body == edited(winner)

    winners_words = f"Alinea {winner}: bel de klant binnen {winner + 1} uur terug."
    losers = [i for i in range(EDITORS) if i != winner]
    for i in losers:
        problem = answers[i][1]
        assert problem["current_revision"] == 2
        merge = problem["merge"]
        # The proposal keeps the winner's change and this editor's own, ready to save.
        assert merge["clean"] is True and merge["conflicts"] == []
        assert (merge["base_revision"], merge["current_revision"]) == (1, 2)
        assert winners_words in merge["body"]
        assert f"Alinea {i}: bel de klant binnen {i + 1} uur terug." in merge["body"]

    # Each loser saves the proposal with the new base; one saved meanwhile means one more
    # 409 with a fresh proposal, which is saved in turn.
    client = app.test_client()
    for i in losers:
        merge = answers[i][1]["merge"]
        for _ in range(3):
            response = client.put(
                url,
                headers=editors[i],
                json={"base_revision": merge["current_revision"], "body": merge["body"]},
            )
            if response.status_code != 409:
                break
            merge = response.get_json()["merge"]
            assert merge["clean"] is True
        assert response.status_code == 200

    final = client.get(url, headers=editors[0]).get_json()
    assert final["revision"] == EDITORS + 1
    expected = BASE
    for i in range(EDITORS):
        expected = expected.replace(
            PARAGRAPHS[i], f"Alinea {i}: bel de klant binnen {i + 1} uur terug."
        )
    assert final["body"] == expected
