"""`kb tickets purge --older-than 365d` and `kb tickets overdue`."""

import re
from datetime import timedelta

import click
from flask.cli import AppGroup

from kb.auth.models import SYSTEM
from kb.errors import Invalid
from kb.tickets import service

tickets_cli = AppGroup("tickets", help="Keep tickets lean: anonymise old ones, list late ones.")

UNITS = {"d": 1, "w": 7}


class Period(click.ParamType):
    """A period in days or weeks: 365d, 52w."""

    name = "period"

    def convert(self, value, param, ctx) -> timedelta:
        if isinstance(value, timedelta):
            return value
        match = re.fullmatch(r"\s*(\d{1,5})\s*([dw])\s*", str(value).lower())
        if not match:
            self.fail(f"{value!r} is not a period such as 365d or 52w", param, ctx)
        return timedelta(days=int(match[1]) * UNITS[match[2]])


@tickets_cli.command("purge")
@click.option(
    "--older-than",
    "older_than",
    type=Period(),
    default="365d",
    show_default=True,
    help="Anonymise tickets resolved longer ago than this (e.g. 365d, 52w).",
)
def purge(older_than: timedelta) -> None:
    """Anonymise resolved tickets: notes and agreements removed, subject and reference replaced;
    channel, priority, times, links and history kept for the figures."""
    try:
        count = service.purge(SYSTEM, older_than)
    except Invalid as exc:
        raise click.BadParameter(" ".join(exc.errors.values()), param_hint="--older-than") from None
    click.echo(f"Anonymised {count} tickets resolved more than {older_than.days} days ago.")


@tickets_cli.command("overdue")
def overdue() -> None:
    """List open tickets past their answer time, those without any response first."""
    late = service.overdue()
    for item in late:
        first = (
            f"first response after {item.first_response_after}"
            if item.first_response_after is not None
            else "no response yet"
        )
        click.echo(
            f"{item.ticket.external_ref}\t{item.ticket.priority}\t"
            f"due {item.due_at:%Y-%m-%d %H:%M} UTC\tlate by {item.late_by}\t{first}"
        )
    click.echo(f"{len(late)} tickets past their answer time.")
