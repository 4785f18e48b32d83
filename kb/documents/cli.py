"""`kb content import [DIR]` and `kb content export DIR`."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from kb import ROOT
from kb.cli import progress
from kb.db import refresh_statistics
from kb.documents.io import ContentError, export_documents, find_files, import_files, parse_file
from kb.documents.models import Document
from kb.extensions import db
from kb.search import service as search
from kb.search.synonym_files import export_synonyms, import_synonyms

content_cli = AppGroup("content", help="Import and export the Markdown content folder.")
FOREGROUND = {"KB_SEARCH_SYNC_BUDGET": float("inf"), "KB_SEARCH_REBUILD_INLINE_MAX": float("inf")}


@contextmanager
def _index_in_foreground() -> Iterator[None]:
    """The import's after-commit index update without the web's limits: no time budget and
    no background rebuild of a missing index (a thread would die with this process)."""
    config = current_app.config
    saved = {key: config[key] for key in FOREGROUND if key in config}
    config.update(FOREGROUND)
    try:
        yield
    finally:
        for key in FOREGROUND:
            config.pop(key, None)
        config.update(saved)


def import_directory(directory: Path) -> str:
    """Parse every file first, so a bad one stops the import before anything is written.

    The search index is brought up to date before this returns (built when there is none),
    not left to a background thread or later searches: this process ends right after."""
    try:
        paths = find_files(directory)
        files = [parse_file(p) for p in paths]
        with progress(files, "Importing") as bar, _index_in_foreground():
            result = import_files(bar)
        import_synonyms(directory)  # DIR/synoniemen.txt into the list every host searches with
    except ContentError as exc:
        raise click.ClickException(str(exc)) from exc
    refresh_statistics()  # the planner's row counts for what was just written
    try:
        search.sync()  # whatever the after-commit update could not do
    except Exception as exc:
        raise click.ClickException(
            f"Imported {len(files)} files, but the search index was not updated ({exc}); "
            "run `kb search sync`."
        ) from exc
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
