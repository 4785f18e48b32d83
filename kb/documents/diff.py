"""Differences between two revisions: the Markdown source line by line, and the rendered text."""

import difflib
import re
from dataclasses import dataclass
from html import escape, unescape

import nh3
from markupsafe import Markup

from kb.documents.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES
from kb.documents.models import Revision


@dataclass(frozen=True)
class DiffLine:
    op: str  # " " same, "-" removed, "+" added, "@" hunk header
    text: str


def source_diff(old: Revision, new: Revision, context: int = 3) -> list[DiffLine]:
    """Unified diff of title and body, as lines for a template or the API."""
    a = [f"# {old.title}", "", *old.body.splitlines()]
    b = [f"# {new.title}", "", *new.body.splitlines()]
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


def unified_text(old: Revision, new: Revision) -> str:
    a = [f"# {old.title}", "", *old.body.splitlines()]
    b = [f"# {new.title}", "", *new.body.splitlines()]
    return "\n".join(
        difflib.unified_diff(a, b, f"revisie {old.number}", f"revisie {new.number}", lineterm="")
    )


_BLOCK = re.compile(r"(?=<(?:p|h[1-6]|li|tr|pre|blockquote|div|dt|dd)[ >])")
_TAG = re.compile(r"<[^>]+>")


def _blocks(html: str) -> list[str]:
    return [b.strip() for b in _BLOCK.split(html) if _TAG.sub("", b).strip()]


def rendered_diff(old: Revision, new: Revision) -> Markup:
    """The new rendering with removed blocks in <del> and added ones in <ins>.

    Works on sanitised HTML blocks, so the output contains only markup we stored ourselves.
    Words inside a changed paragraph are compared as text.
    """
    a, b = _blocks(old.html), _blocks(new.html)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(b[j1:j2])
            continue
        if op == "replace" and i2 - i1 == j2 - j1:
            for old_block, new_block in zip(a[i1:i2], b[j1:j2], strict=True):
                out.append(_word_diff(old_block, new_block))
            continue
        out.extend(f'<del class="diff-block">{blk}</del>' for blk in a[i1:i2])
        out.extend(f'<ins class="diff-block">{blk}</ins>' for blk in b[j1:j2])
    # Blocks cut from lists and tables leave tags open; the sanitiser re-balances them.
    attributes = {**ALLOWED_ATTRIBUTES, "del": {"class"}, "ins": {"class"}}
    html = nh3.clean(
        "\n".join(out), tags=ALLOWED_TAGS, attributes=attributes, url_schemes=URL_SCHEMES
    )
    return Markup(html)  # noqa: S704 - sanitised just above


def _word_diff(old_block: str, new_block: str) -> str:
    old_words = unescape(_TAG.sub("", old_block)).split()
    new_words = unescape(_TAG.sub("", new_block)).split()
    parts = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(new_words[j1:j2])))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(' '.join(old_words[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{escape(' '.join(new_words[j1:j2]))}</ins>")
    return f'<p class="diff-changed">{" ".join(parts)}</p>'
