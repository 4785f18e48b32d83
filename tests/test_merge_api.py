"""Two API clients on one document: a stale PUT gets 409 with current_revision and the merge
(clean, body, conflicts); the client saves the merged body on the new base, or resolves the
conflicts it names first. Nothing either client wrote is lost."""

import pytest

PARAGRAPH = (
    "Werkt uw internet niet, dan kan er een storing zijn. Kijk op de storingspagina of er "
    "iets bekend is, en bel ons pas als daar niets staat."
)
BASE = f"# Storing\n\n{PARAGRAPH}\n\nWacht tien seconden."
URL = "/api/v1/documents/storing"


@pytest.fixture
def two(make_user, token_for):
    return token_for(make_user("editor")), token_for(make_user("editor"))


@pytest.fixture
def doc(client, two):
    body = {
        "kind": "article",
        "title": "Storing",
        "body": BASE,
        "audience": "public",
        "category": "storingen",
        "tags": ["storing"],
    }
    assert client.post("/api/v1/documents", json=body, headers=two[0]).status_code == 201


def test_edits_of_different_words_in_one_paragraph_merge_and_save_on_the_new_base(client, two, doc):
    a, b = two
    first = {"base_revision": 1, "body": BASE.replace("Werkt uw", "Doet uw")}
    assert client.put(URL, headers=a, json=first).status_code == 200
    second = {"base_revision": 1, "body": BASE.replace("bel ons", "bel de storingslijn")}
    stale = client.put(URL, headers=b, json={**second, "tags": ["storing", "wifi"]})
    assert stale.status_code == 409 and stale.content_type == "application/problem+json"
    problem = stale.get_json()
    assert problem["current_revision"] == 2
    merge = problem["merge"]
    both = BASE.replace("Werkt uw", "Doet uw").replace("bel ons", "bel de storingslijn")
    assert (merge["clean"], merge["body"], merge["conflicts"]) == (True, both, [])
    assert merge["fields"]["tags"]["merged"] == ["storing", "wifi"]

    saved = client.put(
        URL,
        headers=b,
        json={
            "base_revision": merge["current_revision"],
            "body": merge["body"],
            "tags": merge["fields"]["tags"]["merged"],
        },
    )
    assert saved.status_code == 200
    doc = saved.get_json()
    assert (doc["revision"], doc["body"], doc["tags"]) == (3, both, ["storing", "wifi"])


def test_overlapping_edits_name_each_conflict_and_save_once_resolved(client, two, doc):
    a, b = two
    theirs = BASE.replace("tien", "dertig").replace("Werkt uw", "Doet uw")
    assert client.put(URL, headers=a, json={"base_revision": 1, "body": theirs}).status_code == 200
    mine = BASE.replace("tien", "twintig").replace("bel ons", "bel de storingslijn")
    stale = client.put(URL, headers=b, json={"base_revision": 1, "body": mine})
    assert stale.status_code == 409
    merge = stale.get_json()["merge"]
    assert merge["clean"] is False
    [conflict] = merge["conflicts"]
    assert (conflict["base"], conflict["mine"], conflict["theirs"]) == (
        "Wacht tien seconden.",
        "Wacht twintig seconden.",
        "Wacht dertig seconden.",
    )
    # Saving the body with its markers would be a mistake a client can see coming: the
    # conflict's line is where the markers start.
    lines = merge["body"].split("\n")
    start = conflict["line"] - 1
    assert lines[start] == "<<<<<<< mijn versie"
    end = lines.index(">>>>>>> hun versie", start)
    resolved = "\n".join([*lines[:start], conflict["mine"], *lines[end + 1 :]])
    # The paragraph both changed in different words is merged already, outside the markers.
    assert "Doet uw internet" in resolved and "bel de storingslijn" in resolved

    saved = client.put(
        URL, headers=b, json={"base_revision": merge["current_revision"], "body": resolved}
    )
    assert saved.status_code == 200
    assert saved.get_json()["body"] == (
        BASE.replace("Werkt uw", "Doet uw")
        .replace("bel ons", "bel de storingslijn")
        .replace("tien", "twintig")
    )
