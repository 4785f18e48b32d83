"""Whoosh segment names must not repeat when someone reseeds `random` (Hypothesis does):
a repeated name made a new segment overwrite a live one, and searches failed on the index."""

import random

from kb.search import whoosh  # noqa: F401  (installs the segment names)
from kb.search.backend import IndexDoc


def doc(n: int) -> IndexDoc:
    return IndexDoc(
        id=n, slug=f"d{n}", level="public", kind="article", channel="", category="c", tags=[],
        revision=1, title="kievit", title_terms=["kievit"], tag_terms=[], body_terms=["kievit"],
        part_terms=[], words={"kievit"}, title_words={"kievit"},
    )  # fmt: skip


def test_a_reseeded_random_module_never_repeats_a_segment_name(tmp_path):
    backend = whoosh.WhooshBackend(str(tmp_path))
    backend.rebuild(iter([doc(1)]), None)
    for n in range(2, 12):  # each publish writes a segment; merges rewrite them
        random.seed(42)  # what a test framework does before each example
        backend.apply([doc(n)], [])
    assert set(backend.indexed()) == set(range(1, 12))
    backend.close()
