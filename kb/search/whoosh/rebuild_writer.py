"""The writer of a full rebuild: Whoosh's SegmentWriter, minus the work our index never needs.

Three things in Whoosh's SegmentWriter cost a rebuild most of its time, and none is needed
for a fresh segment of terms kb.search.analysis has already analysed:

1. Every posting, one tuple each, goes into a PostingPool that sorts them by (field, term,
   docnum) and, past ``limitmb``, writes sorted runs to disk and merges them back. A writer
   gives out docnums in ascending order, so postings grouped by term as they arrive are
   already in docnum order: ``TermPool`` keeps each term's docnums, weights and values in
   typed arrays (12 bytes a posting plus its value, instead of a ~200-byte tuple) and
   sorts only the terms, once.
2. Each field's text is run through Whoosh's analyzer chain (a Token object per word) to
   find terms, frequencies and positions. Our fields hold terms separated by spaces (with
   "term^boost" in the text field): ``positions_postings`` and ``frequency_postings`` give
   exactly what ``field.index`` gives for them, in one pass each.
3. Writing the postings asks the segment's length column on disk for every posting's
   document length; ``RebuildWriter`` keeps the lengths it wrote in memory.

tests/test_search_whoosh_contract.py compares all three with Whoosh's own results.
"""

import re
from array import array
from collections.abc import Callable, Iterable
from pickle import dumps
from typing import Any

from whoosh.codec.whoosh3 import W3Codec
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from kb.search.whoosh.ranking import FIELD
from kb.search.whoosh.schema import TITLE_FIELD

Posting = tuple[str, bytes, int, float, bytes]
FieldPosting = tuple[bytes, int, float, bytes]  # what FieldType.index yields

TOKEN = re.compile(r"[^ \t\r\n]+")  # Whoosh's SpaceSeparatedTokenizer


def positions_postings(value: str, field_boost: float) -> list[FieldPosting]:
    """What a TEXT field with the Positions format and text_analyzer() (space-separated
    terms, "term^boost") indexes for ``value``."""
    positions: dict[str, list[int]] = {}
    weights: dict[str, float] | None = None  # None: every token weighs 1.0 (no "^")
    if "^" not in value:
        for pos, text in enumerate(TOKEN.findall(value)):
            found = positions.get(text)
            if found is None:
                positions[text] = [pos]
            else:
                found.append(pos)
    else:
        weights = {}
        for pos, token in enumerate(TOKEN.findall(value)):
            text, marked, boost = token.partition("^")
            weight = float(boost) if marked else 1.0
            found = positions.get(text)
            if found is None:
                positions[text] = [pos]
                weights[text] = 0.0 + weight
            else:
                found.append(pos)
                weights[text] += weight
    postings = []
    for text, poslist in positions.items():
        count = len(poslist)
        if count == 1:
            deltas = poslist
        else:
            deltas = [poslist[0]] + [b - a for a, b in zip(poslist, poslist[1:], strict=False)]
        # A sum of count times 1.0 is exactly float(count).
        weight = float(count) if weights is None else weights[text]
        postings.append(
            (
                text.encode("utf-8"),
                count,
                weight * field_boost,
                pack_uint(count) + dumps(deltas, 2),
            )
        )
    return postings


def frequency_postings(value: str, field_boost: float) -> list[FieldPosting]:
    """What a KEYWORD field (Frequency format, space-separated, not lowercased) indexes."""
    freqs: dict[str, int] = {}
    for token in TOKEN.findall(value):
        freqs[token] = freqs.get(token, 0) + 1
    return [
        (text.encode("utf-8"), freq, float(freq) * field_boost, pack_uint(freq))
        for text, freq in freqs.items()
    ]


class _Postings:
    __slots__ = ("docnums", "weights", "ends", "values")

    def __init__(self) -> None:
        # 4 bytes each: a segment's docnums and a term's values stay far below 2**32, and
        # Whoosh keeps posting weights as 32-bit floats in its blocks and term infos anyway.
        self.docnums = array("I")
        self.weights = array("f")
        self.ends = array("I")
        self.values = bytearray()


class TermPool:
    """What SegmentWriter asks of its ``pool``: add() (when merging segments), fieldnames,
    cleanup(); and add_field() and fields() for RebuildWriter. Postings of a term must come
    in ascending docnum order, as one writer adds them."""

    def __init__(self) -> None:
        self.fieldnames: set[str] = set()
        self._fields: dict[str, dict[bytes, _Postings]] = {}

    def _terms(self, fieldname: str) -> dict[bytes, _Postings]:
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        return terms

    def add(self, item: Posting) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self._terms(fieldname)
        postings = terms.get(tbytes)
        if postings is None:
            postings = terms[tbytes] = _Postings()
        elif postings.docnums[-1] > docnum:
            raise ValueError(f"posting for docnum {docnum} after {postings.docnums[-1]}")
        postings.docnums.append(docnum)
        postings.weights.append(weight)
        postings.values += vbytes
        postings.ends.append(len(postings.values))

    def add_field(
        self, fieldname: str, docnum: int, items: Iterable[FieldPosting], boost: float
    ) -> int:
        """One document's postings of one field (docnum above every earlier one); returns
        the sum of their frequencies."""
        terms = self._terms(fieldname)
        length = 0
        for tbytes, freq, weight, vbytes in items:
            postings = terms.get(tbytes)
            if postings is None:
                postings = terms[tbytes] = _Postings()
            postings.docnums.append(docnum)
            postings.weights.append(weight * boost)
            postings.values += vbytes
            postings.ends.append(len(postings.values))
            length += freq
        return length

    def fields(self) -> dict[str, dict[bytes, _Postings]]:
        """Field name -> term -> its postings, for RebuildWriter._flush_segment."""
        return self._fields

    def cleanup(self) -> None:
        self._fields.clear()


def fast_postings(fieldname: str) -> Callable[[str, float], list[FieldPosting]] | None:
    """Our own postings function for a field of schema.make_schema(), or None: every other
    field goes through Whoosh's field.index."""
    if fieldname == FIELD:
        return positions_postings
    if fieldname == TITLE_FIELD or fieldname.startswith("words_"):
        return frequency_postings
    return None


class RebuildWriter(SegmentWriter):
    """A SegmentWriter for a new segment of a rebuild (see the module's docstring). No
    vectors and no spelling fields: the schema has none (checked here)."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        # zlib level 1 for the posting blocks instead of Whoosh's 3: the same size here
        # (41 MB at 10k documents), 8% less rebuild time; readers decompress either.
        super().__init__(ix, codec=W3Codec(compression=1), **kwargs)
        self.pool = TermPool()
        self._lengths: dict[str, dict[int, int]] = {}
        self._fast = {name: fast_postings(name) for name in self.schema.names()}
        for name in self.schema.names():
            field = self.schema[name]
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {name}: vectors and spelling are not written here")

    def add_document(self, **fields: Any) -> None:
        # As SegmentWriter.add_document, without vectors and spelling.
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    fast = self._fast[fieldname]
                    if fast is not None and isinstance(value, str):
                        items = fast(value, field.format.field_boost)
                    else:
                        items = field.index(value)
                    total = self.pool.add_field(fieldname, docnum, items, fieldboost)
                    if field.scorable:
                        length = total
                        if length:
                            stored = byte_to_length(length_to_byte(length))
                            self._lengths.setdefault(fieldname, {})[docnum] = stored
                customval = fields.get(f"_stored_{fieldname}", value)
                stored_value = customval if field.stored else None
                perdocwriter.add_field(fieldname, field, stored_value, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(
                        fieldname, column, field.to_column_value(customval)
                    )
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        # As SegmentWriter._flush_segment and FieldWriter.add_postings, with the lengths
        # from memory and each term's postings handed to the postings writer a block at a
        # time (_write_postings) instead of one add() call each.
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        fields = self.pool.fields()
        for fieldname in sorted(fields):
            terms = fields[fieldname]
            lengths = self._lengths.get(fieldname, {})
            fieldwriter.start_field(fieldname, self.schema[fieldname])
            for tbytes in sorted(terms):
                fieldwriter.start_term(tbytes)
                _write_postings(fieldwriter._postwriter, terms[tbytes], lengths)
                fieldwriter.finish_term()
            fieldwriter.finish_field()
        fieldwriter.close()


def _write_postings(writer: Any, postings: _Postings, lengths: dict[int, int]) -> None:
    """One term's postings into a whoosh3 W3PostingsWriter, leaving it as add_posting() for
    each would: full blocks of ``_blocklimit`` written, the last one left for
    finish_postings() (written as the last block, or inlined), the same block statistics."""
    limit = writer._blocklimit
    values = bytes(postings.values)
    ends = postings.ends
    count = len(postings.docnums)
    start_byte = 0
    for start in range(0, count, limit):
        if start:
            writer._write_block()  # add_posting writes a full block when the next comes
        end = min(start + limit, count)
        ids = postings.docnums[start:end]
        weights = postings.weights[start:end]
        block_values = []
        for stop in ends[start:end]:
            value = values[start_byte:stop]
            start_byte = stop
            if value:
                block_values.append(value)
        block_lengths = [n for n in map(lengths.get, ids) if n]
        writer._ids = ids
        writer._weights = weights
        writer._values = block_values
        top = max(weights)
        writer._maxweight = top if top > 0 else 0
        writer._minlength = min(block_lengths) if block_lengths else None
        writer._maxlength = max(block_lengths) if block_lengths else 0
