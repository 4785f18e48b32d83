"""Weekly charts as geometry for an inline <svg> (templates/dashboard/_chart.html): no script,
no CDN, no inline styles (the CSP forbids them; colours come from classes in dashboard.css).

Python computes the coordinates; the template writes the elements, and Jinja escapes every
label, so a week or a query never becomes markup.
"""

import math
from dataclasses import dataclass, field

from flask_babel import format_percent
from flask_babel import gettext as _

from kb.dashboard.schemas import Week
from kb.i18n import day_month

WIDTH, HEIGHT = 440, 220  # drawn at about this size, so the 13-unit labels stay legible
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 12, 26


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass
class Chart:
    """What the template draws: bars, a line with points, an optional band, axes labels."""

    title: str
    summary: str  # what the chart says, for screen readers
    bars: list[Bar] = field(default_factory=list)
    line: str = ""  # SVG points "x,y x,y"
    points: list[tuple[float, float, str]] = field(default_factory=list)
    band: tuple[float, float, str] | None = None  # y, height, label
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    y_labels: list[tuple[float, str]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # css, label
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    base: int = HEIGHT - BOTTOM


def _nice(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _slots(weeks: list[Week]) -> tuple[float, list[float]]:
    """The width per week and each week's left edge."""
    plot = WIDTH - LEFT - RIGHT
    slot = plot / max(len(weeks), 1)
    return slot, [LEFT + i * slot for i in range(len(weeks))]


def _y(value: float, top: float) -> float:
    plot = HEIGHT - TOP - BOTTOM
    return round(HEIGHT - BOTTOM - plot * (value / top), 1)


def _week_label(week: Week) -> str:
    return day_month(week.start)


def _percent(value: float | None) -> str:
    return format_percent(value) if value is not None else "–"


def _x_labels(weeks: list[Week], slot: float, lefts: list[float]) -> list[tuple[float, str]]:
    every = max(1, math.ceil(len(weeks) / 6))  # at most 6 labels: readable on a phone too
    return [
        (round(x + slot / 2, 1), _week_label(w))
        for i, (x, w) in enumerate(zip(lefts, weeks, strict=True))
        if i % every == 0
    ]


def stacked(weeks: list[Week]) -> Chart:
    """Resolved tickets per week: known, new and still without a document, stacked."""
    series = [
        ("known", "bar-known", _("bekend (direct met een document)")),
        ("new", "bar-new", _("nieuw (via een vervuld verzoek)")),
        ("waiting", "bar-waiting", _("nog zonder document")),
    ]
    top = _nice(max((w.resolved for w in weeks), default=0))
    slot, lefts = _slots(weeks)
    chart = Chart(
        title=_("Opgeloste tickets per week"),
        summary=_(
            "Opgeloste tickets per week: %(list)s.",
            list=", ".join(f"{_week_label(w)}: {w.resolved}" for w in weeks),
        ),
        legend=[(css, label) for _key, css, label in series],
    )
    for x, week in zip(lefts, weeks, strict=True):
        below = 0
        for key, css, label in series:
            n = getattr(week, key)
            if not n:
                continue
            y = _y(below + n, top)
            chart.bars.append(
                Bar(
                    round(x + slot * 0.2, 1),
                    y,
                    round(slot * 0.6, 1),
                    round(_y(below, top) - y, 1),
                    css,
                    f"{_week_label(week)}: {n} {label}",
                )
            )
            below += n
    chart.x_labels = _x_labels(weeks, slot, lefts)
    chart.y_labels = _count_labels(top)
    return chart


def link_rate(weeks: list[Week], band: tuple[float, float]) -> Chart:
    """The link rate per week as a line, over the KCS band (60-80%)."""
    slot, lefts = _slots(weeks)
    low, high = band
    chart = Chart(
        title=_("Koppelratio per week"),
        summary=_(
            "Koppelratio per week: %(list)s. Doel: %(low)s tot %(high)s.",
            list=", ".join(f"{_week_label(w)}: {_percent(w.link_rate)}" for w in weeks),
            low=format_percent(low),
            high=format_percent(high),
        ),
        band=(_y(high, 1), round(_y(low, 1) - _y(high, 1), 1), _("KCS-doel")),
        legend=[("line-rate", _("koppelratio")), ("band", _("KCS-doel 60–80%"))],
    )
    for x, week in zip(lefts, weeks, strict=True):
        if week.link_rate is None:
            continue
        point = (round(x + slot / 2, 1), _y(week.link_rate, 1))
        chart.points.append(
            (*point, f"{_week_label(week)}: {format_percent(week.link_rate)} ({week.resolved})")
        )
    chart.line = " ".join(f"{x},{y}" for x, y, _title in chart.points)
    chart.x_labels = _x_labels(weeks, slot, lefts)
    chart.y_labels = [(_y(v, 1), format_percent(v)) for v in (0, 0.5, 1)]
    return chart


def searches(weeks: list[Week]) -> Chart:
    """Searches without results per week."""
    top = _nice(max((w.searches_without_results for w in weeks), default=0))
    slot, lefts = _slots(weeks)
    chart = Chart(
        title=_("Zoekopdrachten zonder resultaat per week"),
        summary=_(
            "Zoekopdrachten zonder resultaat per week: %(list)s.",
            list=", ".join(f"{_week_label(w)}: {w.searches_without_results}" for w in weeks),
        ),
    )
    for x, week in zip(lefts, weeks, strict=True):
        n = week.searches_without_results
        if n:
            y = _y(n, top)
            chart.bars.append(
                Bar(
                    round(x + slot * 0.2, 1),
                    y,
                    round(slot * 0.6, 1),
                    round(_y(0, top) - y, 1),
                    "bar-search",
                    f"{_week_label(week)}: {n}",
                )
            )
    chart.x_labels = _x_labels(weeks, slot, lefts)
    chart.y_labels = _count_labels(top)
    return chart


def _count_labels(top: float) -> list[tuple[float, str]]:
    """0, the middle and the top, each only when it is a whole number (no "0.5 tickets")."""
    return [(_y(v, top), f"{v:g}") for v in (0, top / 2, top) if float(v).is_integer()]
