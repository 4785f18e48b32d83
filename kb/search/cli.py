"""`kb search reindex|check|sync`."""

import click
from flask.cli import AppGroup

from kb.cli import progress
from kb.db import refresh_statistics
from kb.search import service

search_cli = AppGroup("search", help="Build and check the search index.")


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild the index from the database, aside, then swap it in (search stays up)."""
    total = service.searchable_count()
    with progress(range(total), "Indexing") as bar:
        count = service.rebuild(progress=lambda: bar.update(1))
    refresh_statistics()  # an operator's maintenance moment: the planner's row counts too
    click.echo(f"Indexed {count} documents.")


@search_cli.command("check")
def check() -> None:
    """Compare index and database; exit non-zero listing every difference."""
    drift = service.check()
    waiting = service.unapplied() if not drift or not drift[0].startswith("index missing") else 0
    if waiting:
        click.echo(
            f"{waiting} changes in the log are not applied to this host's index yet "
            "(its next search does, or `kb search sync`).",
            err=True,
        )
    if drift:
        for line in drift:
            click.echo(line, err=True)
        raise click.ClickException(f"{len(drift)} differences between index and database")
    click.echo("Index and database agree.")


@search_cli.command("sync")
def sync() -> None:
    """Apply pending index updates now (normally done right after each change)."""
    click.echo(f"Updated {service.sync()} documents.")
