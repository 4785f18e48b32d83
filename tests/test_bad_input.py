"""Bad input gets a 4xx with a clear detail, never a 500: the API and the web forms alike.

With TESTING on, an exception in a view propagates: a 500 would fail these tests loudly.
"""

import pytest

BIG = 10**30


@pytest.fixture
def supervisor(make_user, token_for):
    return token_for(make_user("supervisor"))


@pytest.fixture
def slug(make_document):
    return make_document("Factuur betalen", "Betaal uw factuur op tijd.")


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["detail"]
    return body


def test_deeply_nested_json_on_the_feedback_endpoint_is_a_400_for_anyone(client, slug):
    url = f"/api/v1/documents/{slug}/feedback"
    for raw in ("[" * 100_000, '{"helpful": true, "x": ' + "[" * 5000 + "]" * 5000 + "}"):
        body = _problem(client.post(url, data=raw, content_type="application/json"), 400)
        assert "nested" in body["detail"]
    # A plain vote still counts afterwards.
    assert client.post(url, json={"helpful": True}).status_code == 201


@pytest.mark.parametrize(
    ("method", "url", "payload"),
    [
        ("GET", "/api/v1/documents/{slug}?revision={big}", None),
        ("GET", "/api/v1/documents/{slug}/diff?from={big}&to=1", None),
        ("POST", "/api/v1/documents/{slug}/publish", {"revision": BIG}),
        ("POST", "/api/v1/documents/{slug}/restore", {"revision": BIG}),
        ("PUT", "/api/v1/documents/{slug}", {"base_revision": BIG, "title": "Nieuw"}),
        ("GET", "/api/v1/tickets/{big}", None),
        ("POST", "/api/v1/tickets/{big}/notes", {"body": "Teruggebeld."}),
        ("POST", "/api/v1/tickets/{big}/reopen", None),
        ("POST", "/api/v1/tickets/{big}/resolve", {"request_id": 1}),
        ("POST", "/api/v1/requests/{big}/fulfil", {"document": "factuur-betalen"}),
        ("POST", "/api/v1/requests/{big}/reject", {"reason": "Bestaat al."}),
    ],
)
def test_very_large_integers_are_a_4xx(client, slug, supervisor, method, url, payload):
    response = client.open(
        url.format(slug=slug, big=BIG), method=method, headers=supervisor, json=payload
    )
    if "{big}" in url.split("?")[0]:
        _problem(response, 404)  # an id no row can have: nothing there
    else:
        body = _problem(response, 422)
        assert "2147483647" in body["detail"]


def test_a_large_integer_inside_a_nested_body_names_its_field(client, supervisor):
    created = client.post(
        "/api/v1/tickets",
        headers=supervisor,
        json={"external_ref": "T-9", "subject": "Wifi traag", "channel": "phone"},
    )
    ticket = created.get_json()["id"]
    response = client.post(
        f"/api/v1/tickets/{ticket}/resolve", headers=supervisor, json={"request_id": BIG}
    )
    assert _problem(response, 422)["errors"] == {
        "request_id": "Geef een getal van 1 tot 2147483647."
    }


@pytest.mark.parametrize(
    ("raw", "status", "needle"),
    [
        (b'{"helpful": tru', 400, "not valid JSON"),  # malformed
        (b'{"helpful": true, "x": "\xff\xfe"}', 400, "not valid JSON"),  # invalid UTF-8
        (b'{"helpful": NaN}', 400, "NaN"),
        (b'{"helpful": true, "x": 1e999999}', 422, ""),  # infinity: an unknown field anyway
        (b"[true]", 422, "JSON object"),
        (b'{"helpful": "ja"}', 422, "true of false"),  # wrong type
        (b'{"helpful": true, "stars": 5}', 422, "Onbekend veld"),  # unknown field
        (b'{"helpful": true, "x": "' + b"1" * 5000 + b'"}', 422, "Onbekend veld"),
        (b'{"helpful": ' + b"1" * 5000 + b"}", 400, "not valid JSON"),  # digits beyond Python's
    ],
)
def test_malformed_and_wrong_bodies(client, slug, raw, status, needle):
    response = client.post(
        f"/api/v1/documents/{slug}/feedback", data=raw, content_type="application/json"
    )
    assert needle in _problem(response, status)["detail"]


@pytest.mark.parametrize(
    ("text", "message"),
    [("Mist\u0000stap 3", "NUL"), ("Mist \\ud800 stap", "ongeldig teken")],
)
def test_text_no_database_can_store_is_a_422_naming_the_field(
    client, slug, make_user, token_for, text, message
):
    agent = token_for(make_user("agent"))
    escaped = text.replace("\u0000", "\\u0000")
    raw = f'{{"body": "{escaped}"}}'
    response = client.post(
        f"/api/v1/documents/{slug}/comments",
        headers=agent,
        data=raw.encode(),
        content_type="application/json",
    )
    body = _problem(response, 422)
    assert list(body["errors"]) == ["body"] and message in body["errors"]["body"]


def test_oversized_body_is_a_413_with_the_limit(client, slug):
    raw = b'{"helpful": true, "x": "' + b"a" * (3 * 1024 * 1024) + b'"}'
    response = client.post(
        f"/api/v1/documents/{slug}/feedback", data=raw, content_type="application/json"
    )
    assert "larger than the server accepts" in _problem(response, 413)["detail"]


def test_bad_slugs_unknown_enums_and_huge_query_strings(client, slug):
    for bad in ("Hoofd-Letters", "a" * 500, "%C3%A9%C3%A9n", "..", "a%2Fb"):
        _problem(client.get(f"/api/v1/documents/{bad}"), 404)
    _problem(client.get("/api/v1/documents/a%00b"), 400)
    body = _problem(client.get("/api/v1/documents?kind=faq"), 422)
    assert "article" in body["errors"]["kind"] and "script" in body["errors"]["kind"]
    assert "q" in _problem(client.get("/api/v1/search?q=" + "x" * 5000), 422)["errors"]
    body = _problem(client.get("/api/v1/search?q=x&" + "&".join(["a=1"] * 5000)), 414)
    assert "query string" in body["detail"]
    _problem(client.get("/api/v1/search?q=%00"), 400)


def test_web_forms_refuse_bad_input_with_a_page_not_a_500(client, slug):
    vote = f"/artikel/{slug}/stem"
    token = client.csrf_token()
    # Invalid UTF-8 in a form value: not a choice the form knows, a 400 page.
    raw = b"csrf_token=" + token.encode() + b"&helpful=%FF%FE"
    response = client.post(vote, data=raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and "Ongeldig verzoek" in response.get_data(as_text=True)
    # NUL in a form value, and a form far beyond the size limit.
    response = client.post_form(vote, {"helpful": "ja\x00"})
    assert response.status_code == 400
    response = client.post_form(vote, {"helpful": "ja", "x": "a" * (3 * 1024 * 1024)})
    assert response.status_code == 413 and "Te groot" in response.get_data(as_text=True)
    # A huge search on the page is cut to its limit; a huge query string is a 414 page.
    assert client.get("/zoeken?q=" + "wifi " * 1000).status_code == 200
    response = client.get("/zoeken?q=x&" + "&".join(["a=1"] * 5000))
    assert response.status_code == 414 and "Adres te lang" in response.get_data(as_text=True)
    # The login form with invalid UTF-8: refused like any wrong sign-in, not a crash.
    raw = b"csrf_token=" + token.encode() + b"&email=%FF%FE%40x.nl&password=%FF"
    response = client.post("/inloggen", data=raw, content_type="application/x-www-form-urlencoded")
    assert 400 <= response.status_code < 500
    # Nothing of it counted as a vote.
    assert "Bedankt voor uw reactie" not in client.get(f"/artikel/{slug}").get_data(as_text=True)


def test_web_pages_with_huge_ids_are_404_not_500(client, login_as):
    login_as("supervisor")
    assert client.get(f"/tickets/{BIG}").status_code == 404


def test_staff_pages_and_forms_with_huge_numbers_are_4xx(client, slug, login_as):
    login_as("admin")
    for url in (f"/artikel/{slug}/vergelijk?van={BIG}&naar=1", f"/beheer/audit?page={BIG}"):
        response = client.get(url)
        assert 400 <= response.status_code < 500, url
    for url in (f"/artikel/{slug}/herstel", f"/artikel/{slug}/publiceren"):
        response = client.post_form(url, {"revision": str(BIG)})
        assert 400 <= response.status_code < 500, url
    # The document is as it was: still revision 1, published.
    assert client.get(f"/api/v1/documents/{slug}").get_json()["revision"] == 1
