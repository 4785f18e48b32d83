"""Customers vote "Was dit nuttig?" once per browser session, without an account."""

from kb.extensions import db
from kb.feedback.models import Vote


def test_vote_once_per_session(app, client, make_document):
    slug = make_document("Wifi traag", "Zet de Thuisbox hoger.")
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Was dit nuttig?" in page
    client.post_form(f"/artikel/{slug}/stem", {"helpful": "ja"})
    page = client.get(f"/artikel/{slug}").get_data(as_text=True)
    assert "Bedankt voor uw reactie!" in page and 'value="ja"' not in page
    client.post_form(f"/artikel/{slug}/stem", {"helpful": "nee"})  # a second try is ignored
    other = app.test_client()  # another browser votes too
    other.post_form(f"/artikel/{slug}/stem", {"helpful": "nee"})
    with app.app_context():
        votes = db.session.scalars(db.select(Vote.is_helpful)).all()
    assert sorted(votes) == [False, True]


def test_cannot_vote_on_what_you_cannot_read(client, make_document):
    slug = make_document("Intern", "Tekst.", audience="internal")
    response = client.post_form(f"/artikel/{slug}/stem", {"helpful": "ja"})
    assert response.status_code == 404
