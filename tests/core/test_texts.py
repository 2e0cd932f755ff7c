"""core.texts: blocks, words, line numbers, plain text and Markdown."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from besluit.core import texts as T
from besluit.core.text_import import from_markdown
from besluit.core.texts import Block, Document, Kind, Mark, Note, TextError
from tests.core.texts_strategies import documents, words


def test_block_text_must_be_normalised_and_ids_unique():
    with pytest.raises(TextError):
        Block("a", Kind.PARAGRAPH, "two  spaces")
    with pytest.raises(TextError):
        Block("a", Kind.PARAGRAPH, "")
    with pytest.raises(TextError):
        Block("a", Kind.PARAGRAPH, "abc", marks=(Mark(1, 9, "b"),))
    with pytest.raises(TextError):
        Document((Block("a", Kind.PARAGRAPH, "x"), Block("a", Kind.PARAGRAPH, "y")))


def test_round_trip_through_dicts():
    b = Block("k", Kind.NUMBERED, "Een twee drie", 2, (Mark(4, 8, "b"),), (Note(13, "Noot"),))
    d = Document((b,))
    assert Document.from_list(d.to_list()) == d


def test_word_span_and_char_to_word():
    text = "De ALV besluit het fonds te herstellen."
    assert T.word_span(text, 1, 3) == (3, 14)
    assert text[3:14] == "ALV besluit"
    assert T.word_span(text, 2, 2) == (7, 7)
    assert T.word_span(text, 7, 7) == (len(text), len(text))
    assert T.char_to_word(text, 8) == 2
    with pytest.raises(TextError):
        T.word_span(text, 3, 9)


def test_list_labels_restart_and_nest():
    d = Document(
        (
            Block("a", Kind.NUMBERED, "een"),
            Block("b", Kind.NUMBERED, "twee"),
            Block("c", Kind.NUMBERED, "sub", level=2),
            Block("d", Kind.NUMBERED, "sub twee", level=2),
            Block("e", Kind.NUMBERED, "drie"),
            Block("f", Kind.PARAGRAPH, "tussendoor"),
            Block("g", Kind.NUMBERED, "weer een"),
            Block("h", Kind.BULLET, "punt"),
        )
    )
    labels = T.list_labels(d)
    assert [labels[k] for k in "abcdeg"] == ["1.", "2.", "a.", "b.", "3.", "1."]
    assert labels["h"] == "•"


def test_wrap_is_greedy_and_cuts_long_words():
    assert T.wrap("aaa bbb ccc", 7) == [(0, 7), (8, 11)]
    assert T.wrap("a" * 10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert T.wrap("x", 80) == [(0, 1)]


@settings(max_examples=200, deadline=None)
@given(documents(), st.integers(12, 100))
def test_line_numbers_cover_every_word_once(doc, width):
    lines = T.number_lines(doc, width)
    assert [line.number for line in lines] == list(range(1, len(lines) + 1))
    for b in doc.blocks:
        mine = [line for line in lines if line.block_id == b.id]
        assert mine, "every block has a line"
        # the lines of a block give its text back, joined at spaces (or inside a cut word)
        rebuilt = ""
        for prev, line in zip([None, *mine], mine, strict=False):
            if prev is not None:
                rebuilt += b.text[prev.end : line.start]
            rebuilt += b.text[line.start : line.end]
            assert line.end - line.start <= max(1, width - line.indent)
        assert rebuilt == b.text
        assert mine[0].label == T.list_labels(doc).get(b.id, "")


def test_line_index_cites_passages():
    text = " ".join(f"w{i}" for i in range(40))  # 40 words of 2-3 characters
    d = Document((Block("h", Kind.HEADING, "Kop"), Block("p", Kind.PARAGRAPH, text)))
    index = T.LineIndex.of(T.number_lines(d, 20))
    assert index.block_lines("h") == (1, 1)
    first, last = index.block_lines("p")
    assert first == 2 and last > 4
    cs, ce = T.word_span(text, 10, 12)
    a, b = index.chars_lines("p", cs, ce)
    assert first <= a <= b <= last
    assert T.cite((5, 5)) == "5" and T.cite((5, 9)) == "5-9"


def test_segments_carry_formatting_and_note_references():
    b = Block(
        "x",
        Kind.PARAGRAPH,
        "Een vet en schuin woord hier.",
        marks=(Mark(4, 7, "b"), Mark(11, 17, "i")),
        notes=(Note(23, "De noot."),),
    )
    segs = T.segments(b, 0, len(b.text), {("x", 0): 7})
    assert [(s.text, s.bold, s.italic, s.note) for s in segs] == [
        ("Een ", False, False, None),
        ("vet", True, False, None),
        (" en ", False, False, None),
        ("schuin", False, True, None),
        (" woord", False, False, None),
        ("", False, False, 7),
        (" hier.", False, False, None),
    ]


@settings(max_examples=150, deadline=None)
@given(documents(), st.integers(10, 90))
def test_segments_of_all_lines_give_the_text_and_every_note_once(doc, width):
    lines = T.number_lines(doc, width)
    numbers = T.note_numbers(doc)
    for b in doc.blocks:
        mine = [line for line in lines if line.block_id == b.id]
        seen_notes = []
        text = []
        for line in mine:
            segs = T.segments(b, line.start, line.end, numbers)
            text.append("".join(s.text for s in segs))
            seen_notes += [s.note for s in segs if s.note is not None]
        assert [b.text[line.start : line.end] for line in mine] == text
        assert sorted(seen_notes) == sorted(numbers[(b.id, i)] for i in range(len(b.notes)))


def test_plain_text_mirror():
    d = Document(
        (
            Block("h", Kind.HEADING, "Aanleiding", 2),
            Block("p", Kind.PARAGRAPH, "Tekst.", notes=(Note(6, "Bron."),)),
            Block("a", Kind.NUMBERED, "een;"),
            Block("b", Kind.NUMBERED, "twee."),
        )
    )
    assert (
        T.to_plain_text(d) == "## Aanleiding\n\nTekst.\n\n1. een;\n2. twee.\n\n---\n\n[1] Bron.\n"
    )


def _shape(doc):
    return [(b.kind, b.text, b.level, b.marks, b.notes) for b in doc.blocks]


@settings(max_examples=200, deadline=None)
@given(documents())
def test_markdown_round_trip(doc):
    # A list item can only nest one level deeper than the item before it.
    fixed = []
    depth = 0
    for b in doc.blocks:
        if b.kind in (Kind.BULLET, Kind.NUMBERED):
            level = min(b.level, depth + 1)
            depth = level
            fixed.append(Block(b.id, b.kind, b.text, level, b.marks, b.notes))
        else:
            depth = 0
            fixed.append(b)
    doc = Document(tuple(fixed))
    back = from_markdown(T.to_markdown(doc)).document
    assert _shape(back) == _shape(doc)


@given(words)
def test_builder_normalises_whitespace_and_keeps_marks(ws):
    builder = T.BlockBuilder()
    builder.add("  ")
    for i, w in enumerate(ws):
        builder.add(w, bold=i % 2 == 0)
        builder.add(" \n\t ")
    block = builder.build("x", Kind.PARAGRAPH)
    assert block.text == " ".join(ws)
    bold_words = {block.text[m.start : m.end] for m in block.marks}
    assert all(w in " ".join(bold_words) for w in ws[::2])
