"""/api/v1/tickets and /api/v1/requests: rights, the exactly-one rule, problem+json, OpenAPI."""

import pytest

from kb.tickets import service

TICKET = {"external_ref": "ZD-100", "subject": "Geen internet", "channel": "phone"}


@pytest.fixture
def agent_headers(agent, token_for):
    return token_for(agent)


@pytest.fixture
def editor_headers(editor, token_for):
    return token_for(editor)


def _ticket(client, headers, **fields) -> dict:
    response = client.post("/api/v1/tickets", json={**TICKET, **fields}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_create_note_resolve_and_read_a_ticket(client, agent_headers, make_document):
    slug = make_document("Storing melden", "Meld het via 0800.", audience="internal")
    ticket = _ticket(client, agent_headers, priority="urgent")
    assert ticket["status"] == "open" and ticket["priority"] == "urgent"
    assert ticket["first_response_at"] is None and ticket["resolution"] is None
    url = f"/api/v1/tickets/{ticket['id']}"
    response = client.post(
        f"{url}/notes",
        json={"kind": "agreement", "body": "Afgesproken: terugbellen dinsdag 10:00"},
        headers=agent_headers,
    )
    assert response.status_code == 201
    client.post(f"{url}/notes", json={"body": "Modem herstart."}, headers=agent_headers)
    response = client.post(f"{url}/resolve", json={"document": slug}, headers=agent_headers)
    assert response.status_code == 200
    body = client.get(url, headers=agent_headers).get_json()
    assert [n["body"] for n in body["agreements"]] == ["Afgesproken: terugbellen dinsdag 10:00"]
    assert [n["body"] for n in body["notes"]] == ["Modem herstart."]
    assert body["first_response_at"] is not None and body["resolved_at"] is not None
    assert body["resolution"] == {
        "document": slug,
        "revision": 1,
        "title": "Storing melden",
        "request_id": None,
    }
    again = client.post(f"{url}/resolve", json={"document": slug}, headers=agent_headers)
    assert again.status_code == 409
    assert again.content_type == "application/problem+json"
    reopened = client.post(f"{url}/reopen", headers=agent_headers).get_json()
    assert reopened["status"] == "open" and reopened["resolution"] is None


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "Er is niets gekozen."),
        ({"document": "x", "request_id": 1}, "U gaf document én request_id."),
        ({"request_id": 1, "request": {"title": "x"}}, "U gaf request_id én request."),
        ({"document": "x", "note": "y"}, "Onbekend veld: note."),
        ({"request": {}}, "Er is niets gekozen."),
    ],
)
def test_resolve_is_exactly_one_of_three(client, agent_headers, body, says):
    ticket = _ticket(client, agent_headers)
    response = client.post(
        f"/api/v1/tickets/{ticket['id']}/resolve", json=body, headers=agent_headers
    )
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert says in problem["detail"]
    assert "Geef precies één van: document" in problem["errors"]["body"]


def test_a_new_request_needs_a_title(client, agent_headers):
    ticket = _ticket(client, agent_headers)
    response = client.post(
        f"/api/v1/tickets/{ticket['id']}/resolve",
        json={"request": {"details": "zonder titel"}},
        headers=agent_headers,
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"request.title": "Dit veld is verplicht."}


def test_a_document_the_agent_may_not_read_answers_404_like_a_missing_one(
    client, agent_headers, make_document
):
    draft = make_document("Nieuwe tarieven", "Nog geheim.", publish=False)
    ticket = _ticket(client, agent_headers)
    url = f"/api/v1/tickets/{ticket['id']}/resolve"
    hidden = client.post(url, json={"document": draft}, headers=agent_headers)
    missing = client.post(url, json={"document": "bestaat-niet"}, headers=agent_headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == missing.get_json()
    assert draft not in hidden.get_data(as_text=True)
    unknown = client.post(url, json={"request_id": 999}, headers=agent_headers)
    assert unknown.status_code == 404


def test_an_unpublished_document_is_422_for_an_editor(client, editor_headers, make_document):
    draft = make_document("Concept", "Tekst.", publish=False)
    ticket = _ticket(client, editor_headers)
    response = client.post(
        f"/api/v1/tickets/{ticket['id']}/resolve", json={"document": draft}, headers=editor_headers
    )
    assert response.status_code == 422
    assert "niet gepubliceerd" in response.get_json()["errors"]["document"]


def test_personal_data_needs_confirm_personal_data(client, agent_headers):
    ticket = _ticket(client, agent_headers)
    url = f"/api/v1/tickets/{ticket['id']}/notes"
    note = {"body": "Terugbellen op 06 12345678"}
    response = client.post(url, json=note, headers=agent_headers)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["body"].startswith("Bewaar alleen wat nodig is: dit lijkt een telefoonnummer")
    assert "confirm_personal_data" in errors
    assert (
        client.get(f"/api/v1/tickets/{ticket['id']}", headers=agent_headers).get_json()["notes"]
        == []
    )
    response = client.post(url, json={**note, "confirm_personal_data": True}, headers=agent_headers)
    assert response.status_code == 201
    assert [n["body"] for n in response.get_json()["notes"]] == [note["body"]]
    subject = client.post(
        "/api/v1/tickets",
        json={**TICKET, "external_ref": "ZD-2", "subject": "Klant a.b@example.nl"},
        headers=agent_headers,
    )
    assert subject.status_code == 422 and "e-mailadres" in subject.get_json()["errors"]["subject"]


def test_requests_by_demand_fulfil_and_reject(
    client, agent_headers, editor_headers, make_document, make_request
):
    quiet = make_request("Stil")
    tickets = [_ticket(client, agent_headers, external_ref=f"ZD-{n}") for n in range(3)]
    first = client.post(
        f"/api/v1/tickets/{tickets[0]['id']}/resolve",
        json={"request": {"title": "Extender koppelen", "details": "WPS"}},
        headers=agent_headers,
    ).get_json()
    request_id = first["resolution"]["request_id"]
    client.post(
        f"/api/v1/tickets/{tickets[1]['id']}/resolve",
        json={"request_id": request_id},
        headers=agent_headers,
    )
    filed = client.post("/api/v1/requests", json={"title": "Los verzoek"}, headers=agent_headers)
    assert filed.status_code == 201 and filed.get_json()["status"] == "open"
    listing = client.get("/api/v1/requests", headers=agent_headers).get_json()["items"]
    assert [(r["id"], r["demand"]) for r in listing][:2] == [(request_id, 2), (quiet, 0)]
    assert listing[0]["tickets"] == [tickets[0]["id"], tickets[1]["id"]]

    draft = make_document("Extender koppelen", "Stappen.", publish=False)
    url = f"/api/v1/requests/{request_id}/fulfil"
    assert client.post(url, json={"document": draft}, headers=editor_headers).status_code == 422
    slug = make_document("Extender koppelen via WPS", "Druk op WPS.", audience="internal")
    done = client.post(url, json={"document": slug}, headers=editor_headers)
    assert done.status_code == 200
    assert done.get_json()["status"] == "done" and done.get_json()["document"] == slug
    assert done.get_json()["fulfilled_at"] is not None
    for t in tickets[:2]:
        resolution = client.get(f"/api/v1/tickets/{t['id']}", headers=agent_headers).get_json()[
            "resolution"
        ]
        assert resolution == {
            "document": slug,
            "revision": 1,
            "title": "Extender koppelen via WPS",
            "request_id": request_id,
        }
    assert client.post(url, json={"document": slug}, headers=editor_headers).status_code == 409
    assert client.get("/api/v1/requests?status=done", headers=agent_headers).get_json()["items"][0][
        "id"
    ] == (request_id)
    assert client.get("/api/v1/requests?status=later", headers=agent_headers).status_code == 422

    reject = f"/api/v1/requests/{quiet}/reject"
    assert client.post(reject, json={"reason": ""}, headers=editor_headers).status_code == 422
    rejected = client.post(reject, json={"reason": "Dubbel."}, headers=editor_headers).get_json()
    assert (rejected["status"], rejected["reason"]) == ("rejected", "Dubbel.")


def test_rights_anonymous_401_agents_handle_tickets_editors_decide_requests(
    app, client, agent_headers, editor_headers, make_request, make_ticket
):
    ticket = make_ticket()
    request_id = make_request()
    calls = [
        ("POST", "/api/v1/tickets", TICKET),
        ("GET", f"/api/v1/tickets/{ticket}", None),
        ("POST", f"/api/v1/tickets/{ticket}/notes", {"body": "x"}),
        ("POST", f"/api/v1/tickets/{ticket}/resolve", {"request_id": request_id}),
        ("POST", f"/api/v1/tickets/{ticket}/reopen", None),
        ("GET", "/api/v1/requests", None),
        ("POST", "/api/v1/requests", {"title": "x"}),
        ("POST", f"/api/v1/requests/{request_id}/fulfil", {"document": "x"}),
        ("POST", f"/api/v1/requests/{request_id}/reject", {"reason": "x"}),
    ]
    for method, url, body in calls:
        response = client.open(url, method=method, json=body)
        assert response.status_code == 401, url
        assert response.content_type == "application/problem+json"
    for method, url, body in calls[-2:]:
        response = client.open(url, method=method, json=body, headers=agent_headers)
        assert response.status_code == 403, url
    statuses = [
        client.open(url, method=method, json=body, headers=agent_headers).status_code
        for method, url, body in calls[:-2]
    ]
    assert statuses == [201, 200, 201, 200, 200, 200, 201]
    assert client.get("/api/v1/tickets/9999", headers=agent_headers).status_code == 404
    assert (
        client.post(
            "/api/v1/requests/9999/reject", json={"reason": "x"}, headers=editor_headers
        ).status_code
        == 404
    )
    response = client.post(
        f"/api/v1/requests/{request_id}/reject", json={"reason": "x"}, headers=editor_headers
    )
    assert response.status_code == 200
    with app.app_context():
        assert service.get_ticket(ticket).is_open  # re-opened by the matrix above


def test_every_ticket_operation_is_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    expected = {
        "/api/v1/tickets": {"post"},
        "/api/v1/tickets/{ticket_id}": {"get"},
        "/api/v1/tickets/{ticket_id}/notes": {"post"},
        "/api/v1/tickets/{ticket_id}/resolve": {"post"},
        "/api/v1/tickets/{ticket_id}/reopen": {"post"},
        "/api/v1/requests": {"get", "post"},
        "/api/v1/requests/{request_id}/fulfil": {"post"},
        "/api/v1/requests/{request_id}/reject": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
        for method in methods:
            assert paths[path][method]["security"] == [{"bearer": []}]
    resolve = paths["/api/v1/tickets/{ticket_id}/resolve"]["post"]
    assert {"404", "409", "422"} <= set(resolve["responses"])
    assert "agent" in resolve["description"]
    fulfil = paths["/api/v1/requests/{request_id}/fulfil"]["post"]
    assert "editor" in fulfil["description"]
