"""The first look: home, an article and the API answer in Dutch and JSON."""

import pytest


def test_home_shows_search_categories_and_popular(client, make_document):
    make_document("Wachtwoord vergeten", "Vraag een nieuw wachtwoord aan.", category="account")
    page = client.get("/").get_data(as_text=True)
    assert 'name="q"' in page
    assert "Hoe kunnen we u helpen?" in page
    assert "Account" in page
    assert "Wachtwoord vergeten" in page


def test_an_english_browser_gets_one_language_until_english_is_translated(
    app, client, make_document
):
    """Without an English catalogue, dates must be Dutch like the text around them."""
    from pathlib import Path

    from kb import ROOT

    if (Path(ROOT) / "kb/translations/en/LC_MESSAGES/messages.mo").exists():
        pytest.skip("English is offered: the translation tests cover it")
    slug = make_document("Storing melden", "Bel ons.")
    page = client.get(f"/artikel/{slug}", headers={"Accept-Language": "en-US,en;q=0.9"})
    text = page.get_data(as_text=True)
    assert "Bijgewerkt op" in text and '<html lang="nl"' in text
    months = ("January", "February", "March", "April", "May", "June", "July", "August")
    assert not any(
        month in text for month in months + ("September", "October", "November", "December")
    )
