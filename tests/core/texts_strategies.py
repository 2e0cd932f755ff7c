"""Hypothesis strategies for structured texts (shared by the tests of core.texts and friends)."""

from hypothesis import strategies as st

from besluit.core.texts import Block, Document, Kind, Mark, Note

VOCABULARY = (
    "de",
    "het",
    "een",
    "gemeente",
    "gemeenten",
    "Rijk",
    "vraagt",
    "kabinet",
    "om",
    "te",
    "100.000",
    "woningen,",
    "per",
    "jaar;",
    "zorg",
    "en",
    "jeugd",
    "(zie",
    "bijlage)",
    "één",
    "2026",
    "middelen",
    "structureel",
    "vereniging",
    "leden",
    "—",
    "ruimte.",
    "niet",
    "wel",
    "provincies",
    "Wmo",
    "energie-",
    "transitie",
    "sociaal",
    "minimum",
    "x",
    "a",
)

word = st.one_of(
    st.sampled_from(VOCABULARY),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzëéï", min_size=1, max_size=14),
)
words = st.lists(word, min_size=1, max_size=40)


@st.composite
def blocks(draw, block_id: str) -> Block:
    ws = draw(words)
    text = " ".join(ws)
    kind = draw(st.sampled_from(list(Kind)))
    level = draw(st.integers(1, 4)) if kind != Kind.PARAGRAPH else 1
    marks = []
    if draw(st.booleans()):
        # a mark over whole words
        i = draw(st.integers(0, len(ws) - 1))
        j = draw(st.integers(i + 1, len(ws)))
        start = len(" ".join(ws[:i])) + (1 if i else 0)
        end = len(" ".join(ws[:j]))
        marks.append(Mark(start, end, draw(st.sampled_from(["b", "i"]))))
    notes = []
    if draw(st.booleans()):
        k = draw(st.integers(1, len(ws)))
        notes.append(Note(len(" ".join(ws[:k])), " ".join(draw(words))))
    return Block(block_id, kind, text, level, tuple(marks), tuple(notes))


@st.composite
def documents(draw, min_blocks: int = 1, max_blocks: int = 12) -> Document:
    n = draw(st.integers(min_blocks, max_blocks))
    return Document(tuple(draw(blocks(f"b{i}")) for i in range(n)))


@st.composite
def plain_documents(draw, min_blocks: int = 1, max_blocks: int = 10) -> Document:
    """Paragraphs only, no marks or notes."""
    n = draw(st.integers(min_blocks, max_blocks))
    return Document(tuple(Block(f"b{i}", Kind.PARAGRAPH, " ".join(draw(words))) for i in range(n)))
