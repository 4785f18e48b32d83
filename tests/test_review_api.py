"""Review before publish through /api/v1: submit, list, approve, return, withdraw, and the
publish endpoint refusing editors where review is on."""

import pytest

from tests.review_helpers import DUTCH_REFUSAL, events, policy_doc, reviews, save, state


@pytest.fixture
def people(make_user, token_for):
    users = {role: make_user(role) for role in ("agent", "editor", "supervisor", "admin")}
    users["editor2"] = make_user("editor")
    headers = {name: token_for(user) for name, user in users.items()}
    headers["anonymous"] = {}
    return users, headers


def _submit(client, slug, headers, **body):
    return client.post(f"/api/v1/documents/{slug}/reviews", headers=headers, json=body)


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("agent", 403), ("editor", 201), ("supervisor", 201), ("admin", 201)],
)
def test_who_may_submit(app, client, make_document, people, role, status):
    slug = policy_doc(make_document)
    save(app, slug)
    response = _submit(client, slug, people[1][role], note="Graag kijken", acknowledge=True)
    assert response.status_code == status, response.get_json()
    if status == 201:
        body = response.get_json()
        assert body["document"] == slug and body["revision"] == 2 and body["status"] == "pending"
        assert body["note"] == "Graag kijken" and body["acknowledge"] is True
        assert body["submitted_by"] == people[0][role].email
        assert events(app)[-1][0] == "review.submit"
    else:
        assert reviews(app, slug) == []


def test_submitting_what_the_caller_may_not_read_or_what_needs_no_review(
    app, client, make_document, people
):
    headers = people[1]
    assert _submit(client, "bestaat-niet", headers["editor"]).status_code == 404
    slug = make_document("Factuur betalen", "Betaal op tijd.")  # review is off here
    save(app, slug)
    response = _submit(client, slug, headers["editor"])
    assert response.status_code == 422
    assert "zelf publiceren" in response.get_json()["errors"]["revision"]
    beleid = policy_doc(make_document)  # revision 1 is already published
    response = _submit(client, beleid, headers["editor"], revision=1)
    assert response.status_code == 422
    assert _submit(client, beleid, headers["editor"], revision=9).status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "agent", "editor", "supervisor", "admin"])
def test_listing_reviews(app, client, make_document, people, role):
    users, headers = people
    mine = policy_doc(make_document, "Compensatie")
    theirs = policy_doc(make_document, "Opzegtermijn")
    save(app, mine)
    save(app, theirs)
    assert _submit(client, mine, headers["editor"]).status_code == 201
    assert _submit(client, theirs, headers["editor2"]).status_code == 201

    response = client.get("/api/v1/reviews?status=pending", headers=headers[role])
    if role in ("anonymous", "agent"):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    documents = sorted(item["document"] for item in response.get_json()["items"])
    if role == "editor":
        assert documents == [mine]  # only their own
    else:
        assert documents == sorted([mine, theirs])
    assert client.get("/api/v1/reviews?status=nope", headers=headers[role]).status_code == 422


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("agent", 403), ("editor", 403), ("supervisor", 200), ("admin", 200)],
)
def test_who_may_approve(app, client, make_document, people, role, status):
    users, headers = people
    slug = policy_doc(make_document)
    save(app, slug)
    review_id = _submit(client, slug, headers["editor"], acknowledge=True).get_json()["id"]
    response = client.post(
        f"/api/v1/reviews/{review_id}/approve", headers=headers[role], json={"comment": "Goed."}
    )
    assert response.status_code == status, response.get_json()
    if status == 200:
        body = response.get_json()
        assert body["status"] == "approved" and body["decided_by"] == users[role].email
        assert body["comment"] == "Goed." and body["published_revision"] == 2
        # The submitter asked for acknowledgement and the approval kept it.
        assert state(app, slug) == {"status": "published", "current": 2, "published": 2, "ack": 2}
        assert [e[0] for e in events(app)] == ["review.submit", "review.approve"]
    else:
        assert state(app, slug)["published"] == 1
        assert reviews(app, slug)[0]["status"] == "pending"


def test_approve_can_drop_the_acknowledgement_and_twice_is_refused(
    app, client, make_document, people
):
    headers = people[1]
    slug = policy_doc(make_document)
    save(app, slug)
    review_id = _submit(client, slug, headers["editor"], acknowledge=True).get_json()["id"]
    url = f"/api/v1/reviews/{review_id}/approve"
    response = client.post(url, headers=headers["supervisor"], json={"acknowledge": False})
    assert response.status_code == 200
    assert state(app, slug)["ack"] is None
    again = client.post(url, headers=headers["supervisor"], json={})
    assert again.status_code == 422


def test_return_needs_a_comment_and_reaches_the_editor(app, client, make_document, people):
    users, headers = people
    slug = policy_doc(make_document)
    save(app, slug)
    review_id = _submit(client, slug, headers["editor"]).get_json()["id"]
    url = f"/api/v1/reviews/{review_id}/return"
    assert client.post(url, headers=headers["editor"], json={"comment": "x"}).status_code == 403
    assert client.post(url, headers=headers["supervisor"], json={}).status_code == 422
    response = client.post(url, headers=headers["supervisor"], json={"comment": "Bron erbij."})
    assert response.status_code == 200
    assert response.get_json()["status"] == "returned"
    assert state(app, slug)["published"] == 1

    returned = client.get("/api/v1/reviews?status=returned", headers=headers["editor"])
    [item] = returned.get_json()["items"]
    assert item["comment"] == "Bron erbij." and item["decided_by"] == users["supervisor"].email
    assert events(app)[-1][:2] == ("review.return", users["supervisor"].email)


def test_editors_cannot_bypass_review_through_publish(app, client, make_document, people):
    users, headers = people
    slug = policy_doc(make_document)
    save(app, slug)
    save(app, slug, body="Nog een versie.")
    for body in ({}, {"revision": 2}, {"revision": 3, "acknowledge": True}):
        response = client.post(
            f"/api/v1/documents/{slug}/publish", headers=headers["editor"], json=body
        )
        assert response.status_code == 403
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert DUTCH_REFUSAL in response.get_json()["detail"]
    assert state(app, slug)["published"] == 1
    assert [e[1] for e in events(app, "document.publish")] == [None]  # only the set-up's

    # A supervisor publishes directly: recorded as an approval.
    response = client.post(
        f"/api/v1/documents/{slug}/publish", headers=headers["supervisor"], json={"revision": 3}
    )
    assert response.status_code == 200
    approved = client.get("/api/v1/reviews?status=approved", headers=headers["supervisor"])
    [item] = approved.get_json()["items"]
    assert item["revision"] == 3 and item["decided_by"] == users["supervisor"].email


def test_withdraw_is_for_the_submitter(app, client, make_document, people):
    headers = people[1]
    slug = policy_doc(make_document)
    save(app, slug)
    review_id = _submit(client, slug, headers["editor"]).get_json()["id"]
    url = f"/api/v1/reviews/{review_id}/withdraw"
    assert client.post(url, headers=headers["editor2"]).status_code == 404  # not theirs to see
    assert client.post(url, headers=headers["supervisor"]).status_code == 403
    response = client.post(url, headers=headers["editor"])
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"
    assert client.get(f"/api/v1/reviews/{review_id}", headers=headers["agent"]).status_code == 404


def test_a_newer_publish_settles_older_submissions(app, client, make_document, people):
    headers = people[1]
    slug = policy_doc(make_document)
    save(app, slug)
    review_id = _submit(client, slug, headers["editor"]).get_json()["id"]
    save(app, slug, body="Nog beter.")
    listed = client.get("/api/v1/reviews", headers=headers["supervisor"]).get_json()["items"]
    assert listed[0]["outdated"] is True and listed[0]["current_revision"] == 3
    # The supervisor publishes revision 3 directly: the submission of 2 is moved past.
    client.post(f"/api/v1/documents/{slug}/publish", headers=headers["supervisor"], json={})
    item = client.get(f"/api/v1/reviews/{review_id}", headers=headers["supervisor"]).get_json()
    assert item["status"] == "withdrawn"
    assert client.get("/api/v1/reviews", headers=headers["supervisor"]).get_json()["total"] == 0


def test_the_review_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/v1/documents/{slug}/reviews"]
    assert "get" in paths["/api/v1/reviews"]
    assert "post" in paths["/api/v1/reviews/{review_id}/approve"]
    assert "post" in paths["/api/v1/reviews/{review_id}/return"]
