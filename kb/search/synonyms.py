"""Synonym groups, applied at query time, shared by every host through the database.

The truth is the search_state row "synonyms" (a small JSON text: ``text``, the synonym list,
and ``base``, the file as `kb content import` last loaded it). Editors version the file
content/synoniemen.txt: `kb content import` merges the file's changes since ``base`` into
the row (kb.search.synonym_files), so lines added from the dashboard meanwhile stay;
`kb content export` writes the row back to the file. Until the row exists (a fresh
installation before its first import), search reads the file itself (KB_SYNONYMS_FILE), and
the first line added from the dashboard creates the row from that file.

Each process checks the row's updated_at at most once every KB_SYNONYMS_CHECK_SECONDS (1 s)
and parses the text again only when it changed; the parsed Synonyms are part of the search
result cache's key, so a changed list never gets an answer cached for the old one.
"""

import json
import logging
import math
import os
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from merge3 import Merge3
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from kb.db import utcnow
from kb.extensions import db
from kb.search.analysis import words
from kb.search.models import SearchState

log = logging.getLogger(__name__)
ROW = "synonyms"  # the search_state row that holds them
CHECK_EVERY = 1.0  # seconds between checks of the row, per process


@dataclass(frozen=True)
class Synonyms:
    """Groups of words that mean the same, each term a tuple of folded words."""

    groups: tuple[tuple[tuple[str, ...], ...], ...]

    @classmethod
    def parse(cls, text: str) -> "Synonyms":
        groups = []
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            terms = tuple(dict.fromkeys(tuple(words(t)) for t in line.split(",") if words(t)))
            if len(terms) > 1:
                groups.append(terms)
        return cls(tuple(groups))

    def _index(self) -> dict[str, list[tuple[tuple[str, ...], int]]]:
        index: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for gid, group in enumerate(self.groups):
            for term in group:
                index.setdefault(term[0], []).append((term, gid))
        for options in index.values():
            options.sort(key=lambda o: -len(o[0]))  # longest phrase first
        return index

    def expand(self, query_words: list[str]) -> list[list[list[str]]]:
        """Units for the query: each unit lists its alternatives (word lists).

        "rekening te hoog" -> [[["rekening"], ["factuur"], ["nota"]], [["te"]], [["hoog"]]]
        """
        index = self._index()
        units: list[list[list[str]]] = []
        i = 0
        while i < len(query_words):
            for term, gid in index.get(query_words[i], []):
                if tuple(query_words[i : i + len(term)]) == term:
                    units.append([list(term)] + [list(t) for t in self.groups[gid] if t != term])
                    i += len(term)
                    break
            else:
                units.append([[query_words[i]]])
                i += 1
        return units


# -- the shared row -------------------------------------------------------------------------
@dataclass(frozen=True)
class Stored:
    """The row's value: the synonym list, and the file text it was last imported from."""

    text: str
    base: str

    def to_json(self) -> str:
        return json.dumps({"text": self.text, "base": self.base}, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> "Stored":
        """An unreadable value counts as an empty list (logged), never as an error."""
        try:
            data = json.loads(raw)
            return cls(str(data["text"]), str(data.get("base", "")))
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("unreadable shared synonym list (search_state %r): %s", ROW, exc)
            return cls("", "")


def normal(text: str) -> str:
    """Unix line ends and a final newline, so equal lists compare equal."""
    text = text.replace("\r\n", "\n")
    return text if not text or text.endswith("\n") else text + "\n"


def read_file(path: Path) -> str | None:
    """The file's text (normal()); None when it is missing or unreadable. Raises nothing."""
    try:
        return normal(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def stored() -> Stored | None:
    """The shared list; None before its row exists. Raises what the database raises."""
    raw = db.session.scalar(select(SearchState.value).where(SearchState.name == ROW))
    return None if raw is None else Stored.from_json(raw)


def shared_text(seed: Path) -> str:
    """The synonym list search uses: the row's, else the file ``seed`` (else empty)."""
    found = stored()
    if found is not None:
        return found.text
    return read_file(seed) or ""


def _savepoint() -> AbstractContextManager:
    """On PostgreSQL a failed insert aborts the transaction unless in a savepoint; SQLite
    serialises writers, so two first inserts never race there."""
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.begin_nested()
    return nullcontext()


def _stamp(after: datetime | None) -> datetime:
    """A new updated_at, different from the last even within one clock tick."""
    now = utcnow()
    return now if after is None or now > after else after + timedelta(microseconds=1)


def _lock(seed: str) -> tuple[Stored, bool]:
    """Lock the row for this transaction and return it, creating it with the text ``seed``
    when missing (then True). Raises what the database raises."""
    statement = update(SearchState).where(SearchState.name == ROW).values(value=SearchState.value)
    # Touching the row takes its lock (PostgreSQL) or the database's write lock (SQLite).
    if db.session.execute(statement).rowcount == 0:  # type: ignore[attr-defined]
        try:
            with _savepoint():
                db.session.execute(
                    insert(SearchState).values(
                        name=ROW, value=Stored(seed, seed).to_json(), updated_at=utcnow()
                    )
                )
            return Stored(seed, seed), True
        except IntegrityError:  # another host created it a moment ago: lock theirs
            db.session.execute(statement)
    current = stored()
    assert current is not None  # locked: nobody deletes it meanwhile
    return current, False


def _save(value: Stored) -> None:
    last = db.session.scalar(select(SearchState.updated_at).where(SearchState.name == ROW))
    db.session.execute(
        update(SearchState)
        .where(SearchState.name == ROW)
        .values(value=value.to_json(), updated_at=_stamp(last))
    )


def add_line(line: str, seed: Path, header: str = "") -> bool:
    """Append ``line`` to the shared list, inside the caller's unit of work; False when an
    equal line is there already. The first addition creates the row from the file ``seed``.
    ``header``: a comment line put once above the added lines. Raises what the database
    raises."""
    current, _ = _lock(read_file(seed) or "")
    text = current.text
    if any(line == existing.strip() for existing in text.splitlines()):
        return False
    prefix = "" if not text or text.endswith("\n") else "\n"
    if header and header not in text:
        prefix += f"\n{header}\n"
    _save(Stored(f"{text}{prefix}{line}\n", current.base))
    return True


def merge(base: str, file: str, shared: str) -> str:
    """The shared list with the file's changes since ``base`` applied (three-way, by line).

    Where both changed the same lines: the file's lines, then the lines the shared list
    added there (e.g. from the dashboard); a line the file removed stays removed.
    """
    lines = Merge3(base.splitlines(True), file.splitlines(True), shared.splitlines(True))
    merged: list[str] = []
    for group in lines.merge_groups():
        if group[0] == "conflict":  # the file's lines, then the lines the list added there
            base_lines, ours, theirs = group[1], group[2], group[3]
            merged += [*ours, *(x for x in theirs if x not in ours and x not in base_lines)]
        else:
            merged += group[1]
    return "".join(line if line.endswith("\n") else line + "\n" for line in merged)


def import_text(file: str) -> str:
    """Load the file's text into the shared list, inside the caller's unit of work: the
    first time as it is, later its changes since the last import merged in. Returns
    "created", "updated" or "unchanged". Raises what the database raises."""
    file = normal(file)
    current, created = _lock(file)
    if created:
        return "created"
    merged = merge(current.base, file, current.text)
    if merged == current.text and file == current.base:
        return "unchanged"
    _save(Stored(merged, file))
    return "updated" if merged != current.text else "unchanged"


# -- what each process remembers --------------------------------------------------------------
class SynonymCache:
    """The parsed shared list, read again only when its row changed (one per app)."""

    def __init__(self) -> None:
        self._checked = -math.inf  # time.monotonic() of the last look at the row
        self._stamp: datetime | None = None
        self._shared: Synonyms | None = None
        self._files: dict[str, tuple[float, Synonyms]] = {}

    def forget(self) -> None:
        """Look at the row on the next load (after this process changed it)."""
        self._checked = -math.inf

    def load(self, path: Path) -> Synonyms:
        """The shared synonyms; before their row exists, those of the file ``path``.

        Raises what the database raises.
        """
        now = time.monotonic()
        every = current_app.config.get("KB_SYNONYMS_CHECK_SECONDS", CHECK_EVERY)
        if now - self._checked >= every:
            self._checked = now
            stamp = db.session.scalar(select(SearchState.updated_at).where(SearchState.name == ROW))
            if stamp is None:
                self._shared = self._stamp = None
            elif stamp != self._stamp:
                row = db.session.execute(
                    select(SearchState.value, SearchState.updated_at).where(SearchState.name == ROW)
                ).first()
                if row is not None:
                    self._shared = Synonyms.parse(Stored.from_json(row.value).text)
                    self._stamp = row.updated_at
        if self._shared is not None:
            return self._shared
        return self._load_file(path)

    def _load_file(self, path: Path) -> Synonyms:
        """The file's synonyms; a missing or unreadable file means no synonyms."""
        try:
            mtime = os.stat(path).st_mtime
            cached = self._files.get(str(path))
            if cached and cached[0] == mtime:
                return cached[1]
            synonyms = Synonyms.parse(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return Synonyms(())
        self._files[str(path)] = (mtime, synonyms)
        return synonyms


def forget_here() -> None:
    """After this process changed the list: its next search reads it (no 1 s wait)."""
    state = current_app.extensions.get("kb_search")
    cache = getattr(state, "synonyms", None)
    if isinstance(cache, SynonymCache):
        cache.forget()
