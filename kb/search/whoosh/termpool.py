"""A rebuild's postings kept by term in compact arrays, instead of Whoosh's external sort.

Whoosh's SegmentWriter puts every posting, one tuple each, into a PostingPool that sorts
them by (field, term, docnum) and, past ``limitmb``, writes sorted runs to disk and merges
them back: at 10 000 documents that pickling, sorting and merging was half the writer
processes' time. A writer gives out docnums in ascending order, so postings grouped by
term as they arrive are already in docnum order: only the terms need sorting, once, at
the end. Each term keeps its docnums, weights and value ends in typed arrays and its
values in one bytearray, about 20 bytes a posting instead of ~200 for a tuple.
"""

from array import array
from collections.abc import Iterator
from typing import Any

Posting = tuple[str, bytes, int, float, bytes]


class _Postings:
    __slots__ = ("docnums", "weights", "ends", "values")

    def __init__(self) -> None:
        self.docnums = array("q")
        self.weights = array("d")
        self.ends = array("Q")
        self.values = bytearray()


class TermPool:
    """What SegmentWriter asks of its ``pool``: add(), iter_postings(), fieldnames,
    cleanup(). Postings must be added in ascending docnum order per term, as one writer
    adds them (add_document numbers documents as it goes)."""

    def __init__(self) -> None:
        self.fieldnames: set[str] = set()
        self._fields: dict[str, dict[bytes, _Postings]] = {}

    def add(self, item: Posting) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        postings = terms.get(tbytes)
        if postings is None:
            postings = terms[tbytes] = _Postings()
        elif postings.docnums[-1] > docnum:
            raise ValueError(f"posting for docnum {docnum} after {postings.docnums[-1]}")
        postings.docnums.append(docnum)
        postings.weights.append(weight)
        postings.values += vbytes
        postings.ends.append(len(postings.values))

    def iter_postings(self) -> Iterator[Posting]:
        """Every posting, sorted by field, term and docnum, as Whoosh's pool gives them."""
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            for tbytes in sorted(terms):
                postings = terms[tbytes]
                values = bytes(postings.values)
                start = 0
                for docnum, weight, end in zip(
                    postings.docnums, postings.weights, postings.ends, strict=True
                ):
                    yield fieldname, tbytes, docnum, weight, values[start:end]
                    start = end

    def cleanup(self) -> None:
        self._fields.clear()


def use_term_pool(writer: Any) -> Any:
    """``writer`` (a fresh whoosh SegmentWriter) with a TermPool; returns it."""
    writer.pool = TermPool()
    return writer
