"""What the search index holds for a document: its indexed revision, analysed.

Shared by the change-log sync (kb.search.service) and the full rebuild: both read a
document's indexed revision (published, else current) with its learned phrases and turn it
into an IndexDoc with kb.search.analysis. Bounded work per document whatever its text.
"""

import pickle
import tempfile
from collections import deque
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult
from pathlib import Path

from sqlalchemy import ColumnElement, Select, func, select

from kb.documents.models import Document, Revision
from kb.documents.policy import index_level
from kb.extensions import db
from kb.search import forking, highlight
from kb.search.analysis import (
    MAX_TEXT,
    Vocabulary,
    index_terms,
    index_words,
    vocabulary_words,
)
from kb.search.backend import LEVELS, IndexDoc
from kb.search.models import MIN_SEEN, LearnedTerm
from kb.search.privacy import PLACEHOLDER

# Compounds in a document are split with the words of the documents its readers may read
# (its own level and the narrower ones): a public document's index terms must not depend on
# which words internal documents or drafts use, or a customer's results would reveal them.
READ_WITH = {level: LEVELS[: n + 1] for n, level in enumerate(LEVELS)}
EMPTY = Vocabulary()  # for documents nobody searches (to_index_doc returns None first)
PAGE = 500  # documents read at a time
READERS = 2  # helper processes that read a rebuild's texts in its first pass
HELPERS_FROM = 2000  # documents from which the first pass starts them


def indexed_revision() -> ColumnElement[int]:
    """The revision number the index holds for a document, as an SQL expression."""
    # Published documents are searched by their published revision, drafts by their current.
    return func.coalesce(Document.published_number, Document.current_number)


def with_revisions(query: Select) -> Select:
    return query.join(
        Revision,
        (Revision.document_id == Document.id) & (Revision.number == indexed_revision()),
    ).add_columns(Revision)


def learned_phrases(ids: Collection[int] | None = None) -> dict[int, list[str]]:
    """Document id -> the learned phrases it is searched by (kb.search.learned), without the
    masking placeholders; for the documents ``ids`` (None: all). Raises what the database
    raises."""
    query = select(LearnedTerm.document_id, LearnedTerm.phrase).where(
        LearnedTerm.count >= MIN_SEEN, LearnedTerm.is_removed.is_(False)
    )
    if ids is not None:
        query = query.where(LearnedTerm.document_id.in_(ids))
    phrases: dict[int, list[str]] = {}
    for doc_id, phrase in db.session.execute(query.order_by(LearnedTerm.id)):
        phrases.setdefault(doc_id, []).append(PLACEHOLDER.sub(" ", phrase))
    return phrases


def to_index_doc(
    doc: Document,
    revision: Revision,
    vocabulary: Vocabulary,
    learned: list[str] | None = None,
    read: "ReadText | None" = None,
) -> IndexDoc | None:
    """``doc`` at ``revision``, analysed for the index; None when nobody may search it.
    ``learned``: the customers' phrases for it (learned_phrases), searched at the lowest weight.
    ``read``: this revision's plain text and vocabulary words, already worked out (a
    rebuild's first pass); else computed here.

    Bounded work whatever the text (see kb.search.analysis). Raises what the vocabulary's
    look-ups raise (IndexMissing when the index went away).
    """
    level = index_level(doc)
    if level is None:
        return None
    tag_text = " ".join([*(doc.tags or []), doc.category.replace("-", " ")])
    whole = read is not None and (
        len(revision.title) + len(tag_text) + len(read.text) + 2 <= MAX_TEXT
    )
    if read is not None and whole and read.revision == (doc.id, revision.number):
        text = read.text
        # The words of "title tags text" are those of "title text" and of the tags: words
        # never span a space (folding is letter by letter), and the text is not cut.
        words = read.words | vocabulary_words(tag_text)
    else:
        text = highlight.plain_text(revision.html)
        words = vocabulary_words(f"{revision.title} {tag_text} {text}")
    title_terms, title_parts = index_terms(revision.title, vocabulary)
    tag_terms, tag_parts = index_terms(tag_text, vocabulary)
    body_terms, body_parts = index_terms(text, vocabulary)
    learned_terms: list[str] = []
    for phrase in learned or []:
        terms, parts = index_terms(phrase, vocabulary)
        learned_terms += terms + parts
    return IndexDoc(
        id=doc.id,
        slug=doc.slug,
        level=level,
        kind=doc.kind,
        channel=doc.channel or "",
        category=doc.category or "",
        tags=list(doc.tags or []),
        revision=revision.number,
        title=revision.title,
        title_terms=title_terms,
        tag_terms=tag_terms,
        body_terms=body_terms,
        part_terms=title_parts + tag_parts + body_parts,
        words=words,
        title_words=set(index_words(revision.title)),
        learned_terms=learned_terms,
    )


@dataclass(frozen=True)
class ReadText:
    """A revision's plain text and the vocabulary words of its title and text."""

    revision: tuple[int, int]  # (document id, revision number)
    text: str
    words: set[str]


def read_text(doc: Document, revision: Revision) -> ReadText:
    return _read(doc.id, revision.number, revision.title, revision.html)


def _read(doc_id: int, number: int, title: str, html: str) -> ReadText:
    text = highlight.plain_text(html)
    return ReadText((doc_id, number), text, vocabulary_words(f"{title} {text}"))


def all_index_docs(progress: Callable[[], None] | None, size_hint: int = 0) -> Iterator[IndexDoc]:
    """Every searchable document, analysed, read in pages by id: the caller may commit
    between pages (the PostgreSQL backend rebuilds in short transactions).

    The first pass reads every text for the vocabularies, in READERS helper processes from
    HELPERS_FROM documents (``size_hint``) on; what they work out (ReadText) is spooled to
    temporary files, a page each, and used again by the second pass for the same revisions,
    instead of being kept in memory or computed twice."""
    with tempfile.TemporaryDirectory(prefix="kb-rebuild-") as folder:
        spool = Path(folder)
        words = _first_pass(spool, helpers=size_hint >= HELPERS_FROM)
        vocabularies = {
            level: Vocabulary(set().union(*(words[b] for b in below)))
            for level, below in READ_WITH.items()
        }
        del words
        learned = learned_phrases()
        spooled = _Spooled(spool)
        for doc, revision in pages():
            vocabulary = vocabularies.get(index_level(doc) or "", EMPTY)
            index_doc = to_index_doc(
                doc, revision, vocabulary, learned.get(doc.id), spooled.get(doc.id)
            )
            if index_doc is not None:
                yield index_doc
            if progress:
                progress()


def _first_pass(spool: Path, helpers: bool) -> dict[str, set[str]]:
    """Level -> the vocabulary words of its documents; each page's ReadText to ``spool``."""
    words: dict[str, set[str]] = {level: set() for level in LEVELS}

    def add(found: dict[str, set[str]]) -> None:
        for level, page_words in found.items():
            words[level] |= page_words

    if not helpers:  # a small rebuild, perhaps in a web worker: no processes to start
        for n, page in enumerate(_text_pages()):
            add(_read_page((spool / f"{n:09d}", page)))
        return words

    # The pages are read here, in the thread with the application context and the
    # database session (a pool's own threads have neither), at most 2 x READERS ahead.
    waiting: deque[AsyncResult] = deque()
    with forking.pool(READERS) as readers:
        for n, page in enumerate(_text_pages()):
            waiting.append(readers.apply_async(_read_page, ((spool / f"{n:09d}", page),)))
            if len(waiting) >= 2 * READERS:
                add(waiting.popleft().get())
        while waiting:
            add(waiting.popleft().get())
    return words


def _text_pages() -> Iterator[list[tuple[int, int, str, str, str]]]:
    page: list[tuple[int, int, str, str, str]] = []
    for doc, revision in pages():
        level = index_level(doc)
        if level is not None:
            page.append((doc.id, revision.number, level, revision.title, revision.html))
            if len(page) >= PAGE:
                yield page
                page = []
    if page:
        yield page


def _read_page(job: tuple[Path, list[tuple[int, int, str, str, str]]]) -> dict[str, set[str]]:
    """In a helper: one page's ReadText to its spool file; returns level -> its words."""
    path, rows = job
    read = []
    words: dict[str, set[str]] = {}
    for doc_id, number, level, title, html in rows:
        found = _read(doc_id, number, title, html)
        read.append(found)
        words.setdefault(level, set()).update(found.words)
    with open(path, "wb") as spooled:
        pickle.dump(read, spooled, pickle.HIGHEST_PROTOCOL)
    return words


class _Spooled:
    """The first pass's ReadText by document id, read from the spool's pages as the second
    pass (in id order, like the first) comes to them."""

    def __init__(self, spool: Path) -> None:
        self._pages = iter(sorted(spool.iterdir()))
        self._ahead: dict[int, ReadText] = {}
        self._last = 0

    def get(self, doc_id: int) -> ReadText | None:
        while self._last < doc_id:
            path = next(self._pages, None)
            if path is None:
                break
            with open(path, "rb") as spooled:
                page = pickle.load(spooled)
            self._ahead = {read.revision[0]: read for read in page}
            if page:
                self._last = page[-1].revision[0]
        return self._ahead.pop(doc_id, None)


def pages(size: int | None = None) -> Iterator[tuple[Document, Revision]]:
    size = size or PAGE
    last = 0
    while True:
        query = with_revisions(
            select(Document).where(Document.status != "archived", Document.id > last)
        )
        page = db.session.execute(query.order_by(Document.id).limit(size)).all()
        if not page:
            return
        yield from ((doc, revision) for doc, revision in page)
        last = page[-1][0].id
