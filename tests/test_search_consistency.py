"""The database is the truth: the index follows every change, catches up after a crash,
rebuilds when missing or corrupt, and `search check` reports any drift."""

import os
import threading
from pathlib import Path

import pytest

from kb.auth.models import SYSTEM
from kb.documents import service as documents
from kb.documents.models import Document
from kb.extensions import db
from kb.search import cursor as cursors
from kb.search import service as search
from kb.search.backend import IndexDoc
from kb.search.models import SearchOutbox

pytestmark = pytest.mark.search


def index_doc(n: int, word: str = "kievit", revision=1) -> IndexDoc:
    """A one-word public article, already analysed, for tests that drive a backend."""
    return IndexDoc(
        id=n,
        slug=f"d{n}",
        level="public",
        kind="article",
        channel="",
        category="c",
        tags=[],
        revision=revision,
        title=word,
        title_terms=[word],
        tag_terms=[],
        body_terms=[word],
        part_terms=[],
        words={word},
        title_words={word},
    )


@pytest.fixture
def app(app):
    app.config["KB_SEARCH_CATCH_UP_SECONDS"] = 0
    return app


def found(client, q, headers=None):
    data = client.get("/api/v1/search", query_string={"q": q}, headers=headers or {}).get_json()
    return [r["slug"] for r in data["results"]]


def test_publish_unpublish_and_archive_are_seen_at_once(
    client, make_document, make_user, token_for
):
    editor = token_for(make_user("editor"))
    slug = make_document("Kwartelkoning", "Tekst.", publish=False)
    assert found(client, "kwartelkoning") == []
    client.post(f"/api/v1/documents/{slug}/publish", headers=editor, json={})
    assert found(client, "kwartelkoning") == [slug]
    client.post(f"/api/v1/documents/{slug}/unpublish", headers=editor)
    assert found(client, "kwartelkoning") == []
    client.post(f"/api/v1/documents/{slug}/publish", headers=editor, json={})
    assert found(client, "kwartelkoning") == [slug]


def test_a_crash_between_commit_and_index_is_caught_up(app, client, make_document):
    slug = make_document("Grutto", "Weidevogel.", publish=False)
    with app.app_context():
        # What a worker that died right after its commit leaves behind: a published
        # document and an outbox row, but no index update.
        doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
        doc.status, doc.published_number, doc.published_title = "published", 1, doc.title
        db.session.add(SearchOutbox(document_id=doc.id))
        db.session.commit()
    assert found(client, "grutto") == [slug]  # the next search, in any process, catches up
    with app.app_context():
        last = db.session.scalar(db.select(db.func.max(SearchOutbox.id)))
        assert search.index_cursor().position == last  # the index has applied every change
        assert not cursors.has_changes(search.index_cursor())


def test_a_failed_index_update_does_not_fail_the_save(
    app, client, make_document, make_user, token_for
):
    slug = make_document("Kievit", "Tekst.")
    editor = token_for(make_user("editor"))
    app.config["KB_SEARCH_LOCK_TIMEOUT"] = 0.05
    held, release = threading.Event(), threading.Event()

    def hold_the_writer_lock():  # as a long reindex in another process would
        with app.app_context(), search.backend().lock():
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold_the_writer_lock)
    holder.start()
    held.wait(30)
    try:
        response = client.put(
            f"/api/v1/documents/{slug}",
            headers=editor,
            json={"base_revision": 1, "title": "Kievit en tureluur"},
        )
        assert response.status_code == 200
        response = client.post(f"/api/v1/documents/{slug}/publish", headers=editor, json={})
        assert response.status_code == 200
        with app.app_context():
            assert cursors.has_changes(search.index_cursor())  # the change waits in the log
    finally:
        release.set()
        holder.join()
    assert found(client, "tureluur") == [slug]  # caught up once the lock is free


def test_missing_index_is_rebuilt_not_a_500(app, client, make_document, backend):
    import shutil

    if backend == "postgres-fts":
        pytest.skip("PostgreSQL full-text has no index folder to lose")
    slug = make_document("Scholekster", "Tekst.")
    shutil.rmtree(Path(app.config["KB_DATA_DIR"]) / "search")
    with app.app_context():
        search.backend().close()
    assert found(client, "scholekster") == [slug]


def test_big_missing_index_is_rebuilt_in_background_with_a_clear_503(
    app, client, make_document, backend
):
    import shutil
    import time

    if backend == "postgres-fts":
        pytest.skip("PostgreSQL full-text has no index folder to lose")
    app.config["KB_SEARCH_REBUILD_INLINE_MAX"] = 0  # what a big knowledge base does
    slug = make_document("Tapuit", "Tekst.")  # its save started the first build in a thread
    for thread in threading.enumerate():
        if thread.name == "kb-search-rebuild":
            thread.join(timeout=60)
    shutil.rmtree(Path(app.config["KB_DATA_DIR"]) / "search")
    with app.app_context():
        engine = search.backend()
        engine.close()
        with engine.lock():  # the background rebuild waits until both answers are seen
            response = client.get("/api/v1/search", query_string={"q": "tapuit"})
            page = client.get("/zoeken", query_string={"q": "tapuit"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.content_type == "application/problem+json"
    assert "zoekindex wordt opnieuw opgebouwd" in response.get_json()["detail"]
    assert page.status_code == 503 and "zoekindex wordt opnieuw opgebouwd" in page.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the background rebuild finishes on its own
        response = client.get("/api/v1/search", query_string={"q": "tapuit"})
        if response.status_code == 200:
            break
        time.sleep(0.05)
    assert [r["slug"] for r in response.get_json()["results"]] == [slug]
    for thread in threading.enumerate():  # let it finish its own transaction before teardown
        if thread.name == "kb-search-rebuild":
            thread.join(timeout=30)


# Whoosh leaves the unreadable TOC file open when it gives up on it; that leak is Whoosh's.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_corrupt_index_is_rebuilt_not_a_500(app, client, make_document, backend):
    if backend == "postgres-fts":
        pytest.skip("PostgreSQL full-text has no index files to corrupt")
    slug = make_document("Lepelaar", "Tekst.")
    with app.app_context():
        search.backend().close()
    current = Path(app.config["KB_DATA_DIR"]) / "search" / "current"
    for toc in current.resolve().glob("*.toc"):
        toc.write_bytes(b"geen whoosh")
    assert found(client, "lepelaar") == [slug]
    assert client.get("/zoeken?q=lepelaar").status_code == 200


def test_reindex_and_check(app, runner, make_document):
    slugs = [make_document(f"Document {n}", "Tekst over reigers.") for n in range(3)]
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0 and "agree" in result.output
    with app.app_context():
        doc_id = db.session.scalar(db.select(Document.id).where(Document.slug == slugs[0]))
        search.backend().apply([], [doc_id])  # the index loses a document behind our back
        db.session.commit()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1 and f"missing from index: {slugs[0]}" in result.output
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "Indexed 3 documents" in result.output
    assert runner.invoke(args=["search", "check"]).exit_code == 0


def test_reindex_swaps_without_taking_search_offline(app, client, make_document):
    slug = make_document("Tureluur", "Tekst.")
    results = []

    def keep_searching():
        for _ in range(30):
            results.append(found(client, "tureluur") == [slug])

    with app.app_context():
        searcher = threading.Thread(target=keep_searching)
        searcher.start()
        for _ in range(3):
            search.rebuild()
        searcher.join()
    assert results and all(results)


def test_large_rebuild_writes_in_parallel_and_loses_nothing(
    app, client, make_document, make_user, token_for, backend, runner
):
    """Big rebuilds write segments in two processes; every document must still be found,
    and later changes must land in the multi-segment index."""
    if backend == "postgres-fts":
        pytest.skip("PostgreSQL rebuilds in one transaction")
    app.config["KB_SEARCH_PARALLEL_FROM"] = 1  # what 2000+ documents would do
    slugs = [make_document(f"Grutto {n}", f"Weidevogel nummer {n} in de polder.") for n in range(8)]
    internal = make_document("Grutto intern", "Weidevogel voor agenten.", audience="internal")
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "Indexed 9 documents" in result.output
    current = (Path(app.config["KB_DATA_DIR"]) / "search" / "current").resolve()
    assert len({p.name.split(".")[0] for p in current.glob("*.pst")}) == 2  # two writers
    assert sorted(found(client, "weidevogel")) == sorted(slugs)
    agent = token_for(make_user("agent"))
    assert sorted(found(client, "weidevogel", agent)) == sorted([*slugs, internal])
    late = make_document("Grutto laat", "Weidevogel die later kwam.")
    assert late in found(client, "weidevogel")
    assert runner.invoke(args=["search", "check"]).exit_code == 0


def test_concurrent_publishes_lose_nothing(app, make_document, client):
    slugs = [
        make_document(f"Vogel {n}", f"Zeldzame vogel nummer {n}.", publish=False) for n in range(6)
    ]
    barrier = threading.Barrier(3)

    def publish(batch):
        with app.test_request_context():
            barrier.wait()
            for slug in batch:
                doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
                documents.publish(doc, SYSTEM)
            db.session.remove()

    threads = [threading.Thread(target=publish, args=(slugs[i::3],)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(found(client, "zeldzame vogel")) == sorted(slugs)
    with app.app_context():
        assert search.check() == []


def test_ranker_reads_every_live_posting_and_no_deleted_one(tmp_path):
    """The ranker decodes Whoosh's posting blocks itself: it must see exactly what Whoosh's
    own matchers see, across segments and with deleted documents."""
    from whoosh import index as whoosh_index

    from kb.search.whoosh.ranking import FIELD, posting_blocks
    from kb.search.whoosh.schema import make_schema

    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    for batch in range(3):  # three segments of 200: posting blocks hold 128 documents
        writer = ix.writer(compound=False)
        for n in range(batch * 200, batch * 200 + 200):
            words = ["kievit"] * (1 + n % 4) + (["grutto"] if n % 3 == 0 else [])
            writer.add_document(id=str(n), level="public", text=" ".join(words))
        writer.commit(merge=False)
    writer = ix.writer(compound=False)
    for n in range(0, 600, 7):
        writer.delete_by_term("id", str(n))
    writer.commit(merge=False)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        assert len(list(reader.leaf_readers())) == 3 and reader.has_deletions()
        for term in ("kievit", "grutto"):
            expected = [(d, w) for d, w in reader.postings(FIELD, term).items_as("weight")]
            got = [
                (d, w)
                for ids, tfs in posting_blocks(reader, term)
                for d, w in zip(ids, tfs, strict=True)
            ]
            assert got == expected
            live = [n for n in range(600) if n % 7 and (term == "kievit" or n % 3 == 0)]
            assert len(got) == len(live)
    ix.close()


def test_a_search_survives_other_workers_changing_the_index_midway(tmp_path):
    """Two workers share an index. While one is planning a search with the vocabulary it
    took at the start, the other publishes twice and the first worker's other requests move
    on, closing the searcher that vocabulary reads: it must still answer, and correctly."""
    from kb.search.query import plan
    from kb.search.synonyms import Synonyms
    from kb.search.whoosh import WhooshBackend

    public = frozenset({"public"})
    searching, publishing = WhooshBackend(str(tmp_path)), WhooshBackend(str(tmp_path))
    searching.rebuild(iter([index_doc(1), index_doc(2, "weidevogel")]), None)
    vocabulary = searching.vocabulary(public)  # a search starts planning
    assert vocabulary.has_word("weidevogel")
    for n, word in ((3, "grutto"), (4, "tureluur")):
        publishing.apply([index_doc(n, word)], [])  # another worker publishes
        searching.generation()  # another request of this worker sees the new index
    assert vocabulary.has_word("kievit") and vocabulary.has_word("tureluur")
    assert not vocabulary.has_word("kievt")
    assert searching.corrections("kievt", public, 2) == ["kievit"]
    assert plan("kievt", public, searching, Synonyms(())).suggestion == "kievit"
    searching.close()
    publishing.close()


KILLED_REBUILD = """
import multiprocessing, os, signal, sys, time
from kb.search.backend import IndexDoc
from kb.search.whoosh import WhooshBackend

def docs():
    for n in range(1, 200):
        if n == 20:  # both writer processes are busy: the worker dies (OOM, timeout)
            time.sleep(0.5)
            print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        yield IndexDoc(
            id=n, slug=f"d{n}", level="public", kind="article", channel="", category="c",
            tags=[], revision=1, title="Kievit", title_terms=["kievit"], tag_terms=[],
            body_terms=["kievit"], part_terms=[], words={"kievit"}, title_words={"kievit"},
        )

backend = WhooshBackend(sys.argv[1], parallel_from=1)
with backend.rebuild_lock():
    backend.rebuild(docs(), None, size_hint=16)
"""


def test_a_killed_rebuild_frees_the_lock_and_leaves_no_writer_processes(tmp_path):
    import subprocess
    import sys
    import time

    from kb import ROOT
    from kb.search.whoosh import WhooshBackend

    killed = subprocess.run(
        [sys.executable, "-c", KILLED_REBUILD, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr
    writers = [int(pid) for pid in killed.stdout.split()]
    assert len(writers) == 2
    with WhooshBackend(str(tmp_path)).rebuild_lock(), WhooshBackend(str(tmp_path)).lock(10):
        pass  # other workers can rebuild and write again

    def gone(pid: int) -> bool:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return True
        return "State:\tZ" in status  # exited, waiting to be reaped

    deadline = time.monotonic() + 10
    while not all(gone(pid) for pid in writers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(gone(pid) for pid in writers)


def test_a_failing_writer_process_fails_the_rebuild_and_keeps_the_old_index(tmp_path):
    import multiprocessing

    from kb.search.whoosh import WhooshBackend

    backend = WhooshBackend(str(tmp_path), parallel_from=1)
    backend.rebuild(iter([index_doc(1)]), None, size_hint=1)
    before = sorted((tmp_path / "search").glob("index-*"))
    bad = [index_doc(n) for n in range(2, 30)] + [index_doc(30, revision="not a number")]
    with pytest.raises(RuntimeError, match="writer process"):
        backend.rebuild(iter(bad), None, size_hint=len(bad))
    assert multiprocessing.active_children() == []
    assert sorted((tmp_path / "search").glob("index-*")) == before
    assert backend.indexed() == {1: ("public", 1)}
    backend.close()


def test_vocabulary_answers_stay_right_when_threads_ask_at_once(tmp_path):
    """Threaded servers: Whoosh readers seek and read shared files, so concurrent look-ups
    must neither fail nor report a word that only internal documents have as public."""
    import random

    from kb.search.whoosh import WhooshBackend

    words = [f"w{n:03d}x" for n in range(240)]  # w000x..w119x also public, the rest internal

    def doc(n: int) -> IndexDoc:
        level = "public" if n % 2 else "internal"
        chosen = random.Random(n).sample(words[:120] if n % 2 else words, 12)
        return IndexDoc(**{**vars(index_doc(n)), "level": level, "body_terms": chosen})

    docs = [doc(n) for n in range(1, 1201)]
    for d in docs:
        d.words = set(d.body_terms)
    backend = WhooshBackend(str(tmp_path))
    backend.rebuild(iter(docs), None)
    public = frozenset({"public"})
    answers: list[tuple[str, bool]] = []
    failures: list[Exception] = []

    def ask(seed: int) -> None:
        vocabulary = backend.vocabulary(public)
        for word in random.Random(seed).sample(words, len(words)):
            try:
                answers.append((word, vocabulary.has_word(word)))
            except Exception as exc:  # a 500 in a real server
                failures.append(exc)

    threads = [threading.Thread(target=ask, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert {word for word, known in answers if known} == set(words[:120])
    backend.close()


def _in_memory(doc_id: int, number: int, title: str, html: str, tags: list[str]):
    from kb.documents.models import Revision

    doc = Document(
        id=doc_id,
        slug=f"d{doc_id}",
        kind="article",
        audience="public",
        status="published",
        channel=None,
        category="verhuizen-en-adres",
        tags=tags,
    )
    return doc, Revision(number=number, title=title, html=html)


@pytest.mark.parametrize(
    "title, html, tags",
    [
        ("Verhuizen", "<p>Geef uw nieuwe adres door.</p>", ["adreswijziging"]),
        ("Café-tegoed", "<p>Coördinator <b>één</b> keer&nbsp;bellen</p>", []),
        ("", "<ul><li>x</li><li>naam van de klant</li></ul>", ["één", "tag met spaties"]),
    ],
)
def test_a_rebuild_analyses_a_text_read_in_its_first_pass_as_it_would_afresh(
    app, title, html, tags
):
    """A rebuild's second pass uses the plain text and words its first pass worked out
    (spooled), for the same revision only: a revision saved in between is read afresh."""
    from kb.search.analysis import Vocabulary
    from kb.search.indexdocs import ReadText, read_text, to_index_doc

    vocabulary = Vocabulary({"adres", "wijziging", "klant", "naam"})
    doc, revision = _in_memory(7, 3, title, html, tags)
    with app.app_context():
        afresh = to_index_doc(doc, revision, vocabulary)
        spooled = to_index_doc(doc, revision, vocabulary, read=read_text(doc, revision))
        stale = ReadText((7, 2), "oude tekst over iets anders", {"oude", "tekst"})
        newer = to_index_doc(doc, revision, vocabulary, read=stale)
    assert afresh is not None and afresh.body_terms
    assert spooled == afresh
    assert newer == afresh  # revision 2 was read in the first pass; 3 is indexed


@pytest.mark.parametrize("helpers", [False, True], ids=["in process", "in helpers"])
def test_a_rebuild_reads_each_text_once_across_pages(app, make_document, monkeypatch, helpers):
    """The second pass finds what the first pass spooled for every searchable document, page
    after page, with archived documents and drafts in between."""
    from kb.search import indexdocs

    monkeypatch.setattr(indexdocs, "PAGE", 3)
    monkeypatch.setattr(indexdocs, "HELPERS_FROM", 1 if helpers else 10**9)
    slugs = [make_document(f"Grutto {n}", f"Weidevogel {n} in de polder.") for n in range(7)]
    make_document("Kievit concept", "Nog niet af.", publish=False)
    with app.app_context():
        documents.archive(db.session.scalar(db.select(Document).filter_by(slug=slugs[2])), SYSTEM)
    used: list[int] = []
    get = indexdocs._Spooled.get

    def counted(self, doc_id):
        read = get(self, doc_id)
        if read is not None:
            used.append(doc_id)
        return read

    monkeypatch.setattr(indexdocs._Spooled, "get", counted)
    with app.app_context():
        docs = list(indexdocs.all_index_docs(None, size_hint=9))
    assert sorted(d.slug for d in docs) == sorted([*slugs[:2], *slugs[3:], "kievit-concept"])
    assert sorted(used) == sorted(d.id for d in docs)
    assert all("weidevogel" in d.words for d in docs if d.slug != "kievit-concept")


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def test_a_rebuilds_helper_processes_keep_none_of_its_locks(tmp_path):
    """The first pass's text readers are forked while the rebuild holds its lock: a reader
    that kept a copy after its parent was killed would block every later rebuild."""
    from kb.search import forking
    from kb.search.whoosh.files import flock

    before = set(forking.held_locks)
    with flock(tmp_path / "rebuild.lock"):
        (fd,) = forking.held_locks - before
        with forking.pool(1) as helpers:
            assert helpers.apply(_is_open, (fd,)) is False
            assert helpers.apply(os.getppid) == os.getpid()
        assert _is_open(fd)


HELPER_UNDER_A_WEB_SERVER = """
import signal, sys, time
from kb.search import forking
signal.signal(signal.SIGTERM, lambda *args: None)  # as a gunicorn worker: TERM asks to stop
with forking.pool(1) as helpers:
    helpers.apply_async(time.sleep, (60,))
    time.sleep(0.5)
print("ended")
"""


def test_a_rebuilds_helpers_end_with_their_pool_in_a_web_servers_worker():
    """A web worker rebuilding a missing index forks the helpers from a process whose TERM
    handler does not exit: the helpers must end when the pool ends, or the worker hangs."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", HELPER_UNDER_A_WEB_SERVER], capture_output=True, timeout=30
    )
    assert done.stdout.strip() == b"ended", done.stderr
