"""The Host header: a forged one never changes what other clients receive, and with
KB_TRUSTED_HOSTS set a request for any other host is refused with 400."""

import pytest

from kb import create_app
from kb.config import ConfigError

pytestmark = pytest.mark.search


def urls(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    data = response.get_json()
    return [r["url"] for r in data.get("results", data.get("suggestions", []))]


def test_a_forged_host_never_reaches_other_clients(client, make_document):
    slug = make_document("Storing melden", "Meld een storing bij de storingslijn.")
    for _ in range(4):  # what poisoned the shared result cache before
        client.get("/api/v1/search?q=storing", headers={"Host": "evil.example"})
        client.get("/api/v1/search/suggest?q=stor", headers={"Host": "evil.example"})
    for _ in range(10):
        found = urls(client.get("/api/v1/search?q=storing"))
        suggested = urls(client.get("/api/v1/search/suggest?q=stor"))
        assert len(found) == len(suggested) == 1
        for url in (*found, *suggested):
            assert url.startswith("http://localhost/") and url.endswith(f"/{slug}")
    # A client on another (real) host name gets its own links, from the same cache.
    other = urls(client.get("/api/v1/search?q=storing", headers={"Host": "kb.example"}))
    assert other[0].startswith("http://kb.example/")
    page = client.get("/zoeken?q=storing", headers={"Host": "kb.example"}).text
    assert "evil.example" not in page


@pytest.fixture
def guarded(app, sibling_app):
    """The same database and index, served with KB_TRUSTED_HOSTS set."""
    return sibling_app(
        KB_DATA_DIR=app.config["KB_DATA_DIR"],
        KB_TRUSTED_HOSTS="kb.example, .polderlink.example",
    )


def test_trusted_hosts_refuse_every_other_host(guarded, make_document):
    slug = make_document("Storing melden", "Meld een storing.")
    client = guarded.test_client()
    for path in ("/api/v1/search?q=storing", "/api/v1/search/suggest?q=stor"):
        refused = client.get(path, headers={"Host": "evil.example"})
        assert refused.status_code == 400
        assert refused.content_type == "application/problem+json"
    assert client.get("/zoeken?q=storing", headers={"Host": "evil.example"}).status_code == 400
    for host in ("kb.example", "hulp.polderlink.example", "kb.example:8443"):
        found = urls(client.get("/api/v1/search?q=storing", headers={"Host": host}))
        assert found == [f"http://{host}{found[0][len('http://' + host) :]}"]
        assert found[0].endswith(f"/{slug}")


def test_trusted_hosts_setting(monkeypatch, tmp_path):
    def hosts(value):
        app = create_app({"KB_DATA_DIR": str(tmp_path), "KB_TRUSTED_HOSTS": value})
        return app.config["TRUSTED_HOSTS"]

    assert hosts(" kb.example , .Polderlink.example,, ") == ["kb.example", ".polderlink.example"]
    assert hosts("") is None  # unset or empty: no restriction, as before
    with pytest.raises(ConfigError, match="without scheme or port"):
        hosts("https://kb.example")
    monkeypatch.setenv("KB_TRUSTED_HOSTS", "kb.example")
    assert create_app({"KB_DATA_DIR": str(tmp_path)}).config["TRUSTED_HOSTS"] == ["kb.example"]
