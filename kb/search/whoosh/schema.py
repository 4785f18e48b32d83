"""The Whoosh index layout: fields, how an IndexDoc fills them, and per-segment columns."""

import sys
from collections.abc import Hashable, Iterable
from typing import Any

from whoosh.analysis import DelimitedAttributeFilter, SpaceSeparatedTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema

from kb.search.backend import LEVELS, Hit, IndexDoc
from kb.search.whoosh.ranking import FIELD

# Field weights, applied by repetition in one "text" field: a term is then one posting list
# instead of four, which is what makes pure-Python matching fast enough for live calls.
TITLE_REPEAT, TAG_REPEAT = 3, 2
# Learned customer phrases weigh less than one body occurrence: repetition cannot go below
# one, so those terms carry a token boost ("term^0.5", read by the field's analyzer).
LEARNED_BOOST = 0.5

COLUMNS = ("level", "kind", "channel", "category", "tagset")
SEGMENT_LISTS = (*COLUMNS, "combo", "length", "title_length", "docid")
TITLE_FIELD = "title_words"
LENGTH_OF = {FIELD: "length", TITLE_FIELD: "title_length"}
COLUMN_OF = {"kind": "kind", "channel": "channel", "category": "category", "tag": "tagset"}


def make_schema() -> Schema:
    """The index's fields; an index with other fields counts as missing (rebuilt)."""
    terms = text_analyzer()
    fields: dict[str, FieldType] = {
        # sortable: ties are broken by document id, which is the same in every index of
        # the same documents (docnums are not: a parallel rebuild deals them out in batches).
        "id": ID(stored=True, unique=True, sortable=True),
        "slug": ID(stored=True),
        "level": ID(stored=True, sortable=True),
        "kind": ID(stored=True, sortable=True),
        "channel": ID(stored=True, sortable=True),
        "category": ID(stored=True, sortable=True),
        "tags": KEYWORD(stored=True, commas=True),
        "tagset": ID(sortable=True),  # the same tags as one column value, for fast facets
        "revision": NUMERIC(stored=True),
        "title_text": STORED(),
        "text": TEXT(analyzer=terms, phrase=True),
        TITLE_FIELD: KEYWORD(scorable=True),
    }
    for level in LEVELS:
        # scorable: Whoosh caches a field's length column only when it has one; without it,
        # writing checks the disk once per posting.
        fields[f"words_{level}"] = KEYWORD(scorable=True)
    return Schema(**fields)


def text_analyzer() -> Any:
    """Terms are already analysed (kb.search.analysis): split on spaces, read "term^boost"."""
    return SpaceSeparatedTokenizer() | DelimitedAttributeFilter()


def fields_of(doc: IndexDoc) -> dict[str, Any]:
    """The field values Whoosh stores and indexes for one document."""
    return {
        "id": str(doc.id),
        "slug": doc.slug,
        "level": doc.level,
        "kind": doc.kind,
        "channel": doc.channel or "",
        "category": doc.category or "",
        "tags": ",".join(doc.tags),
        "tagset": "\x1f".join(doc.tags),
        "revision": doc.revision,
        "title_text": doc.title,
        "text": " ".join(
            [*doc.title_terms] * TITLE_REPEAT
            + [*doc.tag_terms] * TAG_REPEAT
            + doc.body_terms
            + doc.part_terms
            + [f"{term}^{LEARNED_BOOST}" for term in doc.learned_terms]
        ),
        TITLE_FIELD: " ".join(sorted(doc.title_words)),
        f"words_{doc.level}": " ".join(sorted(doc.words)),
    }


def has_value(stored: Any, column: str, value: str) -> bool:
    """Whether a column value matches a filter (tags hold several values)."""
    return value in stored if column == "tagset" else stored == value


def segment_lists(segment: Any) -> dict[str, list]:
    """Column values and text lengths of every document of one segment, by docnum."""
    # Each distinct value is one object, shared by the documents that have it: a column
    # reader returns a new string per document (at 100 000 documents, 45 MB of strings
    # for a few hundred distinct values).
    lists: dict[str, list] = {name: _shared(segment.column_reader(name)) for name in COLUMNS}
    # Tags as tuples, split once rather than once per search; (kind, channel, category)
    # together, so facets take one counting pass.
    tagsets: dict[str, tuple[str, ...]] = {}
    lists["tagset"] = [
        tagsets[v] if v in tagsets else tagsets.setdefault(v, _tags(v)) for v in lists["tagset"]
    ]
    lists["combo"] = _shared(zip(lists["kind"], lists["channel"], lists["category"], strict=True))
    every = range(segment.doc_count_all())
    lists["length"] = [segment.doc_field_length(d, FIELD, 0) for d in every]
    lists["title_length"] = [segment.doc_field_length(d, TITLE_FIELD, 0) for d in every]
    lists["docid"] = [int(v or 0) for v in segment.column_reader("id")]
    return lists


def _shared(values: Iterable[Hashable]) -> list:
    """``values`` as a list in which equal values are one object."""
    seen: dict = {}
    return [seen.setdefault(value, value) for value in values]


def _tags(tagset: str) -> tuple[str, ...]:
    return tuple(sys.intern(tag) for tag in tagset.split("\x1f")) if tagset else ()


def stored_hit(fields: dict[str, Any], score: float) -> Hit:
    """A Hit from a document's stored fields."""
    return Hit(
        int(fields["id"]),
        fields["slug"],
        fields["kind"],
        fields["channel"],
        fields["title_text"],
        round(score, 4),
    )
