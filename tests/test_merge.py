"""The three-way merge (kb/documents/merge.py): body line by line through merge3, fields one by
one. Pure functions: no app, no database."""

import pytest

from kb.documents.merge import (
    DocumentMerge,
    Undecided,
    merge_fields,
    merge_text,
)

BASE = "# Modem\n\nZet de modem uit.\nWacht tien seconden.\nZet de modem weer aan."


def origins(merge):
    return [s.origin for s in merge.segments]


def test_changes_in_different_places_merge_cleanly_and_say_whose_they_are():
    theirs = BASE.replace("# Modem", "# Modem resetten")
    mine = BASE + "\n\nBlijft het lampje rood? Bel de storingslijn."
    merge = merge_text(BASE, mine, theirs)
    assert merge.clean and merge.conflicts == []
    assert merge.text == (
        "# Modem resetten\n\nZet de modem uit.\nWacht tien seconden.\nZet de modem weer aan."
        "\n\nBlijft het lampje rood? Bel de storingslijn."
    )
    assert origins(merge) == ["theirs", "unchanged", "mine"]
    theirs_seg, _, mine_seg = merge.segments
    assert (theirs_seg.base, theirs_seg.theirs) == (("# Modem",), ("# Modem resetten",))
    assert mine_seg.base == () and mine_seg.mine == (
        "",
        "Blijft het lampje rood? Bel de storingslijn.",
    )
    assert merge.resolve({}) == merge.text


def test_overlapping_changes_are_a_conflict_with_all_three_versions():
    mine = BASE.replace("tien", "twintig")
    theirs = BASE.replace("tien", "dertig")
    merge = merge_text(BASE, mine, theirs)
    assert not merge.clean
    [block] = merge.conflicts
    assert block.conflict == 0
    assert block.base == ("Wacht tien seconden.",)
    assert block.mine == ("Wacht twintig seconden.",)
    assert block.theirs == ("Wacht dertig seconden.",)
    # Until decided, the text shows both between markers, at the line the block names.
    lines = merge.text.split("\n")
    assert lines[merge.conflict_line(0) - 1] == "<<<<<<< mijn versie"
    assert "Wacht twintig seconden." in lines and "Wacht dertig seconden." in lines
    with pytest.raises(KeyError):
        merge.resolve({})
    assert "Wacht twintig" in merge.resolve({0: "mine"})
    assert "dertig" not in merge.resolve({0: "mine"})
    assert "Wacht dertig" in merge.resolve({0: "theirs"})
    assert "twintig" not in merge.resolve({0: "theirs"})
    both = merge.resolve({0: "both"}).split("\n")
    assert both[3:5] == ["Wacht dertig seconden.", "Wacht twintig seconden."]


def test_both_making_the_same_change_is_no_conflict():
    same = BASE.replace("tien", "dertig")
    merge = merge_text(BASE, same, same)
    assert merge.clean and merge.text == same
    assert "both" in origins(merge)


def test_deletions_merge_and_a_deletion_against_an_edit_conflicts():
    base = "a\nb\nc\nd"
    merge = merge_text(base, "a\nc\nd", "a\nb\nc")  # I delete b, they delete d
    assert merge.clean and merge.text == "a\nc"
    deleted = [s for s in merge.segments if s.origin != "unchanged"]
    assert [(s.origin, s.base, s.lines) for s in deleted] == [
        ("mine", ("b",), ()),
        ("theirs", ("d",), ()),
    ]
    both_deleted = merge_text(base, "a\nc\nd", "a\nc\nd")
    assert both_deleted.clean and both_deleted.text == "a\nc\nd"
    assert ("both", ("b",), ()) in [(s.origin, s.base, s.lines) for s in both_deleted.segments]
    edit_vs_delete = merge_text(base, "a\nB\nc\nd", "a\nc\nd")
    [block] = edit_vs_delete.conflicts
    assert (block.base, block.mine, block.theirs) == (("b",), ("B",), ())


def test_an_empty_base_merges_identical_text_and_conflicts_otherwise():
    assert merge_text("", "", "").text == ""
    same = merge_text("", "Nieuw.\nTweede regel.", "Nieuw.\nTweede regel.")
    assert same.clean and same.text == "Nieuw.\nTweede regel."
    only_mine = merge_text("", "Van mij.", "")
    assert only_mine.clean and only_mine.text == "Van mij."
    different = merge_text("", "Van mij.", "Van hen.")
    [block] = different.conflicts
    assert (block.base, block.mine, block.theirs) == ((), ("Van mij.",), ("Van hen.",))


def test_long_texts_with_many_blank_lines_or_repeated_lines_still_align():
    paragraphs = [f"Alinea {i}." for i in range(150)]
    base = "\n\n".join(paragraphs)
    mine = base.replace("Alinea 10.", "Alinea tien.")
    theirs = base.replace("Alinea 140.", "Alinea honderdveertig.")
    merge = merge_text(base, mine, theirs)
    assert merge.clean
    assert "Alinea tien." in merge.text and "Alinea honderdveertig." in merge.text
    assert merge.text.count("\n") == base.count("\n")
    # A long checklist of identical lines, added to at both ends.
    checks = "\n".join(["- [ ] gecontroleerd"] * 300)
    merge = merge_text(checks, checks + "\n- [ ] klant gebeld", "# Controle\n" + checks)
    assert merge.clean
    assert merge.text == "# Controle\n" + checks + "\n- [ ] klant gebeld"


def test_fields_take_the_one_sided_change_and_conflict_when_both_differ():
    base = {"title": "Modem", "category": "internet", "tags": ["modem"], "channel": None}
    mine = {"title": "Modem herstarten", "category": "internet", "tags": ["modem"], "channel": None}
    theirs = {"title": "Modem", "category": "storingen", "tags": ["wifi"], "channel": None}
    fields = merge_fields(base, mine, theirs)
    assert fields["title"].origin == "mine" and fields["title"].value == "Modem herstarten"
    assert fields["category"].origin == "theirs" and fields["category"].value == "storingen"
    assert fields["channel"].origin == "unchanged" and fields["channel"].value is None
    mine["tags"] = ["router"]
    tags = merge_fields(base, mine, theirs)["tags"]
    assert tags.conflict
    assert tags.choose("mine") == ["router"] and tags.choose("theirs") == ["wifi"]
    assert tags.choose("both") == ["wifi", "router"]
    with pytest.raises(ValueError):
        fields["title"].choose("both")
    same = merge_fields(base, {**base, "title": "X"}, {**base, "title": "X"})["title"]
    assert same.origin == "both" and not same.conflict


def test_without_a_base_every_field_difference_is_a_conflict():
    fields = merge_fields(None, {"title": "A", "category": "x"}, {"title": "B", "category": "x"})
    assert fields["title"].conflict and not fields["category"].conflict


def test_document_merge_refuses_to_resolve_until_every_conflict_is_decided():
    merge = DocumentMerge(
        base=1,
        theirs=2,
        body=merge_text("a", "b", "c"),
        fields=merge_fields({"title": "T"}, {"title": "Mijn"}, {"title": "Hun"}),
    )
    assert not merge.clean
    with pytest.raises(Undecided) as undecided:
        merge.resolve({0: "mine"}, {})
    assert undecided.value.missing == ["veld-title"]
    with pytest.raises(Undecided) as undecided:
        merge.resolve({}, {})
    assert undecided.value.missing == ["blok-0", "veld-title"]
    body, values = merge.resolve({0: "theirs"}, {"title": "mine"})
    assert (body, values) == ("c", {"title": "Mijn"})


def test_word_marks_show_what_changed_inside_a_long_line():
    from kb.documents.diff import word_marks

    old = ["Werkt uw internet niet, dan kan het een storing zijn.", ""]
    new = ["Werkt uw <internet> niet, dan kan het een grote storing zijn.", "", "Nieuw hier"]
    marked = [str(line) for line in word_marks(old, new)]
    assert marked == [
        'Werkt uw <mark class="m-word">&lt;</mark>internet<mark class="m-word">&gt;</mark> niet, '
        'dan kan het een <mark class="m-word">grote</mark> storing zijn.',
        "",
        '<mark class="m-word">Nieuw hier</mark>',
    ]
    # Nothing to compare with: the lines as they are, escaped.
    assert [str(x) for x in word_marks([], ["<b>"])] == ["&lt;b&gt;"]


PARAGRAPH = (
    "Werkt uw internet niet, dan kan het een storing zijn. Kijk eerst op de storingspagina of "
    "er in uw buurt iets aan de hand is, en herstart daarna de modem."
)


def test_two_edits_in_one_paragraph_that_touch_different_words_merge():
    base = f"# Storing\n\n{PARAGRAPH}\n\nBel ons als het niet helpt."
    mine = base.replace("Werkt uw internet", "Doet uw internet het")  # at its start
    theirs = base.replace("herstart daarna de modem", "herstart daarna uw modem")  # its end
    merge = merge_text(base, mine, theirs)
    assert merge.clean
    assert merge.text == base.replace("Werkt uw internet", "Doet uw internet het").replace(
        "daarna de modem", "daarna uw modem"
    )
    [block] = [s for s in merge.segments if s.origin == "merged"]
    assert block.conflict is None and block.base == (PARAGRAPH,)
    changed = [(w.origin, w.old, w.new) for w in block.words if w.origin != "unchanged"]
    assert changed == [("mine", "Werkt", "Doet"), ("mine", "", "het "), ("theirs", "de", "uw")]
    # The words between the changes are kept as they were, so the marks show only the edits.
    assert "".join(w.new for w in block.words) == merge.text.split("\n")[2]
    assert merge.resolve({}) == merge.text


def test_a_merged_block_may_span_lines_and_keeps_them():
    base = "Stap 1: zet de modem uit.\nStap 2: wacht tien seconden.\nStap 3: zet hem aan."
    mine = base.replace("Stap 1: zet", "Stap 1: schakel").replace("hem aan", "hem weer aan")
    theirs = base.replace("wacht tien", "wacht dertig")  # the middle line: lines touch
    merge = merge_text(base, mine, theirs)
    assert merge.clean and [s.origin for s in merge.segments] == ["merged"]
    assert merge.text == (
        "Stap 1: schakel de modem uit.\nStap 2: wacht dertig seconden.\nStap 3: zet hem weer aan."
    )


@pytest.mark.parametrize(
    ("mine", "theirs"),
    [
        ("Wacht twintig seconden.", "Wacht dertig seconden."),  # the same word
        ("Wacht twintig seconden.", "Wacht tien minuten."),  # words side by side
        ("Wacht tien seconden!", "Wacht tien tellen."),  # a word and the full stop after it
        ("", "Wacht tien lange seconden."),  # deleted against edited
    ],
)
def test_edits_that_touch_the_same_or_neighbouring_words_stay_a_conflict(mine, theirs):
    base = "Zet de modem uit.\nWacht tien seconden.\nZet hem weer aan."
    merge = merge_text(
        base,
        base.replace("Wacht tien seconden.", mine).replace("\n\n", "\n"),
        base.replace("Wacht tien seconden.", theirs),
    )
    [block] = merge.conflicts
    assert block.origin == "conflict" and block.words == ()
    assert merge.resolve({0: "mine"}).count("Wacht") == (1 if mine else 0)


def test_a_paragraph_as_long_as_a_document_may_be_still_merges_word_by_word():
    from kb.documents.models import MAX_BODY

    words = ["modem", "klant", "storing", "wacht", "router", "lampje", "rood", "de", "het"]
    base = " ".join(words[i * 7 % len(words)] + str(i % 50) for i in range(MAX_BODY // 9))
    assert len(base) <= MAX_BODY
    mine = "Begin: " + base
    theirs = base + " Einde."
    merge = merge_text(base, mine, theirs)
    assert merge.clean and merge.text == "Begin: " + base + " Einde."
