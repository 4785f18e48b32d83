"""Our code against Whoosh's own behaviour, wherever we rely on its private structures
(see kb/search/whoosh/README.md): a Whoosh upgrade that changes any of them fails here."""

import inspect
import random
from pathlib import Path

import pytest
import whoosh
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.lang import stopwords_for_language
from whoosh.lang.snowball.dutch import DutchStemmer
from whoosh.matching import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.query import And, Or, Phrase, Term
from whoosh.reading import EmptyReader

from kb import ROOT
from kb.search import stemmer
from kb.search.analysis import words
from kb.search.backend import Query
from kb.search.whoosh import WhooshBackend
from kb.search.whoosh.ranking import FIELD, Ranker
from kb.search.whoosh.schema import fields_of, make_schema
from tests.test_search_consistency import index_doc


def test_whoosh_is_the_line_we_checked():
    assert whoosh.__version__[:2] == (2, 7), "read kb/search/whoosh/README.md before upgrading"


def content_words() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "content").rglob("*.md"):
        found.update(words(path.read_text(encoding="utf-8")))
    return found


def test_our_dutch_stemmer_is_whooshs_letter_for_letter():
    theirs = DutchStemmer()
    samples = content_words() | {
        "mogelijkheden",
        "vrijheden",
        "betaalbaar",
        "koninklijke",
        "yoghurt",
        "ooievaar",
        "kooien",
        "gemeente",
        "lichamelijk",
        "eindigende",
        "heidendom",
        "réglement",
        "ëë",
        "y",
        "aaa",
        "bbbbbbbb",
        "",
    }
    rng = random.Random(3)
    samples |= {
        "".join(rng.choices("aeiouyèbdghijklmnrstvz", k=rng.randint(1, 16))) for _ in range(5000)
    }
    different = {
        w: (stemmer.stem(w), theirs.stem(w)) for w in samples if stemmer.stem(w) != theirs.stem(w)
    }
    assert different == {}
    assert len(samples) > 5000


def test_our_stop_words_are_whooshs():
    assert stopwords_for_language("nl") == stemmer.STOPWORDS


def multi_segment_index(path: Path):
    """Three segments of 200 documents (posting blocks hold 128), some deleted."""
    ix = whoosh_index.create_in(str(path), make_schema())
    vocabulary = ["kievit", "grutto", "tureluur", "weidevogel", "polder"]
    for batch in range(3):
        writer = ix.writer(compound=False)
        for n in range(batch * 200, batch * 200 + 200):
            rng = random.Random(n)
            doc = index_doc(n + 1, vocabulary[n % 5])
            doc.body_terms = rng.choices(vocabulary, k=rng.randint(1, 12))
            doc.kind = ("article", "script")[n % 2]
            writer.add_document(**fields_of(doc))
        writer.commit(merge=False)
    writer = ix.writer(compound=False)
    for n in range(0, 600, 7):
        writer.delete_by_term("id", str(n + 1))
    writer.commit(merge=False)
    return ix


def test_ranker_matches_exactly_what_whooshs_matchers_match(tmp_path):
    ix = multi_segment_index(tmp_path)
    with ix.searcher() as searcher:
        assert len(list(searcher.reader().leaf_readers())) == 3
        lengths = [searcher.reader().doc_field_length(d, FIELD, 0) for d in range(600)]
        live = set(searcher.reader().all_doc_ids())
        ranker = Ranker(searcher, lambda field: lengths, lambda levels: live)
        queries = [
            ([[["kievit"]]], [], And([Term(FIELD, "kievit")])),
            (
                [[["kievit"], ["grutto"]], [["polder"]]],
                [],
                And([Or([Term(FIELD, "kievit"), Term(FIELD, "grutto")]), Term(FIELD, "polder")]),
            ),
            (
                [[["tureluur", "weidevogel"]]],
                [],
                And([Term(FIELD, "tureluur"), Term(FIELD, "weidevogel")]),
            ),
            ([], [["kievit", "grutto"]], Phrase(FIELD, ["kievit", "grutto"])),
        ]
        for units, phrases, theirs in queries:
            query = Query(units=units, phrases=phrases, levels=frozenset({"public"}))
            ours = ranker.evaluate(query)
            assert ours is not None
            assert set(ours) == set(searcher.docs_for_query(theirs)), units or phrases


def test_a_full_term_cache_forgets_the_least_recently_searched_term(tmp_path, monkeypatch):
    """Over its budget the ranker drops the term searched longest ago, not every term (the
    words most searches share stay), and a dropped term scores the same when read again."""
    from kb.search.whoosh import ranking

    ix = multi_segment_index(tmp_path)
    with ix.searcher() as searcher:
        lengths = [searcher.reader().doc_field_length(d, FIELD, 0) for d in range(600)]
        live = set(searcher.reader().all_doc_ids())
        ranker = Ranker(searcher, lambda field: lengths, lambda levels: live)
        levels = frozenset({"public"})
        sizes = {t: len(ranker.postings(t, levels).docs) for t in ("kievit", "grutto", "polder")}
        first = ranker.term_scores("kievit", levels)
        ranker = Ranker(searcher, lambda field: lengths, lambda levels: live)
        # Room for two of the three terms.
        monkeypatch.setattr(ranking, "TERM_CACHE_ENTRIES", sizes["kievit"] + sizes["grutto"] + 1)
        kievit = ranker.postings("kievit", levels)
        ranker.postings("grutto", levels)
        assert ranker.postings("kievit", levels) is kievit  # searched again: now the newest
        ranker.postings("polder", levels)  # over budget: grutto, the least recent, goes
        assert ranker.postings("kievit", levels) is kievit
        assert {key[2] for key in ranker._terms} == {"kievit", "polder"}
        ranker.postings("grutto", levels)  # read again; kievit is now the least recent
        assert ranker.term_scores("kievit", levels) == first


def test_backend_columns_follow_whooshs_document_numbers(tmp_path):
    backend = WhooshBackend(str(tmp_path))
    try:
        backend.rebuild(iter([index_doc(1)]), None)
        for n in range(2, 40):  # one segment per change, merged now and then, some replaced
            doc = index_doc(n if n % 5 else n - 3, ("kievit", "grutto")[n % 2])
            doc.kind = ("article", "script")[n % 3 == 0]
            backend.apply([doc], [n - 10] if n % 4 == 0 else [])
        backend.apply([], [38])
        searcher = backend._current_searcher()
        columns = backend._columns(searcher)
        reader = searcher.reader()
        assert len(list(reader.leaf_readers())) > 1 and reader.has_deletions()
        for docnum in reader.all_doc_ids():
            assert columns["kind"][docnum] == searcher.stored_fields(docnum)["kind"]
            assert columns["length"][docnum] == reader.doc_field_length(docnum, FIELD, 0)
            assert columns["docid"][docnum] == int(searcher.stored_fields(docnum)["id"])
    finally:
        backend.close()


def test_an_index_without_segments_reads_as_one_empty_reader(tmp_path):
    """What kb.search.whoosh.backend._columns and ReaderVocabulary expect of such an index."""
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    with ix.searcher() as searcher:
        leaves = list(searcher.reader().leaf_readers())
        assert [type(leaf) for leaf, _ in leaves] == [EmptyReader]
        assert leaves[0][0].segment() is None and not hasattr(leaves[0][0], "is_closed")


def test_the_private_names_we_use_are_still_there():
    """kb.search.whoosh.ranking reads posting blocks through these; parallel.ParallelWriter
    overrides and calls these MpWriter internals (see the README for why)."""
    for name in ("_read_ids", "_read_weights", "_next_block", "is_active"):
        assert callable(getattr(W3LeafMatcher, name)), name
    deleted = FilterMatcher(ListMatcher([1, 2, 3]), frozenset({2}), exclude=True)
    assert deleted._ids == frozenset({2}) and list(deleted.child.all_ids()) == [1, 2, 3]
    assert list(inspect.signature(MpWriter._commit).parameters) == [
        "self",
        "mergetype",
        "optimize",
        "merge",
    ]
    for name in (
        "_enqueue",
        "_merge_segments",
        "_finalize_segment",
        "_close_segment",
        "_commit_toc",
        "_finish",
        "temp_storage",
    ):
        assert callable(getattr(MpWriter, name)), name
    assert list(inspect.signature(SubWriterTask.__init__).parameters)[1:] == [
        "storage",
        "indexname",
        "jobqueue",
        "resultqueue",
        "kwargs",
        "multisegment",
    ]
    assert callable(SubWriterTask._process_file)
    assert list(inspect.signature(SubWriterTask._process_file).parameters)[1:] == [
        "filename",
        "doc_count",
    ]


def postings_by_id(path: Path) -> dict:
    """Every posting of an index by (field, term, document id): weight and positions; each
    term's statistics; each document's field lengths; each field's total length."""
    found: dict = {}
    with whoosh_index.open_dir(str(path)).searcher() as searcher:
        ids = {n: searcher.stored_fields(n)["id"] for n in range(searcher.doc_count_all())}
        reader = searcher.reader()
        for fieldname, term in reader.all_terms():
            matcher = searcher.postings(fieldname, term)
            while matcher.is_active():
                positions = matcher.value_as("positions") if fieldname == FIELD else []
                found[fieldname, term, ids[matcher.id()]] = (matcher.weight(), tuple(positions))
                matcher.next()
            info = reader.term_info(fieldname, term)
            found[fieldname, term] = (
                info.weight(),
                info.doc_frequency(),
                info.min_length(),
                info.max_length(),
                info.max_weight(),
            )
        for fieldname in searcher.schema.scorable_names():
            found[fieldname] = searcher.field_length(fieldname)
            for docnum, doc_id in ids.items():
                found[fieldname, doc_id] = searcher.doc_field_length(docnum, fieldname)
    return found


@pytest.mark.parametrize("parallel_from", [1, 10_000], ids=["writer processes", "one writer"])
def test_a_rebuild_indexes_what_whooshs_own_writer_does(tmp_path, parallel_from):
    """A rebuild writes with rebuild_writer.RebuildWriter (postings by term in memory, our
    fields' postings computed directly, lengths from memory) instead of Whoosh's
    SegmentWriter: every term, document, weight, position and length must come out the same."""
    rng = random.Random(7)
    vocabulary = [f"term{n}" for n in range(60)] + ["één", "ijs", "café"]
    docs = []
    for n in range(1, 241):
        doc = index_doc(n, word=rng.choice(vocabulary))
        doc.title_terms = rng.choices(vocabulary, k=rng.randint(1, 4))
        doc.body_terms = rng.choices(vocabulary, k=rng.randint(0, 300))
        doc.tag_terms = rng.sample(vocabulary, 2)
        doc.learned_terms = rng.sample(vocabulary, n % 3)
        doc.level = rng.choice(["public", "internal", "draft"])
        doc.words = set(doc.body_terms)
        doc.title_words = set(doc.title_terms)
        doc.tags = rng.sample(["factuur", "storing", "wachtwoord"], n % 3)
        docs.append(doc)
    backend = WhooshBackend(str(tmp_path / "ours"), parallel_from=parallel_from)
    backend.rebuild(iter(docs), None, size_hint=len(docs))
    backend.close()
    theirs = whoosh_index.create_in(str(tmp_path), make_schema())
    writer = theirs.writer()
    for doc in docs:
        writer.add_document(**fields_of(doc))
    writer.commit()
    ours = postings_by_id(next((tmp_path / "ours" / "search").glob("index-*/")))
    assert ours == postings_by_id(tmp_path)
    assert len({key[2] for key in ours if len(key) == 3}) == len(docs)
    weights = {value[0] for key, value in ours.items() if len(key) == 3}
    assert weights > {1.0, 0.5}  # learned terms weigh less


@pytest.mark.parametrize("fieldname", [FIELD, "title_words", "words_public"])
def test_our_postings_of_a_field_are_whooshs(fieldname):
    from kb.search.whoosh.rebuild_writer import fast_postings

    field = make_schema()[fieldname]
    ours = fast_postings(fieldname)
    assert ours is not None
    rng = random.Random(fieldname)
    words_ = ["a", "bé", "ijs", "x" * 40, "term^2", "t^0.5", "t", "één^0.25"]
    for _ in range(300):
        tokens = rng.choices(words_ if fieldname == FIELD else words_[:4], k=rng.randint(0, 50))
        value = rng.choice([" ", "  ", "\t", "\n"]).join(tokens)
        theirs = sorted(field.index(value))
        assert sorted(ours(value, field.format.field_boost)) == theirs, value


def test_a_searchers_columns_hold_each_distinct_value_once(tmp_path):
    """Per-segment columns are kept for the searcher's life: at 100 000 documents one string
    per document and column was 45 MB of a worker's memory for a few hundred values."""
    from kb.search.whoosh.schema import segment_lists

    docs = []
    for n in range(1, 61):
        doc = index_doc(n)
        doc.category = ["storingen", "facturen", "verhuizen"][n % 3]
        doc.tags = [["modem"], ["modem", "wifi"], []][n % 3]
        docs.append(doc)
    backend = WhooshBackend(str(tmp_path))
    backend.rebuild(iter(docs), None, size_hint=len(docs))
    backend.close()
    with whoosh_index.open_dir(str(next((tmp_path / "search").glob("index-*/")))).searcher() as s:
        (leaf, _base), *_rest = s.reader().leaf_readers()
        lists = segment_lists(leaf)
    for column in ("category", "level", "kind", "combo", "tagset"):
        assert len({id(v) for v in lists[column]}) == len(set(lists[column])), column
    assert sorted(set(lists["category"])) == ["facturen", "storingen", "verhuizen"]
    assert set(lists["tagset"]) == {("modem",), ("modem", "wifi"), ()}
