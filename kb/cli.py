"""The `kb` console script (same as `flask --app kb`), with one command group per feature."""

import click
from flask import Flask
from flask.cli import FlaskGroup


def _create_app():
    from kb import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """kb: knowledge base and script wiki for customer service."""


def progress(items, label: str):
    """A progress bar on a terminal; plain iteration elsewhere (CI logs, pipes)."""
    return click.progressbar(items, label=label)


def register(app: Flask) -> None:
    from kb.auth.cli import user_cli
    from kb.demo import demo_command
    from kb.documents.cli import content_cli
    from kb.search.cli import search_cli
    from kb.tickets.cli import tickets_cli

    app.cli.add_command(user_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(search_cli)
    app.cli.add_command(tickets_cli)
