"""The documents API: validation, problem+json errors, conflicts, history, diff, restore."""

import re

import pytest


@pytest.fixture
def editor_headers(make_user, token_for):
    return token_for(make_user("editor"))


def create(client, headers, **fields):
    body = {
        "kind": "article",
        "title": "Factuur betalen",
        "body": "Betaal **op tijd**.",
        "audience": "public",
        "category": "facturen-en-betalen",
        "tags": ["factuur"],
        **fields,
    }
    return client.post("/api/v1/documents", json=body, headers=headers)


def test_create_edit_publish_roundtrip(client, editor_headers):
    response = create(client, editor_headers)
    assert response.status_code == 201
    doc = response.get_json()
    assert doc["slug"] == "factuur-betalen" and doc["revision"] == 1 and doc["status"] == "draft"
    assert "<strong>op tijd</strong>" in doc["html"]

    response = client.put(
        "/api/v1/documents/factuur-betalen",
        headers=editor_headers,
        json={"base_revision": 1, "body": "Betaal binnen 14 dagen.", "message": "termijn"},
    )
    assert response.status_code == 200
    assert response.get_json()["revision"] == 2

    response = client.post(
        "/api/v1/documents/factuur-betalen/publish", headers=editor_headers, json={}
    )
    assert response.get_json()["published_revision"] == 2
    public = client.get("/api/v1/documents/factuur-betalen").get_json()
    assert public["body"] == "Betaal binnen 14 dagen." and public["status"] == "published"

    response = client.post("/api/v1/documents/factuur-betalen/unpublish", headers=editor_headers)
    assert response.get_json()["status"] == "draft"
    assert client.get("/api/v1/documents/factuur-betalen").status_code == 404


def test_stale_base_revision_is_409_naming_current(client, editor_headers):
    create(client, editor_headers)
    client.put(
        "/api/v1/documents/factuur-betalen",
        headers=editor_headers,
        json={"base_revision": 1, "body": "Versie van A."},
    )
    response = client.put(
        "/api/v1/documents/factuur-betalen",
        headers=editor_headers,
        json={"base_revision": 1, "body": "Versie van B."},
    )
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert problem["current_revision"] == 2 and "revision 2" in problem["detail"]
    doc = client.get("/api/v1/documents/factuur-betalen", headers=editor_headers).get_json()
    assert doc["body"] == "Versie van A." and doc["revision"] == 2


def test_stale_edit_409_carries_the_three_way_merge(client, editor_headers):
    create(client, editor_headers, body="# Betalen\n\nBetaal op tijd.\nVragen? Bel ons.")
    url = "/api/v1/documents/factuur-betalen"
    a = {"base_revision": 1, "body": "# Facturen betalen\n\nBetaal op tijd.\nVragen? Bel ons."}
    assert (
        client.put(
            url, headers=editor_headers, json={**a, "tags": ["factuur", "ideal"]}
        ).status_code
        == 200
    )
    # B, still on revision 1, adds a line at the end and changes the title: no overlap.
    b = {"base_revision": 1, "body": "# Betalen\n\nBetaal op tijd.\nVragen? Bel ons.\nOf chat."}
    response = client.put(url, headers=editor_headers, json={**b, "title": "Op tijd betalen"})
    assert response.status_code == 409 and response.content_type == "application/problem+json"
    problem = response.get_json()
    assert problem["current_revision"] == 2 and "revision 2" in problem["detail"]
    merge = problem["merge"]
    assert merge["clean"] is True and merge["conflicts"] == []
    assert (merge["base_revision"], merge["current_revision"]) == (1, 2)
    assert merge["body"] == "# Facturen betalen\n\nBetaal op tijd.\nVragen? Bel ons.\nOf chat."
    fields = merge["fields"]
    assert fields["title"] == {
        "base": "Factuur betalen",
        "mine": "Op tijd betalen",
        "theirs": "Factuur betalen",
        "changed_by": "mine",
        "merged": "Op tijd betalen",
    }
    assert fields["tags"]["changed_by"] == "theirs"
    assert fields["tags"]["merged"] == ["factuur", "ideal"]
    assert fields["channel"]["merged"] is None and fields["channel"]["changed_by"] == "nobody"

    # Saving what the merge says keeps both changes.
    saved = client.put(
        url,
        headers=editor_headers,
        json={
            "base_revision": merge["current_revision"],
            "body": merge["body"],
            **{k: f["merged"] for k, f in fields.items() if k != "channel"},
        },
    )
    assert saved.status_code == 200
    doc = saved.get_json()
    assert doc["revision"] == 3 and doc["title"] == "Op tijd betalen"
    assert doc["body"].startswith("# Facturen betalen") and doc["body"].endswith("Of chat.")
    assert doc["tags"] == ["factuur", "ideal"]

    # Overlap: both change the same line, and the tags both ways.
    client.put(
        url,
        headers=editor_headers,
        json={"base_revision": 3, "body": "Betaal binnen 14 dagen.", "tags": ["a"]},
    )
    overlap = client.put(
        url,
        headers=editor_headers,
        json={"base_revision": 3, "body": "Betaal binnen 30 dagen.", "tags": ["b"]},
    )
    merge = overlap.get_json()["merge"]
    assert overlap.status_code == 409 and merge["clean"] is False
    [block] = merge["conflicts"]
    assert block["index"] == 0 and block["line"] == 1
    assert (block["mine"], block["theirs"]) == (
        "Betaal binnen 30 dagen.",
        "Betaal binnen 14 dagen.",
    )
    assert block["base"].startswith("# Facturen betalen")
    assert "<<<<<<< mijn versie" in merge["body"] and ">>>>>>> hun versie" in merge["body"]
    assert merge["fields"]["tags"]["changed_by"] == "conflict"
    assert merge["fields"]["tags"]["merged"] is None
    assert "2 conflict(s)" in overlap.get_json()["detail"]


def test_malformed_json_is_400_problem(client, editor_headers):
    response = client.post(
        "/api/v1/documents",
        data="{kapot",
        headers={**editor_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert "not valid JSON" in response.get_json()["detail"]


def test_validation_422_names_every_bad_field(client, editor_headers):
    response = create(
        client, editor_headers, kind="brochure", title="", tags="geen lijst", colour="rood"
    )
    assert response.status_code == 422
    problem = response.get_json()
    assert {"kind", "title", "tags", "colour"} <= set(problem["errors"])
    for field in ("kind", "title", "tags", "colour"):
        assert field in problem["detail"]
    response = client.put(
        "/api/v1/documents/x", headers=editor_headers, json={"body": "zonder basis"}
    )
    assert response.status_code == 422 and "base_revision" in response.get_json()["errors"]


def test_domain_rules_are_422_too(client, editor_headers):
    create(client, editor_headers)
    response = create(client, editor_headers)  # same slug again
    assert response.status_code == 422 and "slug" in response.get_json()["errors"]
    response = create(client, editor_headers, kind="script", title="Begroeting")  # no channel
    assert response.status_code == 422 and "channel" in response.get_json()["errors"]
    response = create(client, editor_headers, kind="script", title="Fax", channel="fax")
    assert response.status_code == 422
    assert "phone" in response.get_json()["errors"]["channel"]  # names the allowed values
    response = create(client, editor_headers, kind="script", title="Begroeting", channel="phone")
    assert response.status_code == 201
    script = response.get_json()
    assert (script["kind"], script["channel"], script["audience"]) == (
        "script",
        "phone",
        "internal",
    )
    response = create(client, editor_headers, title="Haken", body="[" * 10_000)
    assert response.status_code == 422 and "body" in response.get_json()["errors"]


def test_list_filters_and_paging(client, make_document):
    for n in range(5):
        make_document(f"Storing {n}", "Tekst", category="storingen")
    make_document("Factuur", "Tekst", category="facturen")
    make_document("Verborgen concept", "Tekst", category="storingen", publish=False)
    data = client.get("/api/v1/documents?category=storingen&limit=2&page=2").get_json()
    assert data["total"] == 5 and data["pages"] == 3 and len(data["items"]) == 2
    assert client.get("/api/v1/documents?kind=brochure").status_code == 422
    assert client.get("/api/v1/documents?page=0").status_code == 422


def test_history_diff_and_restore(client, editor_headers):
    create(client, editor_headers, body="Regel een.")
    client.put(
        "/api/v1/documents/factuur-betalen",
        headers=editor_headers,
        json={"base_revision": 1, "body": "Regel twee."},
    )
    history = client.get(
        "/api/v1/documents/factuur-betalen/revisions", headers=editor_headers
    ).get_json()
    assert [r["number"] for r in history["revisions"]] == [2, 1]

    diff = client.get(
        "/api/v1/documents/factuur-betalen/diff?from=1&to=2", headers=editor_headers
    ).get_json()
    assert "-Regel een." in diff["unified"] and "+Regel twee." in diff["unified"]
    assert {"op": "-", "text": "Regel een."} in diff["lines"]
    assert (
        client.get(
            "/api/v1/documents/factuur-betalen/diff?from=1", headers=editor_headers
        ).status_code
        == 422
    )

    old = client.get(
        "/api/v1/documents/factuur-betalen?revision=1", headers=editor_headers
    ).get_json()
    assert old["body"] == "Regel een." and old["revision"] == 1

    restored = client.post(
        "/api/v1/documents/factuur-betalen/restore", headers=editor_headers, json={"revision": 1}
    ).get_json()
    assert restored["revision"] == 3 and restored["body"] == "Regel een."
    response = client.post(
        "/api/v1/documents/factuur-betalen/restore", headers=editor_headers, json={"revision": 9}
    )
    assert response.status_code == 404


def test_feedback_and_comments(client, make_document, make_user, token_for):
    slug = make_document("Wifi traag", "Zet de Thuisbox anders neer.")
    response = client.post(f"/api/v1/documents/{slug}/feedback", json={"helpful": True})
    assert response.status_code == 201 and response.get_json()["revision"] == 1
    assert (
        client.post(f"/api/v1/documents/{slug}/feedback", json={"helpful": "ja"}).status_code == 422
    )
    assert (
        client.post(f"/api/v1/documents/{slug}/comments", json={"body": "Mist stap 3"}).status_code
        == 401
    )
    agent = token_for(make_user("agent"))
    response = client.post(
        f"/api/v1/documents/{slug}/comments",
        headers=agent,
        json={"body": "Mist stap 3", "kind": "suggestion"},
    )
    assert response.status_code == 201 and response.get_json()["kind"] == "suggestion"


def test_bad_token_is_401_and_cookie_is_not_used(client, login_as):
    assert (
        client.get("/api/v1/documents", headers={"Authorization": "Bearer nope"}).status_code == 401
    )
    login_as("admin")  # a logged-in browser session must not grant API rights
    response = client.post("/api/v1/documents", json={"kind": "article", "title": "X"})
    assert response.status_code == 401


def test_writes_need_the_right_role(client, make_user, token_for, make_document):
    slug = make_document("Beleid compensatie", "Regels.", category="beleid", audience="internal")
    agent = token_for(make_user("agent"))
    assert (
        client.post(
            "/api/v1/documents", headers=agent, json={"kind": "article", "title": "X"}
        ).status_code
        == 403
    )
    editor = token_for(make_user("editor"))
    response = client.put(
        f"/api/v1/documents/{slug}", headers=editor, json={"base_revision": 1, "body": "Nee"}
    )
    assert response.status_code == 403  # beleid needs a supervisor
    response = client.post(
        "/api/v1/documents",
        headers=editor,
        json={"kind": "article", "title": "Y", "min_edit_role": "admin"},
    )
    assert response.status_code == 403  # only supervisors choose who may edit
    supervisor = token_for(make_user("supervisor"))
    response = client.put(
        f"/api/v1/documents/{slug}", headers=supervisor, json={"base_revision": 1, "body": "Ja"}
    )
    assert response.status_code == 200 and response.get_json()["revision"] == 2


def test_openapi_document_is_generated_from_the_operations(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    put = spec["paths"]["/api/v1/documents/{slug}"]["put"]
    schema_ref = put["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert "base_revision" in schema["required"]
    assert "409" in put["responses"]
    # The 409 is documented with the merge a client gets (or an Idempotency-Key's problem).
    conflict_schema = put["responses"]["409"]["content"]["application/problem+json"]["schema"]
    refs = [s["$ref"] for s in conflict_schema.get("anyOf", [conflict_schema])]
    conflict = spec["components"]["schemas"][refs[0].rsplit("/", 1)[1]]
    assert {"current_revision", "merge"} <= set(conflict["properties"])
    merge_out = spec["components"]["schemas"]["MergeOut"]
    assert {"clean", "body", "conflicts", "fields"} <= set(merge_out["required"])
    block = spec["components"]["schemas"]["MergeConflictOut"]
    assert {"base", "mine", "theirs", "line"} <= set(block["properties"])
    # Other operations keep the plain problem.
    post = spec["paths"]["/api/v1/documents"]["post"]["responses"]["422"]
    assert post["content"]["application/problem+json"]["schema"]["$ref"].endswith("/Problem")
    assert set(spec["paths"]) >= {
        "/api/v1/documents",
        "/api/v1/documents/{slug}",
        "/api/v1/documents/{slug}/diff",
        "/api/v1/documents/{slug}/restore",
        "/api/v1/documents/{slug}/feedback",
    }
    kind = spec["components"]["schemas"]["DocumentCreate"]["properties"]["kind"]["$ref"]
    assert spec["components"]["schemas"][kind.rsplit("/", 1)[1]]["enum"] == ["article", "script"]
    # Query parameters refer to the same components, and every reference resolves.
    refs = re.findall(r"'\$ref': '#/components/schemas/([^']+)'", str(spec))
    assert refs and set(refs) <= set(spec["components"]["schemas"])


def test_metadata_changes_wait_for_publishing(client, editor_headers, make_document):
    slug = make_document(
        "Interne werkwijze",
        "Alleen voor medewerkers.",
        audience="internal",
        category="werkwijze",
        tags=["intern"],
    )
    response = client.put(
        f"/api/v1/documents/{slug}",
        headers=editor_headers,
        json={
            "base_revision": 1,
            "audience": "public",
            "category": "contact",
            "tags": ["openbaar"],
        },
    )
    assert response.status_code == 200
    draft = response.get_json()
    assert (draft["audience"], draft["category"], draft["tags"]) == (
        "public",
        "contact",
        ["openbaar"],
    )
    # Not published yet: customers still get a 404, and the live metadata is unchanged.
    assert client.get(f"/api/v1/documents/{slug}").status_code == 404
    listed = client.get("/api/v1/documents?category=werkwijze", headers=editor_headers).get_json()
    assert [d["slug"] for d in listed["items"]] == [slug]
    diff = client.get(
        f"/api/v1/documents/{slug}/diff?from=1&to=2", headers=editor_headers
    ).get_json()
    assert "-audience: internal" in diff["unified"] and "+audience: public" in diff["unified"]
    client.post(f"/api/v1/documents/{slug}/publish", headers=editor_headers, json={})
    public = client.get(f"/api/v1/documents/{slug}").get_json()
    assert (public["audience"], public["category"], public["tags"]) == (
        "public",
        "contact",
        ["openbaar"],
    )
    # Publishing revision 1 again brings its metadata back.
    client.post(f"/api/v1/documents/{slug}/publish", headers=editor_headers, json={"revision": 1})
    assert client.get(f"/api/v1/documents/{slug}").status_code == 404


def test_openapi_declares_every_path_parameter_with_its_type(client):
    spec = client.get("/api/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        wanted = set(re.findall(r"{(\w+)}", path))
        for method, op in operations.items():
            declared = {
                p["name"]: p["schema"]["type"] for p in op["parameters"] if p["in"] == "path"
            }
            assert set(declared) == wanted, (method, path, declared)
    notes = spec["paths"]["/api/v1/tickets/{ticket_id}/notes"]["post"]["parameters"]
    assert {
        "name": "ticket_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer"},
    } in notes
    slug = spec["paths"]["/api/v1/documents/{slug}"]["get"]["parameters"][0]
    assert slug["schema"] == {"type": "string"}
