"""What the search index holds for a document: its indexed revision, analysed.

Shared by the change-log sync (kb.search.service) and the full rebuild: both read a
document's indexed revision (published, else current) with its learned phrases and turn it
into an IndexDoc with kb.search.analysis. Bounded work per document whatever its text.
"""

from collections.abc import Callable, Collection, Iterator

from sqlalchemy import ColumnElement, Select, func, select

from kb.documents.models import Document, Revision
from kb.documents.policy import index_level
from kb.extensions import db
from kb.search import highlight
from kb.search.analysis import Vocabulary, index_terms, index_words, vocabulary_words
from kb.search.backend import LEVELS, IndexDoc
from kb.search.models import MIN_SEEN, LearnedTerm
from kb.search.privacy import PLACEHOLDER

# Compounds in a document are split with the words of the documents its readers may read
# (its own level and the narrower ones): a public document's index terms must not depend on
# which words internal documents or drafts use, or a customer's results would reveal them.
READ_WITH = {level: LEVELS[: n + 1] for n, level in enumerate(LEVELS)}
EMPTY = Vocabulary()  # for documents nobody searches (to_index_doc returns None first)


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
    doc: Document, revision: Revision, vocabulary: Vocabulary, learned: list[str] | None = None
) -> IndexDoc | None:
    """``doc`` at ``revision``, analysed for the index; None when nobody may search it.
    ``learned``: the customers' phrases for it (learned_phrases), searched at the lowest weight.

    Bounded work whatever the text (see kb.search.analysis). Raises what the vocabulary's
    look-ups raise (IndexMissing when the index went away).
    """
    level = index_level(doc)
    if level is None:
        return None
    text = highlight.plain_text(revision.html)
    tag_text = " ".join([*(doc.tags or []), doc.category.replace("-", " ")])
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
        words=vocabulary_words(f"{revision.title} {tag_text} {text}"),
        title_words=set(index_words(revision.title)),
        learned_terms=learned_terms,
    )


def all_index_docs(progress: Callable[[], None] | None) -> Iterator[IndexDoc]:
    """Every searchable document, analysed, read in pages by id: the caller may commit
    between pages (the PostgreSQL backend rebuilds in short transactions)."""
    words: dict[str, set[str]] = {level: set() for level in LEVELS}
    for doc, revision in pages():
        level = index_level(doc)
        if level is not None:
            words[level] |= vocabulary_words(
                f"{revision.title} {highlight.plain_text(revision.html)}"
            )
    vocabularies = {
        level: Vocabulary(set().union(*(words[b] for b in below)))
        for level, below in READ_WITH.items()
    }
    learned = learned_phrases()
    for doc, revision in pages():
        vocabulary = vocabularies.get(index_level(doc) or "", EMPTY)
        index_doc = to_index_doc(doc, revision, vocabulary, learned.get(doc.id))
        if index_doc is not None:
            yield index_doc
        if progress:
            progress()


def pages(size: int = 500) -> Iterator[tuple[Document, Revision]]:
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
