"""core.passages: amendments on passages, rebase onto new versions, collisions, merge."""

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from besluit.core.passages import (
    Change,
    CollisionError,
    Passage,
    PassageError,
    RebaseStatus,
    collide,
    collision_groups,
    collisions,
    merge,
    passage_text,
    rebase,
    rebase_all,
    resolve,
    voting_order,
)
from besluit.core.texts import Block, Document, Kind, Mark, Note, new_block_id
from tests.core.texts_strategies import VOCABULARY, plain_documents

HOUSING = (
    "Wij vragen het kabinet om de afspraak van ten minste 100.000 nieuwe woningen per jaar te "
    "ondersteunen met een meerjarige woningbouwimpuls, om de regie op de ruimtelijke ordening "
    "te versterken."
)


def doc_of(*texts: str) -> Document:
    return Document(tuple(Block(f"b{i}", Kind.PARAGRAPH, t) for i, t in enumerate(texts)))


def change(doc, key, block_id, old, new, occurrence=0) -> Change:
    return Change(key, resolve(doc, block_id, old, occurrence), old, new)


def test_resolve_finds_whole_words_and_punctuation():
    d = doc_of("de gemeente en de gemeenten, samen")
    assert resolve(d, "b0", "gemeente") == Passage("b0", 3, 11)
    assert resolve(d, "b0", "de", occurrence=1) == Passage("b0", 15, 17)
    assert passage_text(d, resolve(d, "b0", "gemeenten")) == "gemeenten"
    assert passage_text(d, resolve(d, "b0", "gemeenten,")) == "gemeenten,"
    with pytest.raises(PassageError):
        resolve(d, "b0", "emeente")
    with pytest.raises(PassageError):
        resolve(d, "b0", "de", occurrence=2)
    with pytest.raises(PassageError):
        resolve(d, "nope", "de")


def test_merge_replaces_only_the_passage():
    d = doc_of("Aanleiding.", HOUSING)
    c = change(
        d,
        "1",
        "b1",
        "ten minste 100.000 nieuwe woningen per jaar",
        "ten minste 100.000 nieuwe woningen per jaar, waarvan twee derde betaalbaar,",
    )
    out = merge(d, [c])
    assert out.document.block("b1").text.startswith(
        "Wij vragen het kabinet om de afspraak van ten minste 100.000 nieuwe woningen per jaar, "
        "waarvan twee derde betaalbaar, te ondersteunen"
    )
    assert out.document.block("b0") is d.block("b0")
    assert out.provenance == {"b1": ("1",)}


def test_merge_deletion_insertion_and_split():
    d = doc_of("een twee drie vier vijf")
    delete = change(d, "1", "b0", "twee", "")
    insert = Change("2", Passage("b0", 14, 14), "", "drie-en-een-half")  # before "vier"
    split = change(d, "3", "b0", "vijf", "vijf.\n\nEen nieuwe alinea.\n\nEn nog een.")
    out = merge(d, [delete, insert, split]).document
    assert [b.text for b in out.blocks] == [
        "een drie drie-en-een-half vier vijf.",
        "Een nieuwe alinea.",
        "En nog een.",
    ]
    assert out.ids == ["b0", "b0~3.1", "b0~3.2"]
    # inserting at the end of a paragraph
    end = Change("4", Passage("b0", 23, 23), "", "zes")
    assert merge(d, [end]).document.block("b0").text == "een twee drie vier vijf zes"
    # deleting the whole paragraph removes it
    gone = change(d, "5", "b0", "een twee drie vier vijf", "")
    assert merge(d, [gone]).document.blocks == ()


def test_merge_keeps_marks_and_notes_outside_the_passage():
    b = Block(
        "b0",
        Kind.PARAGRAPH,
        "Het gemeentefonds groeit niet mee met de uitgaven.",
        marks=(Mark(4, 17, "b"),),
        notes=(Note(50, "Zie de septembercirculaire."),),
    )
    d = Document((b,))
    c = Change("1", resolve(d, "b0", "niet mee"), "niet mee", "onvoldoende mee")
    out = merge(d, [c]).document.block("b0")
    assert out.text == "Het gemeentefonds groeit onvoldoende mee met de uitgaven."
    assert out.text[out.marks[0].start : out.marks[0].end] == "gemeentefonds"
    assert out.notes[0].at == len(out.text)


def test_collisions_and_voting_order():
    d = doc_of(HOUSING, "Een tweede alinea met andere woorden.")
    wide = change(
        d, "1", "b0", "ten minste 100.000 nieuwe woningen per jaar", "120.000 woningen per jaar"
    )
    narrow = change(d, "2", "b0", "100.000", "110.000")
    elsewhere = change(d, "3", "b1", "andere", "nieuwe")
    point = Change(
        "4", Passage("b0", HOUSING.index("100.000"), HOUSING.index("100.000")), "", "ruim"
    )
    assert collide(wide.passage, narrow.passage)
    assert collide(wide.passage, point.passage)
    assert not collide(narrow.passage, elsewhere.passage)
    assert collisions([wide, narrow, elsewhere]) == [("1", "2")]
    assert sorted(map(sorted, collision_groups([wide, narrow, elsewhere, point]))) == [
        ["1", "2", "4"]
    ]
    # farthest-reaching first inside the group, groups in text order
    assert voting_order([elsewhere, narrow, wide], d) == ["1", "2", "3"]
    # the chair's own order wins
    assert voting_order([elsewhere, narrow, wide], d, {"2": 1, "1": 2}) == ["2", "1", "3"]
    with pytest.raises(CollisionError) as exc:
        merge(d, [wide, narrow])
    assert exc.value.pairs == [("1", "2")]


def test_adjacent_passages_do_not_collide_and_spaces_follow_the_words():
    d = doc_of("een twee drie vier vijf")
    a = change(d, "1", "b0", "een twee", "EEN")
    b = change(d, "2", "b0", "drie vier", "")
    assert not collide(a.passage, b.passage)
    assert merge(d, [a, b]).document.block("b0").text == "EEN vijf"
    d = doc_of("met een meerjarige woningbouwimpuls, om de regie")
    c = change(d, "3", "b0", "meerjarige woningbouwimpuls", "")
    assert merge(d, [c]).document.block("b0").text == "met een, om de regie"
    at = d.block("b0").text.index(",")
    ins = Change("4", Passage("b0", at, at), "", "van tien jaar")
    assert merge(d, [ins]).document.block("b0").text == (
        "met een meerjarige woningbouwimpuls van tien jaar, om de regie"
    )
    ins = Change("5", Passage("b0", at, at), "", ", die structureel is")
    assert merge(d, [ins]).document.block("b0").text == (
        "met een meerjarige woningbouwimpuls, die structureel is, om de regie"
    )


# --- rebase --------------------------------------------------------------------------------


def test_rebase_cases():
    old = doc_of("Aanleiding.", HOUSING, "Slot.")
    c = change(old, "7", "b1", "meerjarige woningbouwimpuls", "woningbouwimpuls van tien jaar")
    # the paragraph is unchanged: the amendment applies as it is
    same = Document((Block("n", Kind.PARAGRAPH, "Nieuw."), *old.blocks))
    assert rebase(c, old, same).status == RebaseStatus.UNCHANGED
    # words before the passage changed: rebased to the new offsets
    edited = doc_of(
        "Aanleiding.",
        HOUSING.replace("Wij vragen het kabinet", "Wij vragen het nieuwe kabinet"),
        "Slot.",
    )
    r = rebase(c, old, edited)
    assert r.status == RebaseStatus.REBASED
    assert passage_text(edited, r.change.passage) == "meerjarige woningbouwimpuls"
    # the passage itself changed: a conflict for the submitter
    touched = doc_of("Aanleiding.", HOUSING.replace("meerjarige", "tienjarige"), "Slot.")
    r = rebase(c, old, touched)
    assert r.status == RebaseStatus.CONFLICT and r.change is None and "changed" in r.reason
    # the paragraph is gone, but the words and their neighbours stand once elsewhere: rebased
    moved = Document(
        (Block("x", Kind.PARAGRAPH, "Met een meerjarige woningbouwimpuls, om te beginnen."),)
    )
    r = rebase(c, old, moved)
    assert r.status == RebaseStatus.REBASED and r.change.passage.block_id == "x"
    # gone altogether
    r = rebase(c, old, doc_of("Aanleiding."))
    assert r.status == RebaseStatus.CONFLICT and "removed" in r.reason


PASSAGE_WORDS = ("ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO")


@st.composite
def passage_case(draw):
    """A document, an amendment on a passage of one block, and a new version that changes
    anything but that passage (other blocks, and words before and after it in its block).

    The passage's words do not occur elsewhere in its block, and a word on either side of the
    passage is kept as a buffer: that is what "did not touch the passage" means. (For an
    insertion point, those two words are all there is to locate it.)
    """
    base = draw(plain_documents(min_blocks=1, max_blocks=6))
    prefix = draw(st.lists(st.sampled_from(VOCABULARY), max_size=12))
    passage = draw(st.lists(st.sampled_from(PASSAGE_WORDS), min_size=0, max_size=3))
    suffix = draw(st.lists(st.sampled_from(VOCABULARY), max_size=12))
    if not passage:
        # an insertion point: its neighbouring words are what locates it
        prefix, suffix = [*prefix, "DELTA"], ["ECHO", *suffix]
    target = Block("T", Kind.PARAGRAPH, " ".join(prefix + passage + suffix))
    pos = draw(st.integers(0, len(base.blocks)))
    blocks = list(base.blocks)
    blocks.insert(pos, target)
    old = Document(tuple(blocks))
    new_words = draw(st.lists(st.sampled_from(("NIEUW", "tekst", "de", "ALPHA-2")), max_size=4))
    new_text = " ".join(new_words)
    if new_text == " ".join(passage):
        new_text = (new_text + " extra").strip()
    cs = len(" ".join(prefix)) + (1 if prefix else 0)
    if not passage and prefix:
        cs -= 1  # a point right after the last word of the prefix
    c = Change("1", Passage("T", cs, cs + len(" ".join(passage))), " ".join(passage), new_text)

    # the new version: edit other blocks, and the prefix/suffix away from the buffers
    def mutate(ws, keep_last: bool, keep_first: bool):
        ws = list(ws)
        lo = 1 if keep_first and ws else 0
        hi = len(ws) - (1 if keep_last and ws else 0)
        if hi > lo and draw(st.booleans()):
            a = draw(st.integers(lo, hi))
            z = draw(st.integers(a, hi))
            ws[a:z] = draw(st.lists(st.sampled_from(VOCABULARY), max_size=4))
        return ws

    new_prefix = mutate(prefix, keep_last=True, keep_first=False)
    new_suffix = mutate(suffix, keep_last=False, keep_first=True)
    new_blocks = []
    for b in blocks:
        if b.id == "T":
            new_blocks.append(
                Block("T", Kind.PARAGRAPH, " ".join(new_prefix + passage + new_suffix))
            )
        elif draw(st.integers(0, 3)) == 0:
            continue  # deleted
        elif draw(st.booleans()):
            new_blocks.append(Block(b.id, b.kind, b.text + " " + draw(st.sampled_from(VOCABULARY))))
        else:
            new_blocks.append(b)
    if draw(st.booleans()):
        new_blocks.insert(
            draw(st.integers(0, len(new_blocks))), Block(new_block_id(), Kind.PARAGRAPH, "nieuw")
        )
    if len(new_blocks) > 1 and draw(st.booleans()):
        new_blocks.append(new_blocks.pop(0))  # a move
    new = Document(tuple(new_blocks))
    expected_target = " ".join(new_prefix + ([new_text] if new_text else []) + new_suffix)
    return old, new, c, expected_target, (prefix, new_prefix, suffix, new_suffix)


@settings(max_examples=400, deadline=None)
@given(passage_case())
def test_rebase_onto_a_version_that_left_the_passage_alone(case):
    old, new, c, expected_target, _parts = case
    result = rebase(c, old, new)
    assert result.status in (RebaseStatus.UNCHANGED, RebaseStatus.REBASED), result.reason
    merged = merge(new, [result.change]).document
    # the same merged text as applying the amendment first and the new version's edits after
    expected = [(b.id, expected_target) if b.id == "T" else (b.id, b.text) for b in new.blocks]
    expected = [(i, t) for i, t in expected if t]
    assert [(b.id, b.text) for b in merged.blocks] == expected


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_merge_of_non_colliding_amendments_is_order_independent(data):
    doc = data.draw(plain_documents(min_blocks=1, max_blocks=5))
    changes = []
    for k in range(data.draw(st.integers(1, 8))):
        b = data.draw(st.sampled_from(doc.blocks))
        ws = b.words()
        n = len(ws)
        i = data.draw(st.integers(0, n))
        j = data.draw(st.integers(i, min(n, i + 4)))
        old = " ".join(ws[i:j])
        start = len(" ".join(ws[:i])) + (1 if i else 0)
        if i == n and n:
            start = len(b.text)
        end = start + len(old)
        new = " ".join(data.draw(st.lists(st.sampled_from(VOCABULARY), max_size=4)))
        if data.draw(st.integers(0, 5)) == 0:
            new += "\n\nNieuwe alinea " + str(k)
        if old == new or (start == end and not new.strip()):
            continue
        candidate = Change(str(k + 1), Passage(b.id, start, end), old, new)
        if not any(collide(candidate.passage, c.passage) for c in changes):
            changes.append(candidate)
    if not changes:
        return
    first = merge(doc, changes)
    for perm in itertools.islice(itertools.permutations(changes), 6):
        again = merge(doc, list(perm))
        assert again.document == first.document
        assert again.provenance == first.provenance
    shuffled = list(changes)
    random.Random(len(changes)).shuffle(shuffled)
    assert merge(doc, shuffled).document == first.document
    # merging never rewrites blocks that no amendment touches
    touched = {c.passage.block_id for c in changes}
    for b in doc.blocks:
        if b.id not in touched:
            assert first.document.block(b.id) is b


def test_rebase_all_handles_many_amendments_per_block():
    old = doc_of(HOUSING)
    words = HOUSING.split(" ")
    changes = [
        change(old, str(i), "b0", w, w.upper(), HOUSING.split(" ")[:i].count(w))
        for i, w in enumerate(words)
    ]
    new = doc_of("Inleiding: " + HOUSING)
    results = rebase_all(changes, old, new)
    assert all(r.status == RebaseStatus.REBASED for r in results)
    shift = len("Inleiding: ")
    assert all(
        r.change.passage.start == c.passage.start + shift
        for r, c in zip(results, changes, strict=True)
    )
