"""Settings from the environment: contact channels, the change log's age, the page cache."""

import pytest

from kb import create_app
from kb.config import ConfigError
from kb.extensions import db


def test_contact_channels_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("KB_CONTACT_PHONE", "0800-4242424")
    monkeypatch.setenv("KB_CONTACT_CHAT_URL", "")  # empty hides the channel
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/kb.sqlite"}
    )
    with app.app_context():
        db.create_all()
    page = app.test_client().get("/").get_data(as_text=True)
    assert "0800-4242424" in page
    assert app.config["KB_CONTACT_CHAT_URL"] == ""


@pytest.mark.parametrize("value", ["nul", "0", "-3"])
def test_a_change_log_age_that_is_not_a_positive_number_is_refused(monkeypatch, value):
    monkeypatch.setenv("KB_SEARCH_LOG_DAYS", value)
    with pytest.raises(ConfigError, match="KB_SEARCH_LOG_DAYS"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize("name", ["KB_PAGE_CACHE_SECONDS", "KB_PAGE_CACHE_MB"])
@pytest.mark.parametrize("value", ["dertig", "-1", "inf"])
def test_a_page_cache_setting_that_is_not_a_number_is_refused(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_page_cache_seconds_zero_turns_the_cache_off(monkeypatch, tmp_path):
    monkeypatch.setenv("KB_PAGE_CACHE_SECONDS", "0")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.db"})
    assert "kb_page_cache" not in app.extensions
    monkeypatch.setenv("KB_PAGE_CACHE_SECONDS", "12")
    monkeypatch.setenv("KB_PAGE_CACHE_MB", "2")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/b.db"})
    cache = app.extensions["kb_page_cache"]
    assert (cache.seconds, cache.max_bytes) == (12, 2 * 1024 * 1024)
