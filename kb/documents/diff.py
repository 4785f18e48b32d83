"""Differences between two revisions: the Markdown source line by line, and the rendered text."""

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup
from patiencediff import PatienceSequenceMatcher

from kb.documents.markdown import sanitise
from kb.documents.models import Revision


@dataclass(frozen=True)
class DiffLine:
    op: str  # " " same, "-" removed, "+" added, "@" hunk header; "~" skipped lines (pages)
    text: str


def _lines(rev: Revision) -> list[str]:
    """Title, metadata as front matter, then the body: every versioned field is compared."""
    meta = [
        f"{name}: {', '.join(value) if isinstance(value, list) else (value or '')}"
        for name, value in rev.meta.items()
    ]
    return ["---", *meta, "---", f"# {rev.title}", "", *rev.body.splitlines()]


def source_diff(old: Revision, new: Revision, context: int = 3) -> list[DiffLine]:
    """Unified diff of metadata, title and body, as lines for a template or the API."""
    a, b = _lines(old), _lines(new)
    lines = []
    for line in difflib.unified_diff(
        a, b, f"r{old.number}", f"r{new.number}", n=context, lineterm=""
    ):
        if line.startswith(("---", "+++")):
            continue
        lines.append(
            DiffLine(line[0] if line[0] in " -+@" else " ", line[1:] if line[0] != "@" else line)
        )
    return lines


def page_lines(old: Revision, new: Revision, context: int = 3) -> list[DiffLine]:
    """The source diff as the compare page shows it: no ``@@ -8,6 +8,8 @@`` hunk headers,
    a "~" line wherever unchanged lines are left out (between changes, before the first one
    unless it starts at the top, and after the last one unless it reaches the end)."""
    a, b = _lines(old), _lines(new)
    lines: list[DiffLine] = []
    for group in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        if lines or first[1] > 0 or first[3] > 0:
            lines.append(DiffLine("~", ""))
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                lines.extend(DiffLine(" ", text) for text in a[i1:i2])
                continue
            lines.extend(DiffLine("-", text) for text in a[i1:i2])
            lines.extend(DiffLine("+", text) for text in b[j1:j2])
    if lines and (last[2] < len(a) or last[4] < len(b)):
        lines.append(DiffLine("~", ""))
    return lines


def unified_text(old: Revision, new: Revision) -> str:
    a, b = _lines(old), _lines(new)
    return "\n".join(
        difflib.unified_diff(a, b, f"revisie {old.number}", f"revisie {new.number}", lineterm="")
    )


_TOKEN = re.compile(r"<[^>]+>|[^<\s]+|\s+")


def rendered_diff(
    old: Revision, new: Revision, resolve: Callable[[str], str] | None = None
) -> Markup:
    """The new rendering, with removed words in <del> and added words in <ins>.

    Works on tokens (tags, words, spaces) of the stored, sanitised HTML. The markup comes
    from the new revision only, so tables and lists keep their shape; removed text is shown
    where it was, and a wrapper never crosses a tag. ``resolve`` fills in the wiki links for
    the reader first, so ``[[slug]]`` shows the title it shows on the article page (and a
    changed link target counts as changed text).
    """
    old_html, new_html = (resolve(old.html), resolve(new.html)) if resolve else (old.html, new.html)
    a, b = _TOKEN.findall(old_html), _TOKEN.findall(new_html)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(b[j1:j2])
            continue
        if i2 > i1:
            removed = "".join(t for t in a[i1:i2] if not t.startswith("<"))
            if removed.strip():
                out.append(f"<del>{removed}</del>")
        if j2 > j1:
            out.extend(_wrap_text(b[j1:j2], "ins"))
    html = sanitise("".join(out), extra_attributes={"del": {"class"}, "ins": {"class"}})
    return Markup(html)  # noqa: S704 - sanitised just above


def _wrap_text(tokens: list[str], tag: str) -> list[str]:
    """Wrap each run of text between tags in <tag>, leaving the tags themselves as they are."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if "".join(run).strip():
            out.append(f"<{tag}>{''.join(run)}</{tag}>")
        elif run:
            out.append("".join(run))
        run.clear()

    for token in tokens:
        if token.startswith("<"):
            flush()
            out.append(token)
        else:
            run.append(token)
    flush()
    return out


_WORD = re.compile(r"\s+|\w+|[^\w\s]")
_MAX_WORDS = 200_000  # beyond this the lines are shown without word marks


def word_marks(old: Sequence[str], new: Sequence[str]) -> list[Markup]:
    """The ``new`` lines as HTML, with each run of words that ``old`` did not have in
    <mark class="m-word">, so a change inside a long paragraph line is easy to find."""
    a, b = _WORD.findall("\n".join(old)), _WORD.findall("\n".join(new))
    if not a or not b or len(a) + len(b) > _MAX_WORDS:
        return [Markup("{}").format(line) for line in new]
    marked = [False] * len(b)
    # Patience diff: fast on long texts, where difflib without autojunk is quadratic.
    for op, _i1, _i2, j1, j2 in PatienceSequenceMatcher(None, a, b).get_opcodes():
        if op != "equal":
            marked[j1:j2] = [True] * (j2 - j1)
    for j in range(1, len(b) - 1):  # one mark over "two new words", not one per word
        if b[j].isspace() and "\n" not in b[j] and marked[j - 1] and marked[j + 1]:
            marked[j] = True
    lines: list[Markup] = []
    line, run = Markup(""), ""

    def flush() -> None:
        nonlocal line, run
        if run:
            word = run.rstrip()
            line += Markup('<mark class="m-word">{}</mark>{}').format(word, run[len(word) :])
            run = ""

    for token, mark in zip(b, marked, strict=True):
        for i, part in enumerate(token.split("\n")):
            if i:  # a line ends inside this (whitespace) token
                flush()
                lines.append(line)
                line = Markup("")
            if mark and part.strip():
                run += part
            elif mark and run:
                run += part  # spaces between marked words stay inside the mark
            else:
                flush()
                line += part
    flush()
    lines.append(line)
    return lines
