"""Request ids and the request log: one line per request, nothing private in it."""

import json

import pytest

from kb import create_app


@pytest.fixture
def make_app(tmp_path, capsys):
    """An app created inside the test, so its log handler writes to the captured stderr."""

    def make(**overrides):
        app = create_app({"TESTING": True, "KB_DATA_DIR": str(tmp_path / "data"), **overrides})
        return app

    return make


def _lines(capsys, request_id):
    return [line for line in capsys.readouterr().err.splitlines() if request_id in line]


def test_a_request_gets_an_id_and_one_log_line_without_query_string(make_app, capsys):
    client = make_app().test_client()
    response = client.get("/healthz?q=jan@example.nl&token=geheim")
    rid = response.headers["X-Request-Id"]
    assert len(rid) >= 8
    lines = _lines(capsys, rid)
    assert len(lines) == 1
    assert "GET /healthz 200" in lines[0]
    assert "jan@example.nl" not in lines[0] and "geheim" not in lines[0]


def test_a_well_formed_incoming_id_is_kept_a_bad_one_replaced(make_app):
    client = make_app().test_client()
    kept = client.get("/healthz", headers={"X-Request-Id": "lb-1234abcd"})
    assert kept.headers["X-Request-Id"] == "lb-1234abcd"
    bad = client.get("/healthz", headers={"X-Request-Id": 'x" onmouseover=alert(1)'})
    assert bad.headers["X-Request-Id"] != 'x" onmouseover=alert(1)'
    assert len(bad.headers["X-Request-Id"]) >= 8


def test_json_lines_when_asked(make_app, capsys):
    client = make_app(KB_LOG_FORMAT="json").test_client()
    rid = client.get("/healthz").headers["X-Request-Id"]
    entry = json.loads(_lines(capsys, rid)[0])
    assert entry["request_id"] == rid
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/healthz", 200)
    assert entry["duration_ms"] >= 0


def test_e_mail_addresses_and_invitation_secrets_in_paths_are_masked(make_app, capsys):
    client = make_app(PROPAGATE_EXCEPTIONS=False).test_client()
    rid = client.get("/uitnodiging/s3cr3t-invitation-value").headers["X-Request-Id"]
    rid2 = client.get("/artikel/jan@example.nl").headers["X-Request-Id"]
    err = capsys.readouterr().err
    assert "s3cr3t-invitation-value" not in err
    assert "jan@example.nl" not in err
    assert rid in err and rid2 in err


def test_a_crash_logs_its_traceback_once_with_the_request_id(make_app, capsys):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/_test/crash")
    def crash():
        raise RuntimeError("kapot")

    response = app.test_client().get("/_test/crash")
    assert response.status_code == 500
    rid = response.headers["X-Request-Id"]
    err = capsys.readouterr().err
    assert err.count("Traceback") == 1
    assert err.count("RuntimeError: kapot") == 1
    error_line = next(line for line in err.splitlines() if "Exception on /_test/crash" in line)
    assert rid in error_line
    assert f"[{rid}] GET /_test/crash 500" in err


def test_a_server_error_page_shows_the_request_id_the_log_carries(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/_test/stuk")
    def broken():
        raise RuntimeError("kapot")

    client = app.test_client()
    response = client.get("/_test/stuk", headers={"X-Request-Id": "lb-abcdef123"})
    assert response.status_code == 500
    assert "Foutcode: lb-abcdef123" in response.get_data(as_text=True)
    # A 404 stays byte-identical for every missing or hidden slug: no per-request reference.
    missing = client.get("/_test/bestaat-niet", headers={"X-Request-Id": "lb-1234567a"})
    assert missing.status_code == 404
    assert "Foutcode" not in missing.get_data(as_text=True)
