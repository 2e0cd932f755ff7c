"""A checker of the machine-checkable PDF/UA-1 rules that concern what Besluit's PDFs contain.

veraPDF, the reference PDF/UA validator, is a Java program that none of the registries this
project installs from (PyPI, npm, Debian) offers, so the suite checks the tagged structure itself
with pikepdf (a maintained binding of qpdf). What it checks, with the Matterhorn Protocol
checkpoint in brackets, is listed in docs/pdf-accessibility.md, together with what it does not.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pikepdf

STANDARD_TYPES = {
    "Document",
    "Part",
    "Art",
    "Sect",
    "Div",
    "BlockQuote",
    "Caption",
    "TOC",
    "TOCI",
    "Index",
    "NonStruct",
    "Private",
    "P",
    "H",
    "H1",
    "H2",
    "H3",
    "H4",
    "H5",
    "H6",
    "L",
    "LI",
    "Lbl",
    "LBody",
    "Table",
    "TR",
    "TH",
    "TD",
    "THead",
    "TBody",
    "TFoot",
    "Span",
    "Quote",
    "Note",
    "Reference",
    "BibEntry",
    "Code",
    "Link",
    "Annot",
    "Ruby",
    "RB",
    "RT",
    "RP",
    "Warichu",
    "WT",
    "WP",
    "Figure",
    "Formula",
    "Form",
}  # ISO 32000-1, 14.8.4
TEXT_OPS = {"Tj", "TJ", "'", '"'}


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    headings: list[int] = field(default_factory=list)
    figures: int = 0
    tables: int = 0
    marked_text: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, rule: str, message: str) -> None:
        if len(self.errors) < 50:
            self.errors.append(f"[{rule}] {message}")


def _name(obj) -> str:
    return str(obj)[1:] if obj is not None else ""


def _fonts(resources, seen: set) -> list:
    out = []
    if resources is None:
        return out
    for font in (resources.get("/Font") or {}).values():
        if font.objgen in seen:
            continue
        seen.add(font.objgen)
        out.append(font)
    for xobj in (resources.get("/XObject") or {}).values():
        if xobj.get("/Subtype") == "/Form":
            out.extend(_fonts(xobj.get("/Resources"), seen))
    return out


def _embedded(font) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True
    if font.get("/Subtype") == "/Type0":
        font = font.DescendantFonts[0]
    desc = font.get("/FontDescriptor")
    return desc is not None and any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _check_content(page, number: int, report: Report) -> set[int]:
    """Every glyph and image is in marked content: a tagged MCID or an Artifact (01-005)."""
    stack: list[str] = []
    mcids: set[int] = set()
    for operands, op in pikepdf.parse_content_stream(page):
        name = str(op)
        if name in ("BDC", "BMC"):
            tag = _name(operands[0])
            if name == "BDC" and isinstance(operands[1], pikepdf.Dictionary):
                mcid = operands[1].get("/MCID")
                if mcid is not None:
                    mcids.add(int(mcid))
                    tag = "MCID"
            stack.append(tag)
        elif name == "EMC":
            if not stack:
                report.fail("01-005", f"page {number}: EMC without a marked-content sequence")
            else:
                stack.pop()
        elif name in TEXT_OPS or name == "Do":
            if not any(t in ("MCID", "Artifact") for t in stack):
                report.fail("01-005", f"page {number}: {name} outside tagged content or artifact")
            elif name in TEXT_OPS and "MCID" in stack:
                report.marked_text += 1
    return mcids


def _walk(elem, report: Report, role_map, depth=0, reached=None) -> None:
    if reached is not None and elem.is_indirect:
        reached.add(elem.objgen)
    tag = _name(elem.get("/S"))
    std = tag if tag in STANDARD_TYPES else _name(role_map.get("/" + tag)) if role_map else ""
    if std not in STANDARD_TYPES:
        report.fail("02-004", f"structure type {tag!r} is neither standard nor role-mapped")
    if re.fullmatch(r"H[1-6]", std):
        report.headings.append(int(std[1]))
    if std == "Figure":
        report.figures += 1
        if not (elem.get("/Alt") or elem.get("/ActualText")):
            report.fail("13-004", "a Figure without alternative text")
    if std == "Table":
        report.tables += 1
    kids = elem.get("/K")
    if kids is None:
        return
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    for kid in kids:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            if std == "TR" and _name(kid.get("/S")) not in ("TH", "TD"):
                report.fail("15-xxx", "a table row holds something else than TH or TD")
            _walk(kid, report, role_map, depth + 1, reached)


def check(data: bytes) -> Report:
    report = Report()
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root
    mark = root.get("/MarkInfo")
    if mark is None or not bool(mark.get("/Marked", False)):
        report.fail("06-002", "the document is not marked as tagged (MarkInfo/Marked)")
    if mark is not None and bool(mark.get("/Suspects", False)):
        report.fail("01-002", "MarkInfo/Suspects is true")
    if not str(root.get("/Lang", "")).strip():
        report.fail("11-001", "no natural language (Lang) in the catalogue")
    prefs = root.get("/ViewerPreferences")
    if prefs is None or not bool(prefs.get("/DisplayDocTitle", False)):
        report.fail("07-001", "the viewer does not show the document title (DisplayDocTitle)")
    with pdf.open_metadata() as meta:
        if str(meta.get("pdfuaid:part", "")) != "1":
            report.fail("06-002", "the metadata do not claim PDF/UA-1 (pdfuaid:part)")
        if not str(meta.get("dc:title", "")).strip():
            report.fail("06-003", "no dc:title in the metadata")
    tree = root.get("/StructTreeRoot")
    if tree is None:
        report.fail("01-001", "no structure tree")
        return report
    # Walk the tree first: tagged content must belong to an element reachable from the root
    # (WeasyPrint leaves its page-margin text tagged but outside the tree).
    kids = tree.get("/K")
    role_map = tree.get("/RoleMap")
    reached: set = set()
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary):
            _walk(kid, report, role_map, reached=reached)
    parent_tree = tree.get("/ParentTree")
    parents = pikepdf.NumberTree(parent_tree) if parent_tree is not None else {}
    seen_fonts: set = set()
    for number, page in enumerate(pdf.pages, start=1):
        mcids = _check_content(page, number, report)
        for font in _fonts(page.obj.get("/Resources"), seen_fonts):
            if not _embedded(font):
                report.fail("31-001", f"font {font.get('/BaseFont')} is not embedded")
        key = page.obj.get("/StructParents")
        if mcids and key is None:
            report.fail("01-005", f"page {number}: tagged content but no StructParents")
        elif mcids:
            refs = parents.get(int(key)) if parents else None
            count = len(refs) if isinstance(refs, pikepdf.Array) else 0
            if count <= max(mcids):
                report.fail("01-005", f"page {number}: MCIDs not in the parent tree")
            else:
                lost = [
                    m
                    for m in sorted(mcids)
                    if not isinstance(refs[m], pikepdf.Dictionary) or refs[m].objgen not in reached
                ]
                if lost:
                    report.fail(
                        "01-005",
                        f"page {number}: tagged content outside the structure tree (MCID {lost})",
                    )
        for annot in page.obj.get("/Annots") or []:
            if annot.get("/Subtype") == "/Link" and "/StructParent" not in annot:
                report.fail("28-011", f"page {number}: a link annotation that is not tagged")
    previous = 0
    for level in report.headings:
        if previous and level > previous + 1:
            report.fail("14-003", f"heading level skipped: H{previous} then H{level}")
            break
        previous = level
    if report.headings and report.headings[0] != 1:
        report.fail("14-002", f"the first heading is H{report.headings[0]}, not H1")
    return report
