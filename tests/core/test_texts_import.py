"""core.text_import: a real-world style Word draft and Markdown become the same block structure."""

import io
import zipfile

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import qn

from besluit.core.text_import import (
    ImportRefused,
    check_docx,
    decode_text,
    from_docx,
    from_markdown,
)
from besluit.core.texts import Kind, to_markdown

FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


class Draft:
    """A Word document as a secretariat writes one, footnotes included (python-docx has no
    footnote API, so the part is added as Word stores it)."""

    def __init__(self):
        self.doc = docx.Document()
        self.notes: list[str] = []

    def footnote(self, paragraph, text: str) -> None:
        self.notes.append(text)
        run = paragraph.add_run()
        ref = parse_xml(f'<w:footnoteReference xmlns:w="{W_NS}" w:id="{len(self.notes)}"/>')
        run._r.append(ref)

    def save(self) -> bytes:
        notes = "".join(
            f'<w:footnote w:id="{i}"><w:p><w:r><w:t xml:space="preserve">{t}</w:t></w:r></w:p>'
            "</w:footnote>"
            for i, t in enumerate(self.notes, start=1)
        )
        xml = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{W_NS}">'
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
            f"</w:footnote>{notes}</w:footnotes>"
        )
        part = Part(
            PackURI("/word/footnotes.xml"), FOOTNOTES_CT, xml.encode(), self.doc.part.package
        )
        self.doc.part.relate_to(part, RT.FOOTNOTES)
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def resolution_docx() -> bytes:
    d = Draft()
    doc = d.doc
    doc.add_heading("Resolutie Gemeenten aan zet", level=1)
    doc.add_heading("Aanleiding", level=2)
    p = doc.add_paragraph("Na de verkiezingen begint de formatie van een ")
    p.add_run("nieuw").bold = True
    p.add_run(" kabinet. De opgaven komen samen in de ")
    p.add_run("gemeente").italic = True
    p.add_run(".")
    d.footnote(p, "Zie de uitslag van de Kiesraad.")
    doc.add_heading("Financiële verhoudingen", level=2)
    doc.add_paragraph("Gemeenten vragen het nieuwe kabinet daarom:")
    doc.add_paragraph("draai de korting op het gemeentefonds terug;", style="List Number")
    item = doc.add_paragraph("herstel de groei van het gemeentefonds;", style="List Number")
    d.footnote(item, "De normeringssystematiek.")
    doc.add_paragraph("indexeer met de werkelijke groei van de zorgkosten.", style="List Number")
    doc.add_paragraph("Daarnaast vragen gemeenten om:")
    doc.add_paragraph("een eigen belastinggebied;", style="List Bullet")
    doc.add_paragraph("met ruimte voor de gemeenteraad,", style="List Bullet 2")
    doc.add_paragraph("een onafhankelijke toets.", style="List Bullet")
    doc.add_paragraph("")  # an empty paragraph is no block
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Jaar"
    table.cell(0, 1).text = "Korting"
    doc.add_heading("Besluit", level=2)
    doc.add_paragraph("De ALV stelt deze resolutie vast.")
    return d.save()


EXPECTED = [
    (Kind.HEADING, 1, "Resolutie Gemeenten aan zet"),
    (Kind.HEADING, 2, "Aanleiding"),
    (
        Kind.PARAGRAPH,
        1,
        "Na de verkiezingen begint de formatie van een nieuw kabinet. "
        "De opgaven komen samen in de gemeente.",
    ),
    (Kind.HEADING, 2, "Financiële verhoudingen"),
    (Kind.PARAGRAPH, 1, "Gemeenten vragen het nieuwe kabinet daarom:"),
    (Kind.NUMBERED, 1, "draai de korting op het gemeentefonds terug;"),
    (Kind.NUMBERED, 1, "herstel de groei van het gemeentefonds;"),
    (Kind.NUMBERED, 1, "indexeer met de werkelijke groei van de zorgkosten."),
    (Kind.PARAGRAPH, 1, "Daarnaast vragen gemeenten om:"),
    (Kind.BULLET, 1, "een eigen belastinggebied;"),
    (Kind.BULLET, 2, "met ruimte voor de gemeenteraad,"),
    (Kind.BULLET, 1, "een onafhankelijke toets."),
    (Kind.PARAGRAPH, 1, "Jaar"),
    (Kind.PARAGRAPH, 1, "Korting"),
    (Kind.HEADING, 2, "Besluit"),
    (Kind.PARAGRAPH, 1, "De ALV stelt deze resolutie vast."),
]


def structure(doc):
    return [(b.kind, b.level, b.text) for b in doc.blocks]


def test_docx_round_trip_gives_the_block_structure():
    result = from_docx(resolution_docx())
    doc = result.document
    assert structure(doc) == EXPECTED
    para = doc.blocks[2]
    assert [(para.text[m.start : m.end], m.style) for m in para.marks] == [
        ("nieuw", "b"),
        ("gemeente", "i"),
    ]
    assert [(n.at, n.text) for n in para.notes] == [
        (len(para.text), "Zie de uitslag van de Kiesraad.")
    ]
    assert doc.blocks[6].notes[0].text == "De normeringssystematiek."
    assert any("Tables" in w for w in result.warnings)
    assert len(set(doc.ids)) == len(doc.blocks)
    # and through Markdown (the editor's format) the structure is the same again
    again = from_markdown(to_markdown(doc)).document
    assert structure(again) == EXPECTED
    assert again.blocks[2].marks == para.marks and again.blocks[2].notes == para.notes


def test_markdown_import():
    text = (
        "# Resolutie\n\n## Aanleiding\n\nEen **vet** woord en een *schuin* woord.[^a]\n\n"
        "1. een\n2. twee\n   - sub\n\n> Een citaat.\n\n<script>alert(1)</script>\n\n"
        "[^a]: Een noot.\n"
    )
    doc = from_markdown(text).document
    assert structure(doc) == [
        (Kind.HEADING, 1, "Resolutie"),
        (Kind.HEADING, 2, "Aanleiding"),
        (Kind.PARAGRAPH, 1, "Een vet woord en een schuin woord."),
        (Kind.NUMBERED, 1, "een"),
        (Kind.NUMBERED, 1, "twee"),
        (Kind.BULLET, 2, "sub"),
        (Kind.PARAGRAPH, 1, "Een citaat."),
        # raw HTML is not interpreted: it is text, escaped wherever it is shown
        (Kind.PARAGRAPH, 1, "<script>alert(1)</script>"),
    ]
    assert doc.blocks[2].notes[0].text == "Een noot."


def test_refusals_have_clear_messages():
    good = resolution_docx()
    with pytest.raises(ImportRefused, match="at most 1,000 bytes"):
        check_docx(good, max_bytes=1000)
    with pytest.raises(ImportRefused, match="damaged"):
        from_docx(good[: len(good) // 2])
    with pytest.raises(ImportRefused, match="empty"):
        from_docx(b"")
    with pytest.raises(ImportRefused, match="not a Word document"):
        from_docx(b"%PDF-1.7 ...")
    # an encrypted Office file is an OLE compound file with an EncryptionInfo stream
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512 + "EncryptionInfo".encode("utf-16-le")
    with pytest.raises(ImportRefused, match="password"):
        from_docx(ole)
    with pytest.raises(ImportRefused, match=r"old Word document \(\.doc\)"):
        from_docx(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    # a zip that is no Word document
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(ImportRefused, match="not a Word document"):
        from_docx(buf.getvalue())
    # a zip bomb
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<" + "a" * 5_000_000 + "/>")
    with pytest.raises(ImportRefused, match="implausible"):
        from_docx(buf.getvalue())
    # broken XML inside a sound zip
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data[:200]
            dst.writestr(info, data)
    with pytest.raises(ImportRefused, match="damaged"):
        from_docx(buf.getvalue())
    with pytest.raises(ImportRefused, match="not a text file"):
        decode_text(b"\x00\x01\x02binary")
    with pytest.raises(ImportRefused, match="UTF-8"):
        decode_text("café".encode("latin-1"))
    with pytest.raises(ImportRefused, match="nothing to import"):
        from_markdown("   \n\n")


def test_tracked_changes_are_taken_as_accepted():
    doc = docx.Document()
    p = doc.add_paragraph("Het kabinet ")
    deleted = parse_xml(
        f'<w:del xmlns:w="{W_NS}" w:id="1" w:author="x">'
        "<w:r><w:delText>oud </w:delText></w:r></w:del>"
    )
    inserted = parse_xml(
        f'<w:ins xmlns:w="{W_NS}" w:id="2" w:author="x">'
        '<w:r><w:t xml:space="preserve">nieuw </w:t></w:r></w:ins>'
    )
    p._p.append(deleted)
    p._p.append(inserted)
    p.add_run("beleid.")
    out = io.BytesIO()
    doc.save(out)
    assert structure(from_docx(out.getvalue()).document) == [
        (Kind.PARAGRAPH, 1, "Het kabinet nieuw beleid.")
    ]
    assert qn("w:del")  # the namespace helper is what the importer uses too
