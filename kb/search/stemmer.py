"""The Snowball Dutch stemmer and stop words, as Whoosh 2.7 ships them, without Whoosh.

The analysis is shared by every backend, so it must not need the Whoosh engine: this is
Whoosh's ``whoosh.lang.snowball.dutch.DutchStemmer`` (a port of NLTK's, Apache License 2.0,
Copyright (C) 2001-2012 NLTK Project, authors Peter Michael Stahl and Peter Ljunglof) and
its Dutch stop list, kept letter for letter so existing indexes keep their terms.
tests/test_search_whoosh_contract.py compares both with Whoosh's own on every content word.
"""

_STOP_LIST = """
    de en van ik te dat die in een hij het niet zijn is was op aan met als
    voor had er maar om hem dan zou of wat mijn men dit zo door over ze zich
    bij ook tot je mij uit der daar haar naar heb hoe heeft hebben deze u
    want nog zal me zij nu ge geen omdat iets worden toch al waren veel meer
    doen toen moet ben zonder kan hun dus alles onder ja eens hier wie werd
    altijd doch wordt wezen kunnen ons zelf tegen na reeds wil kon niets uw
    iemand geweest andere
"""
STOPWORDS = frozenset(_STOP_LIST.split())

_VOWELS = "aeiouy\xe8"
_STEP1_SUFFIXES = ("heden", "ene", "en", "se", "s")
_STEP3B_SUFFIXES = ("baar", "lijk", "bar", "end", "ing", "ig")
_ACCENTS = str.maketrans("\xe4\xe1\xeb\xe9\xed\xef\xf6\xf3\xfc\xfa", "aaeeiioouu")


def _r1r2(word: str) -> tuple[str, str]:
    """The standard Snowball regions R1 and R2."""
    r1 = r2 = ""
    for i in range(1, len(word)):
        if word[i] not in _VOWELS and word[i - 1] in _VOWELS:
            r1 = word[i + 1 :]
            break
    for i in range(1, len(r1)):
        if r1[i] not in _VOWELS and r1[i - 1] in _VOWELS:
            r2 = r1[i + 1 :]
            break
    return r1, r2


def stem(word: str) -> str:
    """Stem a Dutch word (Snowball's original Dutch algorithm, NLTK's reading of it).

    Callers bound the word's length (kb.search.analysis.MAX_WORD): some steps rebuild the
    word per letter, which costs the square of its length.
    """
    word = word.lower().translate(_ACCENTS)
    step2_success = False

    # An initial 'y', a 'y' after a vowel and an 'i' between vowels are consonants.
    if word.startswith("y"):
        word = "Y" + word[1:]
    for i in range(1, len(word)):
        if word[i - 1] in _VOWELS and word[i] == "y":
            word = word[:i] + "Y" + word[i + 1 :]
    for i in range(1, len(word) - 1):
        if word[i - 1] in _VOWELS and word[i] == "i" and word[i + 1] in _VOWELS:
            word = word[:i] + "I" + word[i + 1 :]

    r1, r2 = _r1r2(word)

    # R1 is adjusted so that the region before it contains at least 3 letters.
    for i in range(1, len(word)):
        if word[i] not in _VOWELS and word[i - 1] in _VOWELS:
            if 0 < i + 1 < 3:
                r1 = word[3:]
            break

    # Step 1
    for suffix in _STEP1_SUFFIXES:
        if r1.endswith(suffix):
            if suffix == "heden":
                word = word[:-5] + "heid"
                r1 = r1[:-5] + "heid"
                if r2.endswith("heden"):
                    r2 = r2[:-5] + "heid"
            elif (
                suffix in ("ene", "en")
                and not word.endswith("heden")
                and word[-len(suffix) - 1] not in _VOWELS
                and word[-len(suffix) - 3 : -len(suffix)] != "gem"
            ):
                word, r1, r2 = word[: -len(suffix)], r1[: -len(suffix)], r2[: -len(suffix)]
                if word.endswith(("kk", "dd", "tt")):
                    word, r1, r2 = word[:-1], r1[:-1], r2[:-1]
            elif (
                suffix in ("se", "s")
                and word[-len(suffix) - 1] not in _VOWELS
                and word[-len(suffix) - 1] != "j"
            ):
                word, r1, r2 = word[: -len(suffix)], r1[: -len(suffix)], r2[: -len(suffix)]
            break

    # Step 2
    if r1.endswith("e") and word[-2] not in _VOWELS:
        step2_success = True
        word, r1, r2 = word[:-1], r1[:-1], r2[:-1]
        if word.endswith(("kk", "dd", "tt")):
            word, r1, r2 = word[:-1], r1[:-1], r2[:-1]

    # Step 3a
    if r2.endswith("heid") and word[-5] != "c":
        word, r1, r2 = word[:-4], r1[:-4], r2[:-4]
        if r1.endswith("en") and word[-3] not in _VOWELS and word[-5:-2] != "gem":
            word, r1, r2 = word[:-2], r1[:-2], r2[:-2]
            if word.endswith(("kk", "dd", "tt")):
                word, r1, r2 = word[:-1], r1[:-1], r2[:-1]

    # Step 3b: derivational suffixes
    for suffix in _STEP3B_SUFFIXES:
        if r2.endswith(suffix):
            if suffix in ("end", "ing"):
                word, r2 = word[:-3], r2[:-3]
                if r2.endswith("ig") and word[-3] != "e":
                    word = word[:-2]
                elif word.endswith(("kk", "dd", "tt")):
                    word = word[:-1]
            elif suffix == "ig" and word[-3] != "e":
                word = word[:-2]
            elif suffix == "lijk":
                word, r1 = word[:-4], r1[:-4]
                if r1.endswith("e") and word[-2] not in _VOWELS:
                    word = word[:-1]
                    if word.endswith(("kk", "dd", "tt")):
                        word = word[:-1]
            elif suffix == "baar":
                word = word[:-4]
            elif suffix == "bar" and step2_success:
                word = word[:-3]
            break

    # Step 4: undouble vowel
    if (
        len(word) >= 4
        and word[-1] not in _VOWELS
        and word[-1] != "I"
        and word[-3:-1] in ("aa", "ee", "oo", "uu")
        and word[-4] not in _VOWELS
    ):
        word = word[:-3] + word[-3] + word[-1]

    return word.replace("I", "i").replace("Y", "y")
