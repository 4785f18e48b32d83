"""The seed scripts in content/scripts/: front matter, steps, branches and placeholders.

Plain file checks, no app: the script page numbers every ``## `` heading as "Stap N" with
the anchor ``#stap-N``, fills ``{{placeholders}}`` in the browser and turns ``- [ ]`` items
into checks, so a wrong step number or a broken placeholder is a broken script.
"""

import re
from pathlib import Path

import pytest
import yaml

CONTENT = Path(__file__).resolve().parent.parent / "content"
SCRIPTS = CONTENT / "scripts"
CHANNELS = {"phone", "chat", "email", "social", "escalation", "voicemail", "letter", "in-person"}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PLACEHOLDER_RE = re.compile(r"\{\{[a-z][a-z0-9_]*\}\}")
STEP_LINK_RE = re.compile(r"\]\(#stap-(\d+)\)")
ANCHOR_LINK_RE = re.compile(r"\]\(#([^)]*)\)")
WIKILINK_RE = re.compile(r"\[\[([a-z0-9][a-z0-9-]{0,119})(?:\|[^\]\n]{1,120})?\]\]")
FRONT_KEYS = {"title", "slug", "kind", "audience", "channel", "category", "tags", "min_edit_role"}


def _split(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{path}: no front matter"
    raw, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(raw), body


def _steps(body: str) -> list[str]:
    return [line[3:].strip() for line in body.splitlines() if line.startswith("## ")]


SCRIPT_FILES = sorted(SCRIPTS.rglob("*.md"))


def _id(path: Path) -> str:
    return str(path.relative_to(SCRIPTS))


def test_enough_scripts_on_every_channel():
    assert len(SCRIPT_FILES) >= 18
    assert {p.parent.name for p in SCRIPT_FILES} == CHANNELS
    categories = {_split(p)[0]["category"] for p in SCRIPT_FILES}
    assert {"escalatie", "beleid"} <= categories


def test_slugs_are_unique_across_all_content():
    slugs = [_split(p)[0]["slug"] for p in CONTENT.rglob("*.md") if p.name != "README.md"]
    assert len(slugs) == len(set(slugs)), sorted(s for s in slugs if slugs.count(s) > 1)


@pytest.mark.parametrize("path", SCRIPT_FILES, ids=_id)
def test_front_matter(path):
    meta, _ = _split(path)
    assert set(meta) <= FRONT_KEYS, set(meta) - FRONT_KEYS
    assert meta["kind"] == "script"
    assert meta["audience"] == "internal"
    assert meta["channel"] in CHANNELS and meta["channel"] == path.parent.name
    assert meta["slug"] == path.stem and SLUG_RE.match(meta["slug"]) and len(meta["slug"]) <= 120
    assert SLUG_RE.match(meta["category"])
    assert isinstance(meta["title"], str) and meta["title"].strip()
    assert isinstance(meta["tags"], list) and meta["tags"]
    if meta["channel"] == "escalation" or meta["category"] == "beleid":
        assert meta.get("min_edit_role", "supervisor") in {"supervisor", "admin"}


@pytest.mark.parametrize("path", SCRIPT_FILES, ids=_id)
def test_steps_and_branches(path):
    _, body = _split(path)
    steps = _steps(body)
    assert 4 <= len(steps) <= 9, steps
    assert not any(re.match(r"(stap\s*)?\d", s, re.I) for s in steps), "no numbers in step names"
    assert len(set(steps)) == len(steps), "step names are unique"
    intro = body.split("\n## ", 1)[0].strip()
    assert intro and not intro.startswith("#"), "an opening paragraph comes before the steps"
    for n in STEP_LINK_RE.findall(body):
        assert 1 <= int(n) <= len(steps), f"#stap-{n} but only {len(steps)} steps"
    for anchor in ANCHOR_LINK_RE.findall(body):
        assert re.fullmatch(r"stap-\d+", anchor), f"unknown anchor #{anchor}"


@pytest.mark.parametrize("path", SCRIPT_FILES, ids=_id)
def test_placeholders_and_markup(path):
    _, body = _split(path)
    rest = PLACEHOLDER_RE.sub("", body)
    assert "{{" not in rest and "}}" not in rest, "every {{ forms a valid placeholder"
    assert re.search(r"^> ", body, re.M), "text to say or paste is in a blockquote"
    assert not re.search(r"<[a-zA-Z/!]", body), "Markdown only, no HTML"
    assert not re.search(r"^\s*[-*] \[[xX]\]", body, re.M), "checks start unticked"


@pytest.mark.parametrize("path", SCRIPT_FILES, ids=_id)
def test_wiki_links_resolve(path):
    slugs = {p.stem for p in CONTENT.rglob("*.md") if p.name != "README.md"}
    _, body = _split(path)
    missing = set(WIKILINK_RE.findall(body)) - slugs
    assert not missing, missing


def _lists(body: str) -> list[list[str]]:
    """Runs of consecutive top-level ``- `` items (a blank line does not end a list)."""
    runs, run = [], []
    for line in body.splitlines():
        if line.startswith("- "):
            run.append(line)
        elif line.strip() and not line.startswith("  "):
            runs, run = runs + [run] if run else runs, []
    return runs + [run] if run else runs


def test_list_runs_helper():
    body = "- [ ] a\n\n- b\n\nTekst\n- c\n"
    assert _lists(body) == [["- [ ] a", "- b"], ["- c"]]


@pytest.mark.parametrize("path", SCRIPT_FILES, ids=_id)
def test_checks_and_other_items_are_separate_lists(path):
    """A list is either all checks (``- [ ]``) or none, so the page renders it as one kind."""
    _, body = _split(path)
    for items in _lists(body):
        assert len({item.startswith("- [ ]") for item in items}) == 1, items
