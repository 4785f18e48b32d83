"""`kb backup DIR` and `kb restore DIR` (see kb.ops.backup)."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from kb.ops.backup import BackupError, backup, restore


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path) -> None:
    """Copy database, secret key and a manifest into DIRECTORY (new or empty)."""
    try:
        manifest = backup(directory)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    total = sum(manifest["counts"].values())
    click.echo(f"Backup in {directory}: {total} rows in {len(manifest['counts'])} tables.")


@click.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore_command(directory: Path) -> None:
    """Restore a backup from DIRECTORY into this empty installation; rebuilds search."""
    try:
        manifest = restore(directory)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Restored the backup of {manifest['created_at']} (kb {manifest['kb_version']}); "
        "search index rebuilt."
    )
