"""What changed between two published revisions, compact enough for a banner above a script:
only the changed paragraphs, list items and table rows, rendered, with removed words in <del>
and added words in <ins>; no hunk headers, no Markdown source."""

import difflib
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from markupsafe import Markup

from kb.documents.diff import rendered_diff
from kb.documents.markdown import sanitise
from kb.documents.models import Revision

_TOKEN = re.compile(r"<[^>]+>|[^<]+")
_TAG = re.compile(r"</?([a-zA-Z0-9]+)")
_VOID = frozenset({"br", "hr", "img", "input", "wbr", "col"})
# Containers whose unchanged children are left out: a list shows its changed items only.
_PRUNED = frozenset({"ul", "ol", "table", "tbody"})
_INLINE = frozenset({"ins", "del", "a", "strong", "em", "b", "i", "code", "span", "mark"})
_HEADING = re.compile(r"<(/?)h[1-6]\b[^>]*>")
_HEADINGS = frozenset(f"h{n}" for n in range(1, 7))
_WORDS = re.compile(r"\w+|[^\w\s]")
SIMILAR = 0.4  # below this share of common words, a block counts as removed plus a new one
MAX_BLOCKS = 30


@dataclass
class _Node:
    open: str  # the opening tag, or the text itself for a text node
    tag: str | None = None  # None: text
    children: list["_Node"] = field(default_factory=list)
    close: str = ""

    def html(self) -> str:
        return self.open + "".join(c.html() for c in self.children) + self.close

    @property
    def changed(self) -> bool:
        return self.tag in ("ins", "del") or any(c.changed for c in self.children)


def _parse(html: str) -> list[_Node]:
    """Sanitised HTML as a small tree. nh3's output is balanced, so a stack suffices; a stray
    closing tag is dropped rather than trusted."""
    root = _Node("", "#root")
    stack = [root]
    for token in _TOKEN.findall(html):
        match = _TAG.match(token)
        if match is None or token.startswith("<!"):
            stack[-1].children.append(_Node(token))
            continue
        tag = match.group(1).lower()
        if token.startswith("</"):
            if len(stack) > 1 and stack[-1].tag == tag:
                stack.pop().close = token
            continue
        node = _Node(token, tag)
        stack[-1].children.append(node)
        if tag not in _VOID and not token.endswith("/>"):
            stack.append(node)
    return root.children


def _blocks(html: str) -> list[_Node]:
    return [n for n in _parse(html) if n.tag is not None or n.open.strip()]


def _pruned(node: _Node) -> _Node:
    if node.tag not in _PRUNED:
        return node
    # A table keeps its header row for context; lists and bodies keep changed rows only.
    kept = [_pruned(c) for c in node.children if c.changed or c.tag == "thead"]
    return _Node(node.open, node.tag, kept, node.close)


def _marked(node: _Node, tag: str) -> str:
    """A whole block added (ins) or removed (del): its structure, every text run wrapped."""
    if node.tag is None:
        return f"<{tag}>{node.open}</{tag}>" if node.open.strip() else node.open
    return node.open + "".join(_marked(c, tag) for c in node.children) + node.close


def _paired(old: _Node, new: _Node) -> str:
    as_revision: Any = SimpleNamespace  # rendered_diff reads only .html
    return str(rendered_diff(as_revision(html=old.html()), as_revision(html=new.html())))


def _similarity(old: _Node, new: _Node) -> float:
    a, b = _WORDS.findall(_text(old)), _WORDS.findall(_text(new))
    return difflib.SequenceMatcher(a=a, b=b, autojunk=False).ratio() if a or b else 1.0


def _text(node: _Node) -> str:
    return node.open if node.tag is None else " ".join(_text(c) for c in node.children)


def _headings(new: list[_Node]) -> list[Markup | None]:
    """For each new block, the text of the heading above it (the script step it belongs to)."""
    out: list[Markup | None] = []
    last: Markup | None = None
    for node in new:
        out.append(last)
        if node.tag in _HEADINGS:
            # Text nodes of sanitised HTML: already escaped.
            last = Markup(" ".join(_text(node).split()))  # noqa: S704
    return [*out, last]  # the last entry: below the final block


def _changed_html(old: list[_Node], new: list[_Node]) -> list[tuple[Markup | None, str]]:
    """Blocks in the new document's order, each with the heading it sits under: removed ones,
    added ones, and edited ones with their words marked. Edited blocks are paired in order
    with the most similar old block of the same kind, so removing one paragraph does not
    read as rewriting the next."""
    out: list[tuple[Markup | None, str]] = []
    under = _headings(new)
    matcher = difflib.SequenceMatcher(
        a=[n.html() for n in old], b=[n.html() for n in new], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        i = i1
        for j in range(j1, j2):
            where = None if new[j].tag in _HEADINGS else under[j]
            scores = [(_similarity(old[k], new[j]), k) for k in range(i, i2)]
            scores = [(s, k) for s, k in scores if old[k].tag == new[j].tag and s >= SIMILAR]
            if not scores:
                out.append((where, _marked(new[j], "ins")))
                continue
            _score, k = max(scores, key=lambda sk: (sk[0], -sk[1]))
            out.extend((under[j], _marked(old[m], "del")) for m in range(i, k))
            out.append((where, _paired(old[k], new[j])))
            i = k + 1
        out.extend((under[j2], _marked(old[m], "del")) for m in range(i, i2))
    return out


def _plain(html: str) -> str:
    """Headings as bold paragraphs without ids: the page's own headings keep their anchors."""
    return _HEADING.sub(lambda m: "</p>" if m.group(1) else '<p class="ack-heading">', html)


@dataclass(frozen=True)
class Block:
    """One changed block, and the heading it sits under (None: at the top, or a heading)."""

    html: Markup
    where: Markup | None = None


@dataclass
class Changes:
    """The changes from revision ``old`` to revision ``new``, for a reader of published text."""

    old: int
    new: int
    title: tuple[str, str] | None
    blocks: list[Block]
    more: int = 0  # changed blocks left out beyond MAX_BLOCKS

    @property
    def empty(self) -> bool:
        return self.title is None and not self.blocks


def changes(old: Revision, new: Revision) -> Changes:
    """The changed blocks of ``new`` compared with ``old``, as sanitised HTML fragments."""
    blocks: list[Block] = []
    for where, html in _changed_html(_blocks(old.html), _blocks(new.html)):
        for node in _blocks(sanitise(html, extra_attributes={"del": set(), "ins": set()})):
            if not node.changed:
                continue
            fragment = _plain(_pruned(node).html())
            if node.tag is None or node.tag in _INLINE:
                fragment = f"<p>{fragment}</p>"
            blocks.append(Block(Markup(fragment), where))  # noqa: S704 - sanitised just above
    title = (old.title, new.title) if old.title != new.title else None
    return Changes(
        old=old.number,
        new=new.number,
        title=title,
        blocks=blocks[:MAX_BLOCKS],
        more=max(len(blocks) - MAX_BLOCKS, 0),
    )
