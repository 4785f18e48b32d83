"""Three-way merge of an edit made on an old revision: the body line by line (Breezy's
``merge3`` over ``patiencediff``, as Breezy itself merges; the only code here that knows
them), the title and metadata field by field.

Where both sides changed the same lines, the block is merged once more word by word (the same
merge3, over words, spaces and punctuation): two edits in one long paragraph that touch
different words merge cleanly and are marked ``merged``. Edits with no whole word between
them (``tien seconden`` to ``dertig seconden`` and ``tien minuten``) stay a conflict.

Patience diff aligns on lines that occur once, so the many blank lines of Markdown do not
pull the alignment off, and it stays fast on a 100 000-character text rewritten by both
sides (difflib without autojunk took minutes there; with autojunk it misaligns).

"mine" is the text the editor submitted, "theirs" the revision saved meanwhile, "base" the
revision both started from. Nothing here writes; the service and the pages use the result.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import merge3
from patiencediff import PatienceSequenceMatcher

FieldOrigin = Literal["unchanged", "mine", "theirs", "both", "conflict"]
# "merged": both changed these lines, in different words; merged word by word.
Origin = FieldOrigin | Literal["merged"]
Choice = Literal["mine", "theirs", "both"]
CHOICES: tuple[Choice, ...] = ("mine", "theirs", "both")
MARKER_MINE, MARKER_BASE, MARKER_SPLIT, MARKER_THEIRS = (
    "<<<<<<< mijn versie",
    "||||||| basis",
    "=======",
    ">>>>>>> hun versie",
)


@dataclass(frozen=True)
class Words:
    """A run of a word-merged block: ``old`` (base) text replaced by ``new`` by one side, or
    by both alike, or left as it was (``unchanged``: old == new). Text may span lines."""

    origin: Literal["unchanged", "mine", "theirs", "both"]
    old: str
    new: str


@dataclass(frozen=True)
class Segment:
    """A run of lines with one story: unchanged, changed by one side or both alike, or a
    conflict (both sides changed the same lines differently). Lines carry no newline."""

    origin: Origin
    base: tuple[str, ...]
    mine: tuple[str, ...]
    theirs: tuple[str, ...]
    conflict: int | None = None  # index among the conflicts
    words: tuple[Words, ...] = ()  # origin "merged": the block word by word

    @property
    def lines(self) -> tuple[str, ...]:
        """The merged lines; a conflict has none until it is decided."""
        if self.origin == "theirs":
            return self.theirs
        if self.origin == "merged":
            return tuple("".join(w.new for w in self.words).split("\n"))
        if self.origin == "conflict":
            return ()
        return self.mine

    def choose(self, choice: Choice) -> tuple[str, ...]:
        if choice == "mine":
            return self.mine
        if choice == "theirs":
            return self.theirs
        return self.theirs + self.mine


@dataclass(frozen=True)
class TextMerge:
    segments: tuple[Segment, ...]

    @property
    def conflicts(self) -> list[Segment]:
        return [s for s in self.segments if s.origin == "conflict"]

    @property
    def clean(self) -> bool:
        return not self.conflicts

    @property
    def text(self) -> str:
        """The merged text; an undecided conflict shows both sides between markers."""
        return _join(self._lines(None))

    def resolve(self, choices: Mapping[int, Choice]) -> str:
        """The text with each conflict decided. Raises KeyError naming an undecided one."""
        return _join(self._lines(choices))

    def _lines(self, choices: Mapping[int, Choice] | None) -> list[str]:
        return [line for seg in self.segments for line in _segment_lines(seg, choices)]

    def conflict_line(self, index: int) -> int:
        """1-based line in ``text`` where conflict ``index`` starts (its first marker)."""
        line = 1
        for seg in self.segments:
            if seg.conflict == index:
                return line
            line += len(_segment_lines(seg, None))
        raise IndexError(index)


def _segment_lines(seg: Segment, choices: Mapping[int, Choice] | None) -> list[str]:
    if seg.conflict is None:
        return list(seg.lines)
    if choices is not None:
        return list(seg.choose(choices[seg.conflict]))
    return [
        MARKER_MINE,
        *seg.mine,
        MARKER_BASE,
        *seg.base,
        MARKER_SPLIT,
        *seg.theirs,
        MARKER_THEIRS,
    ]


def _split(text: str) -> list[str]:
    return text.split("\n") if text else []


def _join(lines: Sequence[str]) -> str:
    return "\n".join(lines)


def merge_text(base: str, mine: str, theirs: str) -> TextMerge:
    """Merge two edits of ``base`` line by line; a block both changed, word by word."""
    segments: list[Segment] = []
    for origin, b, m, t in _regions(_split(base), _split(mine), _split(theirs)):
        if origin != "conflict":
            segments.append(Segment(origin, b, m, t))
            continue
        words = _merge_words(b, m, t)
        if words is not None:
            segments.append(Segment("merged", b, m, t, words=words))
            continue
        number = sum(s.conflict is not None for s in segments)
        segments.append(Segment("conflict", b, m, t, number))
    return TextMerge(tuple(segments))


Region = tuple[Origin, tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def _regions(b: Sequence[str], m: Sequence[str], t: Sequence[str]) -> list[Region]:
    """merge3's regions as (origin, base, mine, theirs) slices, none of base left out."""
    # merge3's matcher protocol admits no difflib-shaped class under mypy, not even difflib's
    # own (merge3 silences that itself); patiencediff's is one.
    matcher = cast("type[merge3.SequenceMatcherProtocol[str]]", PatienceSequenceMatcher)
    regions = list(merge3.Merge3(b, m, t, sequence_matcher=matcher).merge_regions())
    out: list[Region] = []
    base_at = 0  # where in base the next region starts
    for i, region in enumerate(regions):
        if region[0] == "unchanged":
            _, start, end = region
            if start > base_at:  # both sides deleted these (merge3 skips them)
                out.append(("both", tuple(b[base_at:start]), (), ()))
            same = tuple(b[start:end])
            out.append(("unchanged", same, same, same))
            base_at = end
            continue
        if region[0] == "conflict":
            _, zs, ze, ms, me, ts, te = region
            out.append(("conflict", tuple(b[zs:ze]), tuple(m[ms:me]), tuple(t[ts:te])))
            base_at = ze
            continue
        # merge3 gives only the changed side's range; the base items it replaces run up to
        # the next unchanged region (there is at most one change between two of them).
        base_end = next((r[1] for r in regions[i + 1 :] if r[0] == "unchanged"), len(b))
        old = tuple(b[base_at:base_end])
        _, start, end = region
        if region[0] == "a":
            out.append(("mine", old, tuple(m[start:end]), old))
        elif region[0] == "b":
            out.append(("theirs", old, old, tuple(t[start:end])))
        else:  # "same": both made this change
            new = tuple(m[start:end])
            out.append(("both", old, new, new))
        base_at = base_end
    if base_at < len(b):  # both deleted the end
        out.append(("both", tuple(b[base_at:]), (), ()))
    return out


_TOKEN = re.compile(r"\n|[^\S\n]+|\w+|[^\w\s]")
# Three texts of MAX_BODY characters hold about 100 000 tokens; merged in well under a second.
# Past this a block both rewrote is a conflict to decide, not worth the wait.
_MAX_TOKENS = 120_000


def _merge_words(
    base: tuple[str, ...], mine: tuple[str, ...], theirs: tuple[str, ...]
) -> tuple[Words, ...] | None:
    """The block both sides changed, merged word by word; None when that overlaps too.

    A block one side deleted or both inserted has nothing to merge in it. Changes by the
    two sides with no word between them (only spaces or punctuation) count as overlapping.
    """
    if not (base and mine and theirs):
        return None
    b, m, t = (_TOKEN.findall("\n".join(lines)) for lines in (base, mine, theirs))
    if len(b) + len(m) + len(t) > _MAX_TOKENS:
        return None
    words: list[Words] = []
    last_side, gap = "", ""
    for origin, old, new_mine, new_theirs in _regions(b, m, t):
        if origin == "conflict":
            return None
        if origin == "unchanged":
            gap += "".join(old)
            words.append(Words("unchanged", "".join(old), "".join(old)))
            continue
        if origin in ("mine", "theirs"):
            if last_side and last_side != origin and not _WORDISH.search(gap):
                return None
            last_side, gap = origin, ""
        new = new_theirs if origin == "theirs" else new_mine
        words.append(
            Words(cast("Literal['mine', 'theirs', 'both']", origin), "".join(old), "".join(new))
        )
    return tuple(words)


_WORDISH = re.compile(r"\w")


@dataclass(frozen=True)
class FieldMerge:
    """One field: who changed it, and the value kept (None while it is a conflict)."""

    name: str
    base: Any
    mine: Any
    theirs: Any
    known_base: bool = True  # False: the base revision is unknown, so is who changed what

    @property
    def origin(self) -> FieldOrigin:
        if self.mine == self.theirs:
            return "unchanged" if self.known_base and self.mine == self.base else "both"
        if not self.known_base:
            return "conflict"
        if self.mine == self.base:
            return "theirs"
        if self.theirs == self.base:
            return "mine"
        return "conflict"

    @property
    def conflict(self) -> bool:
        return self.origin == "conflict"

    @property
    def value(self) -> Any:
        return self.theirs if self.origin == "theirs" else self.mine

    def choose(self, choice: Choice) -> Any:
        if choice == "mine":
            return self.mine
        if choice == "theirs":
            return self.theirs
        if isinstance(self.mine, list) and isinstance(self.theirs, list):
            return list(dict.fromkeys([*self.theirs, *self.mine]))  # tags: both sets
        raise ValueError(f"{self.name} has no 'both'")


def merge_fields(
    base: Mapping[str, Any] | None, mine: Mapping[str, Any], theirs: Mapping[str, Any]
) -> dict[str, FieldMerge]:
    """Field by field: a field only one side changed takes that change; both changed to
    different values is a conflict. Without a base every difference is a conflict."""
    return {
        name: FieldMerge(
            name, base[name] if base else None, mine[name], theirs[name], base is not None
        )
        for name in theirs
    }


@dataclass(frozen=True)
class DocumentMerge:
    """An edit of revision ``base`` merged with revision ``theirs``, the document's current."""

    base: int | None
    theirs: int
    body: TextMerge
    fields: dict[str, FieldMerge] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return self.body.clean and not any(f.conflict for f in self.fields.values())

    def resolve(
        self, blocks: Mapping[int, Choice], fields: Mapping[str, Choice]
    ) -> tuple[str, dict[str, Any]]:
        """Body and field values with every conflict decided.

        Raises Undecided naming the conflicts (blocks, then fields) that have no choice.
        """
        missing = [f"blok-{s.conflict}" for s in self.body.conflicts if s.conflict not in blocks]
        missing += [f"veld-{n}" for n, f in self.fields.items() if f.conflict and n not in fields]
        if missing:
            raise Undecided(missing)
        values = {
            name: f.choose(fields[name]) if f.conflict else f.value
            for name, f in self.fields.items()
        }
        return self.body.resolve(blocks), values


class Undecided(Exception):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(", ".join(missing))
        self.missing = missing
