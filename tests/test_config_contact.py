"""Settings from the environment added this session: contact channels and the change log's age."""

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
