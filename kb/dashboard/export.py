"""The dashboard's figures as CSV rows: one figure per row (section, item, measure, value), so
a spreadsheet filters them and a script reads them without knowing the page.

Text from people (queries, titles) is neutralised against formula injection: a cell starting
with = + - @ or a tab gets a leading apostrophe.
"""

import csv
import io
from collections.abc import Iterator

from kb.dashboard.schemas import Metrics

HEADER = ("sectie", "onderwerp", "maat", "waarde")
Row = tuple[str, str, str, object]


def _cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def rows(m: Metrics) -> Iterator[Row]:
    r = m.resolutions
    yield ("periode", "", "dagen", m.days)
    yield ("periode", "", "van", m.since.isoformat(timespec="seconds"))
    yield ("periode", "", "tot", m.until.isoformat(timespec="seconds"))
    for measure, value in (
        ("opgelost", r.resolved),
        ("gekoppeld aan document", r.linked),
        ("via verzoek", r.via_request),
        ("bekend", r.known),
        ("nieuw", r.new),
        ("nog zonder document", r.waiting),
        ("koppelratio", r.link_rate),
        ("verzoekratio", r.request_rate),
        ("kcs-doel van", r.band_low),
        ("kcs-doel tot", r.band_high),
    ):
        yield ("tickets", "", measure, value)
    for w in m.weeks:
        week = w.start.isoformat()
        yield ("week", week, "dagen in de periode", w.days)
        yield ("week", week, "opgelost", w.resolved)
        yield ("week", week, "bekend", w.known)
        yield ("week", week, "nieuw", w.new)
        yield ("week", week, "nog zonder document", w.waiting)
        yield ("week", week, "koppelratio", w.link_rate)
        yield ("week", week, "zoekopdrachten zonder resultaat", w.searches_without_results)
        yield ("week", week, "verzoeken ingediend", w.requests_filed)
    for d in m.reuse:
        yield ("hergebruik", d.slug, "tickets", d.tickets)
        for use in d.revisions:
            yield ("hergebruik", d.slug, f"revisie {use.revision}", use.tickets)
    for q in m.open_requests:
        item = f"{q.id} {q.title}"
        yield ("open verzoek", item, "vraag", q.demand)
        yield ("open verzoek", item, "tickets", q.tickets)
        yield ("open verzoek", item, "zoekopdrachten zonder resultaat", q.searches)
        yield ("open verzoek", item, "niet nuttig", q.not_helpful)
        yield ("open verzoek", item, "open voorstellen", q.suggestions)
    for s in m.searches_without_results:
        yield ("zonder resultaat", s.query, "zoekopdrachten", s.searches)
    for h in m.helpfulness:
        yield ("nuttig", h.slug, "ja", h.helpful)
        yield ("nuttig", h.slug, "nee", h.not_helpful)
        yield ("nuttig", h.slug, "wat zocht u", h.answers)
        yield ("nuttig", h.slug, "aandeel ja", h.share)
    yield ("publicatie", "", "verzoeken vervuld", m.publication.fulfilled)
    yield ("publicatie", "", "mediaan uren verzoek tot publicatie", m.publication.median_hours)
    t = m.timeliness
    yield ("antwoordtijd", "", "nu te laat", t.overdue)
    yield ("antwoordtijd", "", "eerste reacties", t.first_responses)
    yield ("antwoordtijd", "", "op tijd", t.in_time)
    yield ("antwoordtijd", "", "aandeel op tijd", t.in_time_rate)
    for late in t.overdue_tickets:
        yield ("te laat", late.external_ref, "uren te laat", late.late_hours)


def to_csv(m: Metrics) -> str:
    """RFC 4180 CSV (comma, double quotes, CRLF), UTF-8, with a header row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows(m):
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()
