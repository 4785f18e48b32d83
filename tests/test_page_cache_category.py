"""A big category is paged (kb.documents.reading.CATEGORY_PAGE per page), and each page is
its own cached page."""

from kb.documents import reading

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}


def test_a_big_category_is_paged(client, make_document, monkeypatch):
    monkeypatch.setattr(reading, "CATEGORY_PAGE", 2)
    for title in ("Aansluiten", "Bellen", "Contract"):
        make_document(title, "Tekst.", category="internet")
    for _ in range(2):  # the second time from the cache: still each page its own
        first = client.get("/categorie/internet", headers=BROWSER).get_data(as_text=True)
        assert "Aansluiten" in first and "Bellen" in first and "Contract" not in first
        assert "/categorie/internet?pagina=2" in first
        second = client.get("/categorie/internet?pagina=2", headers=BROWSER)
        text = second.get_data(as_text=True)
        assert "Contract" in text and "Aansluiten" not in text
    # A page past the end shows the last one; an unknown category is still a 404.
    assert "Contract" in client.get("/categorie/internet?pagina=9").get_data(as_text=True)
    assert client.get("/categorie/bestaat-niet").status_code == 404
