"""Versioned static files (kb/static_files.py): every page asks for its style sheets and
scripts as /static/<file>?v=<hash of the contents>, which browsers may keep for a year; a new
file has a new hash, so nobody keeps seeing an old style sheet after a deploy."""

import hashlib
import re
from pathlib import Path

import pytest
from flask import url_for

from kb import static_files
from kb.static_files import LONG_CACHE_SECONDS, StaticVersions
from tests.helpers import login

ROOT = Path(__file__).resolve().parents[1]


def digest(name: str) -> str:
    return hashlib.sha256((ROOT / "static" / name).read_bytes()).hexdigest()[:12]


@pytest.fixture
def versioned(app):
    """The app with versioned static files (kb.create_app may already wire them)."""
    static_files.init_app(app)
    return app


def test_static_urls_carry_the_hash_of_the_file(versioned):
    with versioned.test_request_context("/"):
        assert url_for("static", filename="kb.css") == f"/static/kb.css?v={digest('kb.css')}"
        # A name that is not a file gets no version, and no error.
        assert url_for("static", filename="bestaat-niet.css") == "/static/bestaat-niet.css"


def test_every_page_asks_for_the_current_style_sheets_and_scripts(versioned, client):
    page = client.get("/").get_data(as_text=True)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert any(a.startswith("/static/kb.css?") for a in assets)
    for asset in assets:
        path, _, query = asset.partition("?")
        assert query == f"v={digest(path.removeprefix('/static/'))}", asset


def test_a_versioned_file_is_cached_for_a_year_even_for_signed_in_users(
    versioned, client, make_user
):
    login(client, make_user("editor"))
    response = client.get(f"/static/kb.css?v={digest('kb.css')}")
    assert response.status_code == 200
    cache = response.cache_control
    assert cache.public and cache.immutable and cache.max_age == LONG_CACHE_SECONDS
    assert not cache.no_cache and not cache.no_store
    response.close()


@pytest.mark.parametrize("query", ["", "?v=0123456789ab"])
def test_an_unversioned_or_stale_address_is_checked_again_each_time(versioned, client, query):
    response = client.get(f"/static/kb.css{query}")
    assert response.status_code == 200
    assert response.cache_control.max_age != LONG_CACHE_SECONDS
    assert not response.cache_control.immutable
    response.close()


def test_a_changed_file_gets_a_new_version(tmp_path):
    sheet = tmp_path / "site.css"
    sheet.write_text("body { color: black; }")
    versions = StaticVersions(tmp_path)
    versions.warm()
    first = versions.version("site.css")
    assert first == versions.version("site.css")
    sheet.write_text("body { color: navy; }  /* longer, so the size changes too */")
    assert versions.version("site.css") not in (None, first)


def test_names_outside_the_folder_have_no_version(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "secret.txt").write_text("x")
    versions = StaticVersions(tmp_path / "static")
    assert versions.version("../secret.txt") is None
    assert versions.version("/etc/passwd") is None
    assert versions.version("") is None
