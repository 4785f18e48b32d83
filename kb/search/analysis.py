"""Dutch text analysis shared by every search backend: tokens, folding, stems, compounds.

One analysis for indexing, querying and highlighting, so they always agree. Stems come from
the Snowball Dutch stemmer plus a few rules it lacks: past participles (betaald, opgezegd,
verhuisd), final z/v spelling (verhuizen ~ verhuis) and doubled letters (opzeggen ~ opzeg).
Its cost is bounded: at most MAX_TEXT characters per text and MAX_WORD per word, so a pasted
image or log costs about as much as a long article, never the square of its length.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat

from kb.search import stemmer
from kb.search.stemmer import STOPWORDS

WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
# Separable-verb prefixes: "zeg ... op" is "opzeggen".
SEPARABLE = (
    "terug",
    "onder",
    "door",
    "over",
    "voor",
    "aan",
    "mee",
    "weg",
    "toe",
    "bij",
    "uit",
    "op",
    "af",
    "in",
    "na",
    "om",
)
PARTICIPLE_PREFIXES = ("be", "ver", "ont", "her", "er", "ge")
LINKERS = ("", "s", "e", "en")
MIN_PART = 3
MIN_COMPOUND = 7
# Longer runs of letters and digits (base64, hashes, pasted logs) are not words: they are
# neither indexed nor split nor stemmed. Compound splitting tries every head of a word, so
# this bound is what keeps its cost linear in the text. Real Dutch compounds stay well below
# it ("arbeidsongeschiktheidsverzekering" has 33 letters).
MAX_WORD = 60
# Characters analysed per text: twice the longest body a document may have, so every real
# document is analysed whole and nothing else can make a save or a search slow.
MAX_TEXT = 200_000
# Letters of distinct words per text tried for compound parts (see index_terms): 100,000
# characters of real Dutch (the longest body allowed) use about a third of it.
SPLIT_BUDGET = 40_000
PARTS_MEMO = 500_000  # distinct words whose parts a vocabulary remembers (index_terms)


def _fold_slow(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Latin letters with accents, folded once: str.translate is far cheaper than NFKD per word.
_FOLD_TABLE: dict[int, str] = {}


def fold(text: str) -> str:
    """Lowercase and strip accents: Café -> cafe, coördinator -> coordinator."""
    text = text.lower()
    if text.isascii():
        return text
    for c in set(text) - _SEEN:
        _FOLD_TABLE.setdefault(ord(c), _fold_slow(c))  # € stays €, ĳ becomes ij
        _SEEN.add(c)
    return text.translate(_FOLD_TABLE)


_SEEN: set[str] = set()


def fold_keeps_offsets(text: str) -> bool:
    """Whether every character of ``text`` folds to exactly one character, so offsets in
    fold(text) are offsets in text (not so for İ, ĳ, ß or a combining accent)."""
    if text.isascii():
        return True
    return all(len(fold(c)) == 1 for c in set(text) if not c.isascii())


@dataclass(frozen=True)
class Token:
    """A folded word and where it stands in the original text."""

    word: str  # folded surface form
    start: int  # character offsets in the original text
    end: int


def tokens(text: str) -> Iterator[Token]:
    """Words with their offsets (over-long ones too: snippets show them, never match them)."""
    for m in WORD_RE.finditer(text):
        yield Token(fold(m.group()), m.start(), m.end())


def bounded(text: str) -> str:
    """The part of a text that is analysed: its first MAX_TEXT characters."""
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT]


def words(text: str) -> list[str]:
    """Folded words of a text (its analysed part, see MAX_TEXT)."""
    return WORD_RE.findall(fold(bounded(text)))  # folding once is cheaper than per word


def index_words(text: str) -> list[str]:
    """The words of a text that are indexed: all but over-long ones (see MAX_WORD).

    Queries keep over-long words (they then find nothing, rather than everything).
    """
    found = words(text)
    if not found or max(map(len, found)) <= MAX_WORD:  # nearly always: no copy
        return found
    return [w for w in found if len(w) <= MAX_WORD]


def _undouble(stem: str) -> str:
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiou":
        stem = stem[:-1]
    # betaal -> betal: a doubled vowel before the last consonant is spelling, not meaning
    if len(stem) > 4 and stem[-1] not in "aeiou" and stem[-2] == stem[-3] and stem[-2] in "aeou":
        stem = stem[:-2] + stem[-1]
    return stem


def _participle(word: str) -> str | None:
    """betaald -> betaal, opgezegd -> opzeg, verhuisd -> verhuis, gebeld -> bel."""
    if len(word) >= 7 and word[-1] == "e" and word[-2] in "dt":
        word = word[:-1]  # betaalde, opgezegde
    if len(word) < 6 or word[-1] not in "dt":
        return None
    for prefix in SEPARABLE:
        if word.startswith(prefix + "ge") and len(word) - len(prefix) >= 6:
            return prefix + word[len(prefix) + 2 : -1]
    if word.startswith("ge"):
        return word[2:-1]
    if word.startswith(PARTICIPLE_PREFIXES[:-1]) and word[-2] not in "dt":
        return word[:-1]
    return None


def _diminutive(word: str) -> str | None:
    """lampje, lampjes -> lamp; kaartje -> kaart (Snowball leaves diminutives alone)."""
    if word.endswith("jes") and len(word) >= 7:
        return word[:-3]
    if word.endswith("je") and len(word) >= 6:
        return word[:-2]
    return None


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The index term for a folded word (an over-long one is its own term, never stemmed)."""
    if word.isdigit() or len(word) > MAX_WORD:
        return word
    base = _participle(word) or _diminutive(word) or word
    s = stemmer.stem(base)
    if s.endswith("z"):
        s = s[:-1] + "s"
    elif s.endswith("v"):
        s = s[:-1] + "f"
    return _undouble(s)


class Vocabulary:
    """Known words (folded) and their stems; backends subclass it to ask their index."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self.words = set(words)
        self.stems = {stem(w) for w in self.words}
        self.splits: dict[str, list[str]] = {}
        self.parts: dict[str, list[str]] = {}  # index_terms: a word's parts, once

    def expect(self, words: Iterable[str], parts: bool = True) -> None:
        """A hint: has_word and knows will soon be asked about ``words`` (with ``parts``, also
        about their heads and tails, as split_compound asks). A vocabulary that asks a
        database answers them all in one go; this one knows every word already."""

    def has_word(self, word: str) -> bool:
        return word in self.words

    def has_stem(self, term: str) -> bool:
        return term in self.stems

    def knows(self, part: str) -> bool:
        return part not in STOPWORDS and (self.has_word(part) or self.has_stem(stem(part)))


def split_compound(word: str, vocabulary: Vocabulary) -> list[str]:
    """Split a compound into two known words (with a linking s/e/en), or return [].

    Prefers the split with the longest head: wachtwoordherstel -> wachtwoord, herstel.
    Only words of letters are split, and none longer than MAX_WORD: each head costs a
    vocabulary look-up.
    """
    if not MIN_COMPOUND <= len(word) <= MAX_WORD or not word.isalpha():
        return []
    cache = getattr(vocabulary, "splits", None)
    if cache is not None and word in cache:
        return cache[word]
    result = _split(word, vocabulary)
    if cache is not None and len(cache) < getattr(vocabulary, "MEMO", 500_000):
        cache[word] = result
    return result


def _split(word: str, vocabulary: "Vocabulary") -> list[str]:
    for i in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        head, rest = word[:i], word[i:]
        if not vocabulary.knows(head):
            continue
        for linker in LINKERS:
            if not rest.startswith(linker):
                continue
            tail = rest[len(linker) :]
            if len(tail) >= MIN_PART and vocabulary.knows(tail):
                return [head, tail]
    return []


_SEPARABLE_RE = re.compile("^(?:" + "|".join(SEPARABLE) + ")")


def split_separable(word: str, vocabulary: Vocabulary) -> str | None:
    """opzeggen -> zeggen when the remainder is a known word (for "zeg ... op")."""
    if len(word) > MAX_WORD or not _SEPARABLE_RE.match(word):
        return None
    for prefix in SEPARABLE:
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            rest = word[len(prefix) :]
            if vocabulary.knows(rest):
                return rest
    return None


def index_terms(text: str, vocabulary: Vocabulary) -> tuple[list[str], list[str]]:
    """Terms to index for a text: the stems of its words, in order (for phrases), and the
    stems of compound parts and separable-verb remainders (indexed apart, so they never
    come between two words of a phrase).

    Each distinct word is split once per text, and only until SPLIT_BUDGET letters of
    distinct words have been tried (every head is a vocabulary look-up): a real document
    stays far below it, a text of made-up words cannot make a save slow.
    """
    found = [w for w in index_words(text) if w not in STOPWORDS]
    terms = list(map(stem, found))
    # A word's parts depend on the vocabulary only: a vocabulary that keeps them (a
    # rebuild analyses every document with one) answers each word once for all texts.
    memo: dict[str, list[str]] | None = getattr(vocabulary, "parts", None)
    parts_of: dict[str, list[str]] = {}
    budget = SPLIT_BUDGET
    for word in dict.fromkeys(found):  # distinct words, in order of first occurrence
        if budget <= 0:
            break
        budget -= len(word)
        got = _word_parts(word, vocabulary, memo)
        if got:
            parts_of[word] = got
    # Parts count once per occurrence of their word, like the word's own stem.
    parts = list(chain.from_iterable(map(parts_of.get, found, repeat(()))))
    return terms, parts


def _word_parts(word: str, vocabulary: Vocabulary, memo: dict[str, list[str]] | None) -> list[str]:
    """Stems of a word's compound parts, separable-verb remainder and verb base."""
    if memo is not None and word in memo:
        return memo[word]
    found = [stem(part) for part in split_compound(word, vocabulary)]
    rest = split_separable(word, vocabulary)
    if rest:
        found.append(stem(rest))
    base = verb_base(word, vocabulary)
    if base:
        found.append(stem(base))
    if memo is not None and len(memo) < PARTS_MEMO:
        memo[word] = found
    return found


def verb_base(word: str, vocabulary: Vocabulary) -> str | None:
    """knippert -> knipper, werkt -> werk: a present-tense -t that Snowball keeps."""
    if 5 <= len(word) <= MAX_WORD and word[-1] == "t" and word[-2] not in "aeiout":
        base = word[:-1]
        if vocabulary.knows(base):
            return base
    return None


def term_forms(word: str, vocabulary: Vocabulary) -> set[str]:
    """The terms a single text word matches as: its stem and its parts' stems."""
    forms = {stem(word)}
    forms.update(stem(p) for p in split_compound(word, vocabulary))
    return forms


def vocabulary_words(text: str) -> set[str]:
    """The words of a text worth knowing for splitting compounds and correcting typos."""
    found = set(index_words(text))  # each distinct word checked once
    return {w for w in found if len(w) >= MIN_PART and not w.isdigit() and w not in STOPWORDS}


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment), for ranking corrections."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]
