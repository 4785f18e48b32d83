"""Issue 20: a broken content/ file fails the whole import with its file and line, changing nothing.

A good folder is imported first. Then a second folder holds changed and new good files and,
sorted after them, one broken file. `kb content import` must exit non-zero with one line
naming the broken file (and its line, where there is one), and the documents, revisions and
the search answers must be exactly as before.
"""

import re
from pathlib import Path

import pytest

from kb.audit.models import AuditEvent
from kb.documents.models import MAX_BODY, Document, Revision
from kb.extensions import db

pytestmark = pytest.mark.search


def page(slug: str, title: str, body: str, **meta: str) -> str:
    fields = {"title": title, "slug": slug, "kind": "article", "audience": "public"}
    fields.update(meta)
    fields.setdefault("category", "storingen")
    front = "".join(f"{k}: {v}\n" for k, v in fields.items())
    return f"---\n{front}---\n{body}\n"


GOOD = {
    "a-glasvezel.md": page("glasvezel-storing", "Storing glasvezel", "Herstart het kastje."),
    "b-router.md": page("router-herstarten", "Router herstarten", "Trek de stekker eruit."),
}

# Sorted before the broken file: one changed document and one new document full of a word.
CHANGED = {
    "a-glasvezel.md": page(
        "glasvezel-storing", "Storing glasvezel", "Herstart het kastje. Boterbloem."
    ),
    "b-router.md": GOOD["b-router.md"],
    "c-nieuw.md": page("boterbloem-nieuw", "Boterbloem", "Een nieuw boterbloem artikel."),
}


def write(directory: Path, files: dict[str, str | bytes]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        target = directory / name
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
    return directory


def state(app, client) -> tuple:
    """Documents and their revisions, plus what search answers for old and new words."""
    with app.app_context():
        docs = db.session.execute(
            db.select(Document.slug, Document.status, Document.current_number).order_by(
                Document.slug
            )
        ).all()
        revisions = db.session.scalar(db.select(db.func.count(Revision.id)))
        events = db.session.scalar(db.select(db.func.count(AuditEvent.id)))
    searches = []
    for word in ("kastje", "boterbloem", "herstarten"):
        response = client.get(f"/api/v1/search?q={word}")
        assert response.status_code == 200
        searches.append((response.json["total"], [r["slug"] for r in response.json["results"]]))
    return [tuple(d) for d in docs], revisions, searches, events


BROKEN = {
    "yaml": (page("z-kapot", "Kapot", "x").replace("kind: article", "kind: [article"), 4),
    "kind": (page("z-kapot", "Kapot", "x").replace("kind: article", "kind: handleiding"), 4),
    "audience": (page("z-kapot", "Kapot", "x", audience="iedereen"), 5),
    "channel": (
        page("z-kapot", "Kapot", "## Stap\n\nx", kind="script", audience="internal", channel="fax"),
        6,
    ),
    "title": (page("z-kapot", "Kapot", "x").replace("title: Kapot\n", ""), None),
    "empty-title": (page("z-kapot", "''", "x"), 2),
    "utf8": (page("z-kapot", "Kapot", "regel een\nregel \xff twee").encode("latin-1"), 9),
    "duplicate": (page("glasvezel-storing", "Nog een storing", "Tweede bestand."), 3),
    "long-body": (page("z-kapot", "Kapot", "a" * (MAX_BODY + 1)), 8),
    "too-large": (page("z-kapot", "Kapot", "storing " * 200_000), None),
    "status": (page("z-kapot", "Kapot", "x", status="gepubliceerd"), 6),
    "slug": (page("Z Kapot!", "Kapot", "x"), 3),
    "slug-number": (page("123", "Kapot", "x"), 3),
    "title-list": (page("z-kapot", "[een, twee]", "x"), 2),
    "language": (page("z-kapot", "Kapot", "x", language="fr"), 6),
    "role": (page("z-kapot", "Kapot", "x", min_edit_role="baas"), 6),
    "script-without-channel": (
        page("z-kapot", "Kapot", "## Stap\n\nx", kind="script", audience="internal"),
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_file_fails_whole_import_and_changes_nothing(app, client, runner, tmp_path, case):
    first = runner.invoke(args=["content", "import", str(write(tmp_path / "good", GOOD))])
    assert first.exit_code == 0, first.output
    before = state(app, client)
    assert before[2][0][0] == 1  # the search index knows the imported documents

    text, line = BROKEN[case]
    folder = write(tmp_path / "next", {**CHANGED, "z-kapot.md": text})
    result = runner.invoke(args=["content", "import", str(folder)])

    assert result.exit_code != 0
    assert "Traceback" not in result.output
    broken = str(folder / "z-kapot.md")
    # One line says what is wrong and where (a terminal-less progress bar may print its label).
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    message = errors[0]
    assert broken in message, result.output
    if line is not None:
        assert re.search(re.escape(broken) + rf":{line}\b", message), message
    assert state(app, client) == before


def test_the_same_folder_without_the_broken_file_imports(app, client, runner, tmp_path):
    """The control: the good files that came before the broken one do change things."""
    runner.invoke(args=["content", "import", str(write(tmp_path / "good", GOOD))])
    before = state(app, client)
    result = runner.invoke(args=["content", "import", str(write(tmp_path / "next", CHANGED))])
    assert result.exit_code == 0, result.output
    after = state(app, client)
    assert after != before
    assert after[2][1][0] == 2  # both boterbloem documents are found


def test_a_missing_folder_is_one_line_and_non_zero(runner, tmp_path):
    result = runner.invoke(args=["content", "import", str(tmp_path / "nergens")])
    assert result.exit_code != 0
    assert [line for line in result.output.splitlines() if line.startswith("Error:")] == [
        f"Error: {tmp_path / 'nergens'}: no such directory"
    ]
