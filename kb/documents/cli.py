"""`kb content import [DIR]` and `kb content export DIR`."""

from pathlib import Path

import click
from flask.cli import AppGroup

from kb import ROOT
from kb.cli import progress
from kb.documents.io import ContentError, export_documents, find_files, import_files, parse_file
from kb.documents.models import Document
from kb.extensions import db
from kb.search.synonym_files import export_synonyms, import_synonyms

content_cli = AppGroup("content", help="Import and export the Markdown content folder.")


def import_directory(directory: Path) -> str:
    """Parse every file first, so a bad one stops the import before anything is written."""
    try:
        paths = find_files(directory)
        files = [parse_file(p) for p in paths]
        with progress(files, "Importing") as bar:
            result = import_files(bar)
        import_synonyms(directory)  # DIR/synoniemen.txt into the list every host searches with
    except ContentError as exc:
        raise click.ClickException(str(exc)) from exc
    return (
        f"Imported {len(files)} files from {directory}: {len(result.created)} new, "
        f"{len(result.updated)} updated, {len(result.unchanged)} unchanged."
    )


@content_cli.command("import")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def import_command(directory: Path | None) -> None:
    """Import Markdown files (default: the project's content/ folder)."""
    click.echo(import_directory(directory or ROOT / "content"))


@content_cli.command("export")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
def export_command(directory: Path) -> None:
    """Write every document back as Markdown with front matter."""
    docs = list(db.session.scalars(db.select(Document).order_by(Document.slug)))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.ClickException(f"{directory}: {exc}") from exc
    with progress(docs, "Exporting") as bar:
        count = export_documents(bar, directory)
    export_synonyms(directory)  # the shared synonym list to DIR/synoniemen.txt
    click.echo(f"Exported {count} documents to {directory}.")
