"""From what someone typed to a backend Query: phrases, synonyms, typos and compounds.

Corrections and compound splits only use words the searcher may see (the backend's
vocabulary for the searcher's levels), so a suggestion never reveals a hidden word.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from kb.search.analysis import (
    LINKERS,
    MAX_WORD,
    STOPWORDS,
    Vocabulary,
    edit_distance,
    fold,
    split_compound,
    stem,
    verb_base,
    words,
)
from kb.search.backend import Query, SearchBackend
from kb.search.synonyms import Synonyms

PHRASE_RE = re.compile(r'"([^"]+)"')
MAX_WORDS = 12


@dataclass
class Plan:
    """A Query plus what the result page needs from planning it."""

    query: Query
    suggestion: str | None
    terms: set[str] = field(default_factory=set)  # stems to highlight
    vocabulary: Vocabulary | None = None


def plan(
    text: str,
    levels: frozenset[str],
    backend: SearchBackend,
    synonyms: Synonyms,
    *,
    filters: dict[str, str] | None = None,
    page: int = 1,
    limit: int = 20,
) -> Plan:
    """The backend query for what someone typed, with the suggestion ("Bedoelde u") and the
    stems to highlight. Raises IndexMissing when the backend has no usable index."""
    phrases = [words(p) for p in PHRASE_RE.findall(text)]
    loose = words(PHRASE_RE.sub(" ", text))[:MAX_WORDS]
    vocabulary = backend.vocabulary(levels)
    units: list[list[list[str]]] = []
    corrected: dict[str, str] = {}
    expanded = list(synonyms.expand(loose))
    vocabulary.expect(w for unit in expanded if len(unit) == 1 for w in unit[0])
    for unit in expanded:
        alternatives = [[w for w in alt if w not in STOPWORDS] for alt in unit]
        alternatives = [alt for alt in alternatives if alt]
        if not alternatives:
            continue
        original = alternatives[0]
        if len(original) == 1 and len(unit) == 1:
            word = original[0]
            if 4 <= len(word) <= MAX_WORD and not vocabulary.has_word(word):
                meant = _stopword_meant(word)
                if meant:  # "neit" is "niet": a word search ignores, not another word
                    corrected[word] = meant
                    continue
                candidates = backend.corrections(word, levels, 2)
                if vocabulary.has_stem(stem(word)):
                    # A form we never saw of a known stem (verhuisen): only a spelling fix
                    # of that same stem is worth a "Bedoelde u", not another word.
                    candidates = [
                        c
                        for c in candidates
                        if stem(c) == stem(word) and edit_distance(c, word) <= 1
                    ]
                else:
                    candidates = [c for c in candidates if _worth_it(word, c, levels, backend)]
                if candidates:
                    corrected[word] = candidates[0]
                    alternatives += [[c] for c in candidates]
            parts = split_compound(word, vocabulary)
            if parts:
                alternatives.append(parts)
            base = verb_base(word, vocabulary)
            if base:
                alternatives.append([base])
        units.append(alternatives)
    units = _join_compounds(units, vocabulary)
    stem_units = [[[stem(w) for w in alt] for alt in unit] for unit in units]
    # Stop words are not indexed, so a phrase matches on its other words, in order.
    stem_phrases = [[stem(w) for w in phrase if w not in STOPWORDS] for phrase in phrases]
    stem_phrases = [p for p in stem_phrases if p]
    terms = {t for unit in stem_units for alt in unit for t in alt}
    terms.update(t for phrase in stem_phrases for t in phrase)
    suggestion = None
    if corrected:
        suggestion = " ".join(corrected.get(w, w) for w in words(fold(text)))
    return Plan(
        query=Query(
            units=stem_units,
            phrases=stem_phrases,
            levels=levels,
            filters=dict(filters or {}),
            page=page,
            limit=limit,
        ),
        suggestion=suggestion,
        terms=terms,
        vocabulary=vocabulary,
    )


def _stopword_meant(word: str) -> str | None:
    """The stop word a typo of one letter stands for (neit, ofk), if any."""
    for stop in STOPWORDS:
        if len(stop) >= 3 and abs(len(stop) - len(word)) <= 1 and edit_distance(stop, word) <= 1:
            return stop
    return None


def _worth_it(word: str, candidate: str, levels: frozenset[str], backend: SearchBackend) -> bool:
    """A correction that makes a better query, not merely a nearby word ("script" is not
    "schrikt", "need" is not "neem"): one slip in a longer word, or a word some title uses."""
    distance = edit_distance(word, candidate)
    if distance <= 1 and len(word) >= 5:
        return True
    return distance <= 2 and bool(backend.suggest("", [candidate], levels, 1))


def _join_compounds(units: list[list[list[str]]], vocabulary: Vocabulary) -> list[list[list[str]]]:
    """ "storing internet" also matches the known word "internetstoring" (either order).

    Splitting at index time depends on the vocabulary at that moment; joining at query time
    catches compounds indexed before their parts were known.
    """
    pairs = [
        (a[0][0], b[0][0])
        for a, b in zip(units, units[1:], strict=False)
        if len(a[0]) == 1 and len(b[0]) == 1
    ]
    vocabulary.expect((c for a, b in pairs for c in _joins(a, b)), parts=False)
    out: list[list[list[str]]] = []
    i = 0
    while i < len(units):
        if i + 1 < len(units):
            first, second = units[i], units[i + 1]
            a, b = first[0], second[0]  # the words as typed come first
            if len(a) == 1 and len(b) == 1:
                joined = _known_join(a[0], b[0], vocabulary)
                if joined:
                    both = [x + y for x in first for y in second][:16]
                    out.append([*both, [joined]])
                    i += 2
                    continue
        out.append(units[i])
        i += 1
    return out


def _joins(a: str, b: str) -> Iterator[str]:
    """The compounds "a b" may stand for, in the order they are tried."""
    for first, second in ((a, b), (b, a)):
        for left in dict.fromkeys((first, stem(first))):
            for right in dict.fromkeys((second, stem(second))):
                for linker in LINKERS:
                    candidate = f"{left}{linker}{right}"
                    if len(candidate) >= 7:
                        yield candidate


def _known_join(a: str, b: str, vocabulary: Vocabulary) -> str | None:
    return next((c for c in _joins(a, b) if vocabulary.has_word(c)), None)
