"""The Whoosh backend's shortcuts against the plain computation they replace: the page from
the threshold walk (kb.search.whoosh.topk) against every match scored and sorted, totals and
facets on bit sets against counting, suggestions from title tables against every title."""

import random
from array import array

from kb.search.backend import Query
from kb.search.whoosh import WhooshBackend
from kb.search.whoosh.bits import from_bits, to_bits
from kb.search.whoosh.ranking import FIELD, Ranker
from kb.search.whoosh.topk import Postings, top
from tests.test_search_consistency import index_doc
from tests.test_search_whoosh_contract import multi_segment_index

BIRDS = ["kievit", "grutto", "tureluur", "weidevogel", "polder"]
QUERIES: list[tuple[list[list[list[str]]], list[list[str]]]] = [
    ([[["kievit"]]], []),
    ([[["kievit"], ["grutto"]], [["polder"]]], []),
    ([[["tureluur", "weidevogel"]], [["kievit"]]], []),
    ([[["grutto"]], [["onbekend"]]], []),
    ([[["polder"]]], [["kievit", "grutto"]]),
    ([], [["weidevogel", "polder"]]),
    ([[[]], [["kievit"]]], []),
]


def test_bit_sets_hold_exactly_their_members():
    rng = random.Random(5)
    for size in (1, 7, 8, 9, 1000):
        members = sorted(rng.sample(range(size), rng.randint(0, size)))
        assert from_bits(to_bits(members, size)) == members
    assert from_bits(0) == [] and to_bits([], 10) == 0


def test_the_threshold_walk_gives_the_page_scoring_every_match_gives(tmp_path):
    ix = multi_segment_index(tmp_path)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        lengths = [reader.doc_field_length(d, FIELD, 0) for d in range(600)]
        live = set(reader.all_doc_ids())
        ranker = Ranker(searcher, lambda field: lengths, lambda levels: live)
        levels = frozenset({"public"})
        ties = [(d * 37) % 601 for d in range(600)]  # not the docnum order
        for units, phrases in QUERIES:
            for match_all in (True, False):
                query = Query(units=units, phrases=phrases, levels=levels)
                query.match_all_units = match_all
                every = ranker.evaluate(query) or {}
                phrase_docs = [
                    set(ranker.evaluate(Query(units=[], phrases=[p], levels=levels)) or {})
                    for p in phrases
                ]
                admitted = {d for d in live if d % 3}  # as a filter would
                expected = sorted(
                    ((d, s) for d, s in every.items() if d in admitted),
                    key=lambda item: (-item[1], ties[item[0]]),
                )
                for wanted in (1, 5, 20, 1000):
                    got = top(
                        query,
                        lambda term: ranker.postings(term, levels),
                        wanted,
                        admitted.__contains__,
                        ties.__getitem__,
                        phrase_docs,
                        budget=10_000,
                    )
                    assert got is not None
                    assert [d for d, _ in got] == [d for d, _ in expected[:wanted]], units
                    assert [s for _, s in got] == [s for _, s in expected[:wanted]]


def test_a_walk_over_its_budget_gives_up():
    query = Query(units=[[["kievit"]]], phrases=[], levels=frozenset({"public"}))

    many = Postings(array("i", range(100)), array("f", [1.0] * 100))
    assert top(query, lambda t: many, 5, lambda d: False, int, [], budget=10) is None


def test_totals_facets_and_suggestions_match_a_plain_count_across_segments(tmp_path):
    backend = WhooshBackend(str(tmp_path))
    rng = random.Random(11)
    try:
        docs = {}
        for n in range(1, 120):
            doc = index_doc(n, rng.choice(BIRDS))
            doc.title = " ".join(rng.sample(BIRDS, rng.randint(1, 3)))
            doc.title_words = set(doc.title.split())
            doc.body_terms = rng.choices(BIRDS, k=rng.randint(1, 6))
            doc.kind = rng.choice(["article", "script"])
            doc.tags = rng.sample(["a", "b", "c"], rng.randint(0, 2))
            doc.level = rng.choice(["public", "public", "internal"])
            docs[n] = doc
        backend.rebuild(iter(list(docs.values())[:60]), None)
        for n in range(61, 120, 10):  # more segments, and replaced documents
            batch = [docs[m] for m in range(n, min(n + 10, 120))]
            backend.apply(batch, [n - 50])
            docs.pop(n - 50)
        public = frozenset({"public"})
        for word in BIRDS:
            found = backend.search(Query(units=[[[word]]], phrases=[], levels=public, limit=5))
            having = [
                d
                for d in docs.values()
                if d.level == "public" and word in d.body_terms + [d.title_terms[0]]
            ]
            assert found.total == len(having), word
            kinds: dict[str, int] = {}
            for d in having:
                kinds[d.kind] = kinds.get(d.kind, 0) + 1
            assert found.facets["kind"] == dict(
                sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
            )
            for prefix in (word[:1], word[:3], word):
                titled = sorted(
                    (len(d.title_words), d.id)
                    for d in docs.values()
                    if d.level == "public" and any(w.startswith(prefix) for w in d.title_words)
                )
                got = backend.suggest(prefix, [], public, 4)
                assert [h.id for h in got] == [i for _, i in titled[:4]], prefix
    finally:
        backend.close()
