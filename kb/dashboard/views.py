"""The knowledge dashboard (/dashboard, its CSV) and the search insights (/inzichten), for
editors and up; anyone else gets a 404. Also /zoeken/geopend/<slug>: the search page's
result links, which note that a result was opened and send the reader on to it.
"""

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import format_percent, format_timedelta
from flask_babel import gettext as _
from flask_login import current_user

from kb.dashboard import charts, export, searches, service, synonyms
from kb.dashboard.forms import RequestFromSearchForm, SynonymForm
from kb.db import utcnow
from kb.documents.policy import load_for
from kb.documents.schemas import parse
from kb.errors import Invalid
from kb.i18n import date_label as localised_date
from kb.search import searching
from kb.tickets import article_requests as requests
from kb.tickets.schemas import RequestCreate

bp = Blueprint("dashboard", __name__)


def _days() -> int:
    days = request.args.get("dagen", service.DEFAULT_DAYS, type=int)
    return days if days in service.PERIODS else service.DEFAULT_DAYS


@bp.before_request
def staff_pages_are_private():
    g.no_store = True  # figures and customers' queries: never kept by a proxy


@bp.context_processor
def formatting() -> dict[str, Any]:
    def percent(value: float | None) -> str:
        return format_percent(value) if value is not None else "–"

    def hours(value: float | None) -> str:
        if value is None:
            return "–"
        return format_timedelta(timedelta(hours=value), granularity="hour", threshold=1.5)

    def band_state(r) -> str:
        if r.link_rate is None:
            return "none"
        if r.link_rate < r.band_low:
            return "below"
        return "above" if r.link_rate > r.band_high else "in"

    return {"percent": percent, "hours": hours, "band_state": band_state}


@bp.app_template_filter("date_label")
def date_label(value: date) -> str:
    return localised_date(value)


@bp.route("/dashboard")
def index():
    figures = service.metrics(current_user, _days())
    band = (figures.resolutions.band_low, figures.resolutions.band_high)
    return render_template(
        "dashboard/index.html",
        m=figures,
        periods=service.PERIODS,
        charts=[
            charts.stacked(figures.weeks),
            charts.link_rate(figures.weeks, band),
            charts.searches(figures.weeks),
        ],
    )


@bp.route("/dashboard.csv")
def csv():
    figures = service.metrics(current_user, _days())
    name = f"kb-dashboard-{figures.until:%Y-%m-%d}-{figures.days}d.csv"
    return Response(
        export.to_csv(figures),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# Search insights ------------------------------------------------------------------------------


@bp.route("/inzichten")
def insights():
    service.require_dashboard(current_user)
    days = _days()
    groups = searches.grouped(utcnow() - timedelta(days=days))
    empty = searches.without_results(groups, 50)
    unopened = searches.unopened(groups, 20)
    # A search that an open request already covers says so, instead of inviting a second one.
    waiting = [(r, requests.terms(r.title)) for r in requests.waiting_requests(300)]
    matches = {}
    for group in empty + unopened:
        words = requests.terms(group.query)
        found = next((r for r, title in waiting if requests.related(words, title)), None)
        if found is not None:
            matches[group.query] = found
    return render_template(
        "dashboard/insights.html",
        days=days,
        periods=service.PERIODS,
        empty=empty,
        top=searches.top(groups, 20),
        unopened=unopened,
        matches=matches,
        documents=requests.candidates(current_user),
    )


@bp.route("/inzichten/verzoek", methods=["POST"])
def request_from_search():
    """Turn a search without results into an article request (title filled in, editable)."""
    service.require_dashboard(current_user)
    form = RequestFromSearchForm()
    if not form.validate_on_submit():
        flash(_("Geef het verzoek een titel (hoogstens 200 tekens)."), "error")
        return redirect(url_for("dashboard.insights", dagen=_days()))
    details = _("Uit de zoekinzichten: gezocht zonder resultaat op “%(q)s”.", q=form.q.data or "")
    try:
        data = parse(RequestCreate, {"title": form.title.data or "", "details": details})
        found = requests.create_request(current_user, data)
    except Invalid as exc:
        flash(" ".join(exc.errors.values()), "error")
        return redirect(url_for("dashboard.insights", dagen=_days()))
    flash(_("Verzoek “%(title)s” staat in de wachtrij.", title=found.title), "success")
    return redirect(url_for("tickets.queue", _anchor=f"verzoek-{found.id}"))


@bp.route("/inzichten/synoniem", methods=["GET", "POST"])
def synonym():
    """GET shows the line that would map a search to a document; POST adds it."""
    service.require_dashboard(current_user)
    source = request.form if request.method == "POST" else request.args
    form = SynonymForm(formdata=source, meta={"csrf": request.method == "POST"})
    query, slug = (form.q.data or "").strip(), (form.document.data or "").strip()
    if not form.validate() or not query:
        flash(_("Kies een document om deze zoekopdracht aan te koppelen."), "error")
        return redirect(url_for("dashboard.insights"))
    try:
        if request.method == "POST":
            done = synonyms.apply(current_user, query, slug)
            flash(_("Toegevoegd aan de synoniemen: %(line)s", line=done.line), "success")
            return redirect(url_for("dashboard.synonym_added", q=done.query, document=slug))
        proposal = synonyms.propose(current_user, query, slug)
    except Invalid as exc:
        flash(" ".join(exc.errors.values()), "error")
        return redirect(url_for("dashboard.insights"))
    return render_template("dashboard/synonym.html", proposal=proposal, form=form)


@bp.route("/inzichten/synoniem/klaar")
def synonym_added():
    """After adding: what the searcher now finds, through the real search."""
    service.require_dashboard(current_user)
    query = request.args.get("q", "")[:200]
    slug = request.args.get("document", "")
    found = searching.search(current_user, query, limit=5, record=False) if query else None
    return render_template("dashboard/synonym_done.html", query=query, slug=slug, found=found)


# Opened results -------------------------------------------------------------------------------


@bp.route("/zoeken/geopend/<slug>")
def opened(slug: str):
    """A result opened from the search page: noted (masked query, document, role; no person),
    then on to the document. A document the reader may not see is a 404, as everywhere."""
    doc = load_for(current_user, slug)
    query = request.args.get("q", "")[:200]
    if query.strip():
        audience = current_user.role if current_user.is_authenticated else searches.ANONYMOUS
        searches.record_click(query, doc.id, audience)
    return redirect(url_for("documents.show", slug=doc.slug), 303)
