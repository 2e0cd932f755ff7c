"""After WeasyPrint: the running header and footer become artifacts; links print.

WeasyPrint (70) marks the text of page-margin boxes (the association's name, the running
title, "pagina 2 van 14") as tagged content whose structure elements it leaves out of the
structure tree ("could be included as Artifact, but that's only allowed in PDF 2.0"). A
checker then sees content that belongs to no reachable element, and a screen reader may read
the footer on every page (outloud's PAG-001; Matterhorn 18-001 wants them as pagination
artifacts). Here every marked-content sequence whose element is not reachable from the
structure root is turned into ``/Artifact <</Type /Pagination>>`` and dropped from the parent
tree. Link annotations get the Print flag (outloud's LNK-004, as PDF/A asks).

The content stream is rewritten as bytes, not parsed into objects: WeasyPrint (pydyf) writes
each tagged sequence as ``/Tag <</MCID n>> BDC`` and draws text as hex glyph ids, so the
pattern cannot occur inside a string; parsing every operator in Python took 30 ms a page.
"""

from __future__ import annotations

import io
import re

import pikepdf

PRINT = 4  # annotation flag bit 3
MARKED = re.compile(rb"/[A-Za-z0-9]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
ARTIFACT = b"/Artifact <</Type /Pagination>> BDC"


def _content(page) -> bytes:
    contents = page.obj.Contents
    if isinstance(contents, pikepdf.Array):
        return b"\n".join(c.read_bytes() for c in contents)
    return contents.read_bytes()


def _as_artifacts(content: bytes, orphans: set[int]) -> bytes:
    return MARKED.sub(lambda m: ARTIFACT if int(m.group(1)) in orphans else m.group(0), content)


def _reachable(root) -> set[tuple[int, int]]:
    """The object ids of every structure element reachable from the structure root."""
    seen: set[tuple[int, int]] = set()
    stack = [root.get("/K")]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
        elif isinstance(node, pikepdf.Dictionary):
            if node.is_indirect:
                if node.objgen in seen:
                    continue
                seen.add(node.objgen)
            if "/K" in node:
                stack.append(node.K)
    return seen


def _number_tree(tree) -> dict[int, object]:
    """A flat view of a number tree (the parent tree): key -> value."""
    out: dict[int, object] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        if "/Nums" in node:
            nums = node.Nums
            for i in range(0, len(nums), 2):
                out[int(nums[i])] = nums[i + 1]
        if "/Kids" in node:
            stack.extend(node.Kids)
    return out


def fix(data: bytes) -> bytes:
    """The PDF with orphan-tagged content as pagination artifacts and printable links."""
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return data
    reachable = _reachable(root)
    parents = _number_tree(root.ParentTree) if "/ParentTree" in root else {}
    changed = False
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") == "/Link" and not int(annot.get("/F", 0)) & PRINT:
                annot.F = int(annot.get("/F", 0)) | PRINT
                changed = True
        key = page.obj.get("/StructParents")
        elements = parents.get(int(key)) if key is not None else None
        if not isinstance(elements, pikepdf.Array):
            continue
        orphans = {
            mcid
            for mcid, element in enumerate(elements)
            if isinstance(element, pikepdf.Dictionary)
            and element.is_indirect
            and element.objgen not in reachable
        }
        if not orphans:
            continue
        page.obj.Contents = pdf.make_stream(_as_artifacts(_content(page), orphans))
        for mcid in orphans:
            elements[mcid] = None  # null
        changed = True
    if not changed:
        return data
    out = io.BytesIO()
    pdf.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()
