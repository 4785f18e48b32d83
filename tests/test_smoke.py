"""The first look: home, an article and the API answer in Dutch and JSON."""


def test_home_shows_search_categories_and_popular(client, make_document):
    make_document("Wachtwoord vergeten", "Vraag een nieuw wachtwoord aan.", category="account")
    page = client.get("/").get_data(as_text=True)
    assert 'name="q"' in page
    assert "Hoe kunnen we u helpen?" in page
    assert "Account" in page
    assert "Wachtwoord vergeten" in page
