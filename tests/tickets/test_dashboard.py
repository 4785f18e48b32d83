"""The knowledge dashboard: figures on a small known data set, the same on the page, in the CSV
and from the API; and nobody but editors and up ever sees that it exists."""

import csv
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from kb.auth.models import SYSTEM
from kb.dashboard import service as dashboard
from kb.db import utcnow
from kb.documents import service as documents
from kb.documents.models import Document
from kb.documents.schemas import DocumentUpdate
from kb.errors import NotFound
from kb.extensions import db
from kb.feedback import service as feedback
from kb.feedback.schemas import VoteFollowUp
from kb.search.log import record_search
from kb.tickets import article_requests
from kb.tickets.models import ArticleRequest
from kb.tickets.schemas import RequestDecision
from tests.tickets.conftest import actor


def _republish(slug: str, body: str) -> None:
    doc = db.session.scalar(sa.select(Document).where(Document.slug == slug))
    documents.save_revision(doc, SYSTEM, doc.current_number, DocumentUpdate(body=body))
    documents.publish(doc, SYSTEM)


@pytest.fixture
def known(app, agent, editor, make_document, make_ticket, make_request, resolve):
    """10 resolved tickets: 5 known (4 with Modem resetten, over two revisions, 1 with Factuur
    betalen), 2 new (a request fulfilled since), 3 waiting on an open request; one open ticket
    30 hours old; two requests fulfilled after 48 and 24 hours; votes; searches without results.
    """
    modem = make_document("Modem resetten", "Houd de resetknop tien seconden in.")
    invoice = make_document("Factuur betalen", "Betaal binnen 14 dagen.")
    extender = make_document("Extender instellen", "Druk op WPS.")
    tickets = [make_ticket(by=agent) for _ in range(10)]
    for t in tickets[:2]:
        resolve(t, agent, document=modem)
    with app.app_context():
        _republish(modem, "Houd de resetknop dertig seconden in.")
    for t in tickets[2:4]:
        resolve(t, agent, document=modem)
    resolve(tickets[4], agent, document=invoice)
    first = resolve(tickets[5], agent, request={"title": "Extender koppelen aan de Thuisbox"})
    resolve(tickets[6], agent, request_id=first["request_id"])
    waiting = resolve(tickets[7], agent, request={"title": "Wifi extender koppelen"})
    for t in tickets[8:]:
        resolve(t, agent, request_id=waiting["request_id"])
    quick = make_request("Storingskaart bekijken")
    make_ticket(by=agent, opened_at=(utcnow() - timedelta(hours=30)).isoformat())
    with app.app_context():
        for rid in (first["request_id"], quick):
            found = article_requests.get_request(rid)
            article_requests.fulfil_request(
                found, actor(editor), RequestDecision(document=extender)
            )
        # The requests were filed earlier than the set-up ran: 48 and 24 hours before fulfilment.
        for rid, hours in ((first["request_id"], 48), (quick, 24)):
            found = db.session.get_one(ArticleRequest, rid)
            found.created_at = found.fulfilled_at - timedelta(hours=hours)
        db.session.commit()
        doc = db.session.scalar(sa.select(Document).where(Document.slug == modem))
        feedback.vote(doc, True)
        feedback.vote(doc, True)
        no = feedback.vote(doc, False)
        feedback.follow_up(doc, no.id, VoteFollowUp(wanted="hoe koppel ik de wifi extender"))
        for query in ("Wifi  Extender", " wifi extender", "WÍFI extender", "wifi extender"):
            record_search("anonymous", query, 0, 3)
        record_search("agent", "routerwachtwoord", 0, 3)
        record_search("anonymous", "modem", 1, 3)
    return {"modem": modem, "invoice": invoice, "waiting": waiting["request_id"]}


def _figures(app, user, days=30):
    with app.app_context():
        return dashboard.metrics(actor(user), days)


def test_figures_on_a_known_data_set(app, editor, known):
    m = _figures(app, editor)
    r = m.resolutions
    assert (r.resolved, r.linked, r.via_request) == (10, 7, 5)
    assert (r.known, r.new, r.waiting) == (5, 2, 3)
    assert (r.link_rate, r.request_rate) == (0.7, 0.5)
    assert (r.band_low, r.band_high) == (0.6, 0.8)
    assert sum(w.resolved for w in m.weeks) == 10
    assert sum(w.days for w in m.weeks) == 31 and all(1 <= w.days <= 7 for w in m.weeks)
    assert sum(w.known + w.new + w.waiting for w in m.weeks) == 10
    assert sum(w.searches_without_results for w in m.weeks) == 5
    assert sum(w.requests_filed for w in m.weeks) == 3
    # Reuse: which document solved most, and with which revision.
    top = m.reuse[0]
    assert (top.slug, top.tickets) == (known["modem"], 4)
    assert [(u.revision, u.tickets) for u in top.revisions] == [(2, 2), (1, 2)]
    assert {d.slug: d.tickets for d in m.reuse}["extender-instellen"] == 2  # the new ones
    # Open requests by demand: 3 tickets, 4 searches ("wifi extender", folded and trimmed),
    # and one "Nee" whose "Wat zocht u?" matches its title.
    (wanted,) = m.open_requests
    assert (wanted.id, wanted.tickets, wanted.searches, wanted.not_helpful) == (
        known["waiting"],
        3,
        4,
        1,
    )
    assert wanted.demand == 8
    assert [(s.query, s.searches, s.customers) for s in m.searches_without_results] == [
        ("wifi extender", 4, 4),
        ("routerwachtwoord", 1, 0),
    ]
    (helpful,) = m.helpfulness
    assert (helpful.slug, helpful.helpful, helpful.not_helpful, helpful.answers) == (
        known["modem"],
        2,
        1,
        1,
    )
    assert helpful.share == pytest.approx(2 / 3, abs=1e-4)
    assert (m.publication.fulfilled, m.publication.median_hours) == (2, 36.0)
    assert m.timeliness.overdue == 1
    assert m.timeliness.overdue_tickets[0].late_hours == pytest.approx(6, abs=0.1)
    assert (m.timeliness.first_responses, m.timeliness.in_time) == (10, 10)


def test_the_period_filters_what_happened_before_it(app, editor, known):
    with app.app_context():
        later = utcnow() + timedelta(days=8)  # a week on, nothing new happened
        m = dashboard.metrics(actor(editor), 7, now=later)
    assert m.resolutions.resolved == 0 and m.resolutions.link_rate is None
    assert m.reuse == [] and m.helpfulness == [] and m.searches_without_results == []
    assert m.publication.median_hours is None


def test_page_csv_and_api_show_the_same_figures(app, client, login_as, token_for, known):
    editor = login_as("editor")
    page = client.get("/dashboard?dagen=30")
    assert page.status_code == 200
    html = page.get_data(as_text=True)

    def figure(name: str) -> str:
        return re.search(rf'data-figure="{name}">([^<]*)<', html).group(1).strip()

    assert figure("link_rate") == "70%"
    assert figure("request_rate") == "50%"
    assert (figure("known"), figure("new")) == ("5", "2")
    assert figure("overdue") == "1"
    assert "binnen het doel" in html and "KCS-doel 60%–80%" in html
    assert html.count("<svg") == 3 and "cdn" not in html.lower()
    assert "wifi extender" in html and "Modem resetten" in html

    response = client.get("/dashboard.csv?dagen=30")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["sectie", "onderwerp", "maat", "waarde"]
    values = {(s, item, measure): value for s, item, measure, value in rows[1:]}
    assert values[("tickets", "", "koppelratio")] == "0.7"
    assert float(values[("tickets", "", "koppelratio")]) == int(figure("link_rate")[:-1]) / 100
    assert float(values[("tickets", "", "verzoekratio")]) == int(figure("request_rate")[:-1]) / 100
    assert values[("tickets", "", "bekend")] == figure("known")
    assert values[("tickets", "", "nieuw")] == figure("new")
    assert values[("antwoordtijd", "", "nu te laat")] == figure("overdue")
    assert values[("hergebruik", known["modem"], "revisie 2")] == "2"
    assert values[("zonder resultaat", "wifi extender", "zoekopdrachten")] == "4"
    assert values[("publicatie", "", "mediaan uren verzoek tot publicatie")] == "36.0"
    weeks = [
        int(v) for (s, _i, measure), v in values.items() if (s, measure) == ("week", "opgelost")
    ]
    assert sum(weeks) == 10

    api = client.get("/api/v1/metrics?days=30", headers=token_for(editor)).get_json()
    assert api["resolutions"]["link_rate"] == 0.7
    assert api["resolutions"]["resolved"] == 10
    assert api["open_requests"][0]["demand"] == 8
    assert api["reuse"][0]["revisions"] == [
        {"revision": 2, "tickets": 2},
        {"revision": 1, "tickets": 2},
    ]


def test_csv_neutralises_formulas_from_customers(app, client, login_as):
    login_as("editor")
    with app.app_context():
        record_search("anonymous", '=HYPERLINK("http://example.test","klik")', 0, 1)
    rows = list(csv.reader(io.StringIO(client.get("/dashboard.csv").get_data(as_text=True))))
    (query,) = [item for section, item, _m, _v in rows if section == "zonder resultaat"]
    assert query.startswith("'=")


def test_what_customers_typed_is_shown_as_text(app, client, login_as):
    login_as("editor")
    with app.app_context():
        record_search("anonymous", '<script>alert("x")</script>', 0, 1)
    for url in ("/dashboard", "/inzichten"):
        page = client.get(url).get_data(as_text=True)
        assert "&lt;script&gt;alert(" in page and '<script>alert("x")' not in page


def test_periods_are_7_30_or_90_days(app, client, login_as, token_for):
    editor = login_as("editor")
    assert "aria-current" in client.get("/dashboard?dagen=90").get_data(as_text=True)
    assert client.get("/dashboard?dagen=5").status_code == 200  # the page falls back to 30
    bad = client.get("/api/v1/metrics?days=5", headers=token_for(editor))
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert client.get("/api/v1/metrics?days=90", headers=token_for(editor)).get_json()["days"] == 90


@pytest.mark.parametrize("role", ["anonymous", "agent"])
def test_agents_and_anonymous_get_404_everywhere(app, client, login_as, make_user, token_for, role):
    headers = {}
    if role != "anonymous":
        login_as(role)
        headers = token_for(make_user(role))
    for url in (
        "/dashboard",
        "/dashboard.csv",
        "/inzichten",
        "/inzichten/synoniem?q=wifi&document=x",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post_form("/inzichten/verzoek", {"title": "x", "q": "x"}).status_code == 404
    assert "Dashboard" not in client.get("/").get_data(as_text=True)
    for query in ("", "?days=30", "?days=abc"):  # not even a 422 shows it exists
        api = client.get(f"/api/v1/metrics{query}", headers=headers)
        assert api.status_code == 404 and api.mimetype == "application/problem+json"
    with app.app_context():
        user = actor(make_user(role)) if role != "anonymous" else None
        with pytest.raises(NotFound):
            dashboard.metrics(user)


@pytest.mark.parametrize("role", ["editor", "supervisor", "admin"])
def test_editors_and_up_see_it(app, client, login_as, make_user, token_for, role):
    login_as(role)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/dashboard"' in home
    for url in ("/dashboard", "/dashboard.csv", "/inzichten"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store"
    api = client.get("/api/v1/metrics", headers=token_for(make_user(role)))
    assert api.status_code == 200 and api.get_json()["days"] == 30


def test_metrics_are_in_the_openapi_document(client):
    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/metrics"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Metrics"
    }
    assert "404" in operation["responses"] and "403" not in operation["responses"]
    assert "editor" in operation["description"]
    assert [p["name"] for p in operation["parameters"]] == ["days"]
    assert "link_rate" in spec["components"]["schemas"]["Resolutions"]["properties"]
