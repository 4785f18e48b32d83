"""Synonym groups that editors keep in content/synoniemen.txt, applied at query time."""

import os
from dataclasses import dataclass
from pathlib import Path

from kb.search.analysis import words


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


class SynonymCache:
    """The parsed synonym file, read again only when it changed (one per app)."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[float, Synonyms]] = {}

    def load(self, path: Path) -> Synonyms:
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
