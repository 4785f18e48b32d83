"""The synonym list in the content folder: `kb content import` and `kb content export`.

DIR/synoniemen.txt beside the documents is the file editors version. Import loads it into the
list every host shares (kb.search.synonyms: the first time as it is, later the file's changes
since the last import merged in, so lines added from the dashboard stay); export writes the
shared list to it. A folder without the file leaves the list alone.
"""

from pathlib import Path

import click

from kb.db import unit_of_work
from kb.search.service import synonym_file
from kb.search.synonyms import Synonyms, forget_here, import_text, shared_text

FILE_NAME = "synoniemen.txt"


def import_synonyms(directory: Path) -> None:
    """Merge DIR/synoniemen.txt into the shared list and say so in one line.

    Raises click.ClickException (file and reason) for a file that cannot be read.
    """
    path = directory / FILE_NAME
    if not path.is_file():
        return
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else exc.strerror or exc
        raise click.ClickException(f"{path}: cannot read the synonym list: {reason}") from exc
    with unit_of_work():
        outcome = import_text(text)
    forget_here()
    click.echo(f"Synonyms from {path}: {outcome} ({_groups(text)} groups in the file).")


def export_synonyms(directory: Path) -> None:
    """Write the shared list (or, before its first import, the configured file's) to
    DIR/synoniemen.txt. Raises click.ClickException when the file cannot be written."""
    text = shared_text(synonym_file())
    if not text:
        return
    path = directory / FILE_NAME
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror or exc}") from exc
    click.echo(f"Wrote the synonym list to {path} ({_groups(text)} groups).")


def _groups(text: str) -> int:
    return len(Synonyms.parse(text).groups)
