"""The `kb` console script (same as `flask --app kb`), with one command group per feature."""

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo
from sqlalchemy.exc import SQLAlchemyError

# Commands that write to the database say first which one (URL without password).
WRITING_COMMANDS = {
    ("db", "upgrade"),
    ("db", "downgrade"),
    ("db", "stamp"),
    ("user", "create"),
    ("content", "import"),
    ("restore",),
    ("demo",),
}


def _create_app():
    from kb import create_app

    return create_app()


class KbGroup(FlaskGroup):
    """FlaskGroup that names the database for writing commands and turns configuration and
    database errors into one line and a non-zero exit, instead of a page of traceback."""

    def invoke(self, ctx: click.Context):
        from kb.config import ConfigError
        from kb.ops.database import one_line, safe_url

        # Click keeps the subcommand words in _protected_args (the public name is deprecated).
        given = [*getattr(ctx, "_protected_args", []), *ctx.args]
        words = tuple(word for word in given if not word.startswith("-"))
        try:
            if words[:2] in WRITING_COMMANDS or words[:1] in WRITING_COMMANDS:
                app = ctx.ensure_object(ScriptInfo).load_app()
                click.echo(f"Database: {safe_url(app)}", err=True)
            return super().invoke(ctx)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        except SQLAlchemyError as exc:
            raise click.ClickException(f"Database error: {one_line(exc)}") from None


@click.group(cls=KbGroup, create_app=_create_app)
def main() -> None:
    """kb: knowledge base and script wiki for customer service."""


def progress(items, label: str):
    """A progress bar on a terminal; plain iteration elsewhere (CI logs, pipes)."""
    return click.progressbar(items, label=label)


def register(app: Flask) -> None:
    from kb.auth.cli import user_cli
    from kb.demo import demo_command
    from kb.documents.cli import content_cli
    from kb.ops.cli import backup_command, restore_command
    from kb.search.cli import search_cli
    from kb.tickets.cli import tickets_cli

    app.cli.add_command(user_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(search_cli)
    app.cli.add_command(tickets_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
