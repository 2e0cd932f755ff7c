"""Import a draft from Word (.docx) or Markdown into a structured text (core.texts.Document).

Pure Python, no Django. Word files are read with python-docx (footnotes and list numbering from
the package's parts, which python-docx does not model); Markdown with markdown-it-py (CommonMark,
raw HTML off, footnotes through mdit-py-plugins). Both libraries are maintained; the only code
here is the mapping onto blocks.

What is kept: headings (levels 1-4), paragraphs, bulleted and numbered list items (with their
nesting), bold and italic, footnotes (as notes). What is dropped, with a warning: images, and the
layout of tables (their paragraphs are kept in reading order). Tracked deletions are left out and
tracked insertions kept, i.e. the text as if all changes were accepted.

Files that are too large, corrupt, encrypted (password protected) or of another kind are refused
with :class:`ImportRefused`, whose message says what to do.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from besluit.core.texts import BlockBuilder, Document, Kind, new_block_id

DEFAULT_MAX_BYTES = 10_000_000
# A .docx is a zip archive: refuse archives that unpack to far more than they weigh (zip bombs),
# judged from the sizes in the archive's directory, before python-docx reads a byte (zipfile
# never hands out more than the size an entry declares).
MAX_UNPACKED_BYTES = 50_000_000
MAX_RATIO = 100
MAX_ENTRIES = 1_000
# python-docx parses every XML part into a tree of about ten times its size: a 488 KB file
# with 48 MB of XML cost 425 MB. Some 300 pages of Word text are 5 MB of XML.
MAX_XML_BYTES = 8_000_000
MAX_BLOCKS = 20_000
# markdown-it spends tens of microseconds on each character that may start inline markup
# ("[", "*", "`", ...), so 500,000 "[" took 10 s; prose is fast. Both are capped, by counting
# (linear, in C) before parsing. Nesting of blocks is capped by markdown-it's maxNesting (20).
MAX_MARKDOWN_CHARS = 2_000_000
MARKUP_CHARACTERS = "[]*_`<!&\\"
MAX_MARKUP_CHARACTERS = 30_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
RT_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def gettext_noop(message: str) -> str:
    """Marks a message for translation (makemessages finds it) without importing Django."""
    return message


class ImportRefused(ValueError):
    """The file cannot be imported; the message tells the user why and what to do.

    ``template % params`` is the message; a caller with Django translates the template
    (messages marked with gettext_noop are in the catalogue) and fills in the params.
    """

    def __init__(self, template: str, **params) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)


@dataclass
class ImportResult:
    document: Document
    warnings: list[str] = field(default_factory=list)


# --- Word -----------------------------------------------------------------------------


def check_docx(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Refuse what is not a sound, unencrypted .docx within the size limit."""
    if len(data) == 0:
        raise ImportRefused("The file is empty.")
    if len(data) > max_bytes:
        raise ImportRefused(
            f"The file is {len(data):,} bytes; at most {max_bytes:,} bytes can be imported."
        )
    if data.startswith(OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or b"EncryptedPackage" in data.replace(
            b"\x00", b""
        ):
            raise ImportRefused(
                "The document is protected with a password. Remove the password in Word "
                "(File > Info > Protect Document) and import it again."
            )
        raise ImportRefused(
            "This is an old Word document (.doc). Save it as a Word document (.docx) and import "
            "that."
        )
    if not data.startswith(ZIP_MAGIC):
        raise ImportRefused("This is not a Word document (.docx).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                raise ImportRefused("This is not a Word document (.docx).")
            if len(infos) > MAX_ENTRIES:
                raise ImportRefused(
                    gettext_noop(
                        "The document consists of more than %(limit)d parts; it is refused."
                    ),
                    limit=MAX_ENTRIES,
                )
            unpacked = sum(i.file_size for i in infos)
            if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_RATIO * max(len(data), 1):
                raise ImportRefused("The document unpacks to an implausible size; it is refused.")
            xml = sum(i.file_size for i in infos if i.filename.endswith((".xml", ".rels")))
            if xml > MAX_XML_BYTES:
                raise ImportRefused(
                    gettext_noop(
                        "The document's text unpacks to more than %(limit)d MB; split it into "
                        "smaller documents."
                    ),
                    limit=MAX_XML_BYTES // 1_000_000,
                )
            if any(i.flag_bits & 0x1 for i in infos):
                raise ImportRefused(
                    "The document is protected with a password. Remove the password and import "
                    "it again."
                )
            bad = archive.testzip()
            if bad is not None:
                raise ImportRefused(f"The document is damaged (part {bad} is corrupt).")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise ImportRefused("The document is damaged and cannot be read.") from exc


def from_docx(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, make_id: Callable[[], str] = new_block_id
) -> ImportResult:
    check_docx(data, max_bytes)
    import docx  # python-docx
    from docx.oxml.ns import qn

    try:
        word = docx.Document(io.BytesIO(data))
        body = word.element.body
    except Exception as exc:  # python-docx raises many kinds on broken XML or parts
        raise ImportRefused("The document is damaged and cannot be read.") from exc

    warnings: list[str] = []
    footnotes = _footnotes(word.part)
    numbering = _numbering_formats(word.part)
    styles = _style_info(word)
    blocks = []
    tables = images = 0

    for p in _paragraphs(body, qn):
        if any(a.tag == qn("w:tbl") for a in p.iterancestors()):
            tables += 1
        if p.findall(".//" + qn("w:drawing")) or p.findall(".//" + qn("w:pict")):
            images += 1
        kind, level = _paragraph_kind(p, styles, numbering, qn)
        builder = BlockBuilder()
        _runs_into(p, builder, styles, footnotes, qn)
        block = builder.build(make_id(), kind, level)
        if block is not None:
            blocks.append(block)
        if len(blocks) > MAX_BLOCKS:
            raise ImportRefused(f"The document has more than {MAX_BLOCKS:,} paragraphs.")
    if not blocks:
        raise ImportRefused("The document contains no text.")
    if tables:
        warnings.append("Tables were imported as separate paragraphs, without their layout.")
    if images:
        warnings.append("Images are not imported.")
    return ImportResult(Document(tuple(blocks)), warnings)


def _paragraphs(body, qn) -> Iterable:
    """Paragraphs in reading order, including those in tables (not in deleted revisions)."""
    p_tag, del_tag = qn("w:p"), qn("w:del")
    for el in body.iter(p_tag):
        if any(a.tag == del_tag for a in el.iterancestors()):
            continue
        # A paragraph inside a text box or a footnote reference's own content is skipped.
        if any(a.tag in (qn("w:txbxContent"),) for a in el.iterancestors()):
            continue
        yield el


@dataclass
class _Style:
    name: str
    based_on: str | None
    bold: bool | None
    italic: bool | None
    num_id: str | None
    ilvl: int | None
    outline: int | None


def _style_info(word) -> dict[str, _Style]:
    from docx.oxml.ns import qn

    out: dict[str, _Style] = {}
    try:
        root = word.styles.element
    except Exception:
        return out
    for s in root.findall(qn("w:style")):
        sid = s.get(qn("w:styleId"))
        name_el = s.find(qn("w:name"))
        based = s.find(qn("w:basedOn"))
        ppr = s.find(qn("w:pPr"))
        rpr = s.find(qn("w:rPr"))
        num_id, ilvl, outline = _numbering(ppr, qn)
        out[sid] = _Style(
            name=(name_el.get(qn("w:val")) if name_el is not None else sid or "").lower(),
            based_on=based.get(qn("w:val")) if based is not None else None,
            bold=_toggle(rpr, "w:b", qn),
            italic=_toggle(rpr, "w:i", qn),
            num_id=num_id,
            ilvl=ilvl,
            outline=outline,
        )
    return out


def _numbering(ppr, qn) -> tuple[str | None, int | None, int | None]:
    """A paragraph's or style's list (numId, level) and outline level, from its pPr."""
    num_id = ilvl = outline = None
    if ppr is not None:
        numpr = ppr.find(qn("w:numPr"))
        if numpr is not None:
            n = numpr.find(qn("w:numId"))
            lv = numpr.find(qn("w:ilvl"))
            num_id = n.get(qn("w:val")) if n is not None else None
            ilvl = int(lv.get(qn("w:val"), 0)) if lv is not None else None
        ol = ppr.find(qn("w:outlineLvl"))
        if ol is not None:
            outline = int(ol.get(qn("w:val"), 9))
    return num_id, ilvl, outline


def _toggle(rpr, tag: str, qn) -> bool | None:
    if rpr is None:
        return None
    el = rpr.find(qn(tag))
    if el is None:
        return None
    return el.get(qn("w:val"), "true").lower() not in ("0", "false", "off", "none")


def _style_chain(sid: str | None, styles: dict[str, _Style]) -> list[_Style]:
    chain = []
    seen = set()
    while sid and sid in styles and sid not in seen:
        seen.add(sid)
        chain.append(styles[sid])
        sid = styles[sid].based_on
    return chain


def _numbering_formats(part) -> dict[tuple[str, int], str]:
    """(numId, level) -> numFmt ("bullet", "decimal", "lowerLetter", ...)."""
    from docx.oxml.ns import qn

    try:
        root = part.numbering_part.element
    except Exception:
        return {}
    abstract: dict[str, dict[int, str]] = {}
    for a in root.findall(qn("w:abstractNum")):
        levels = {}
        for lvl in a.findall(qn("w:lvl")):
            fmt = lvl.find(qn("w:numFmt"))
            levels[int(lvl.get(qn("w:ilvl"), 0))] = (
                fmt.get(qn("w:val")) if fmt is not None else "decimal"
            )
        abstract[a.get(qn("w:abstractNumId"))] = levels
    out: dict[tuple[str, int], str] = {}
    for num in root.findall(qn("w:num")):
        ref = num.find(qn("w:abstractNumId"))
        if ref is None:
            continue
        for ilvl, fmt in abstract.get(ref.get(qn("w:val")), {}).items():
            out[(num.get(qn("w:numId")), ilvl)] = fmt
    return out


def _paragraph_kind(p, styles, numbering, qn) -> tuple[Kind, int]:
    ppr = p.find(qn("w:pPr"))
    sid = None
    if ppr is not None:
        ps = ppr.find(qn("w:pStyle"))
        sid = ps.get(qn("w:val")) if ps is not None else None
    num_id, ilvl, outline = _numbering(ppr, qn)
    chain = _style_chain(sid, styles)
    names = [s.name for s in chain]
    # Headings: by style name (Word writes built-in names in English) or outline level.
    for name in names:
        for prefix in ("heading ", "kop "):
            if name.startswith(prefix) and name[len(prefix) :].strip().isdigit():
                return Kind.HEADING, min(4, max(1, int(name[len(prefix) :])))
        if name in ("title", "titel"):
            return Kind.HEADING, 1
    if outline is None:
        outline = next((s.outline for s in chain if s.outline is not None), None)
    if outline is not None and outline < 9:
        return Kind.HEADING, min(4, outline + 1)
    # Lists: numbering on the paragraph or its style.
    if num_id is None:
        for s in chain:
            if s.num_id is not None:
                num_id = s.num_id
                ilvl = ilvl if ilvl is not None else s.ilvl
                break
    level = (ilvl or 0) + 1
    # "List Bullet 2" and the like: Word nests these by style, with a numbering of their own
    for name in names:
        if name.startswith(
            ("list bullet", "list number", "lijstopsommingsteken", "lijstnummering")
        ):
            level = max(level, _trailing_level(name))
            break
    if num_id is not None and num_id != "0":
        fmt = numbering.get((num_id, ilvl or 0))
        if fmt is None:
            fmt = "bullet" if any("bullet" in n for n in names) else "decimal"
        return (Kind.BULLET if fmt in ("bullet", "none") else Kind.NUMBERED), min(4, level)
    for name in names:
        if name.startswith(("list bullet", "lijstopsommingsteken")):
            return Kind.BULLET, level
        if name.startswith(("list number", "lijstnummering")):
            return Kind.NUMBERED, level
    return Kind.PARAGRAPH, 1


def _trailing_level(name: str) -> int:
    last = name.rsplit(" ", 1)[-1]
    return min(4, int(last)) if last.isdigit() else 1


def _runs_into(p, builder: BlockBuilder, styles, footnotes: dict[str, str], qn) -> None:
    r_tag, del_tag = qn("w:r"), qn("w:del")
    for r in p.iter(r_tag):
        if any(a.tag == del_tag for a in r.iterancestors()):
            continue
        rpr = r.find(qn("w:rPr"))
        bold, italic = _toggle(rpr, "w:b", qn), _toggle(rpr, "w:i", qn)
        if rpr is not None and (bold is None or italic is None):
            rs = rpr.find(qn("w:rStyle"))
            chain = _style_chain(rs.get(qn("w:val")) if rs is not None else None, styles)
            for s in chain:
                if bold is None and s.bold is not None:
                    bold = s.bold
                if italic is None and s.italic is not None:
                    italic = s.italic
                if s.name in ("strong", "zwaar") and bold is None:
                    bold = True
                if s.name in ("emphasis", "nadruk") and italic is None:
                    italic = True
        bold, italic = bool(bold), bool(italic)
        for child in r:
            tag = child.tag
            if tag == qn("w:t"):
                builder.add(child.text or "", bold=bold, italic=italic)
            elif tag in (qn("w:tab"), qn("w:br"), qn("w:cr")):
                builder.add(" ")
            elif tag == qn("w:noBreakHyphen"):
                builder.add("-", bold=bold, italic=italic)
            elif tag == qn("w:footnoteReference"):
                text = footnotes.get(child.get(qn("w:id")), "")
                if text:
                    builder.note(text)


def _footnotes(part) -> dict[str, str]:
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    try:
        fpart = part.part_related_by(RT_FOOTNOTES)
    except (KeyError, Exception):
        return {}
    try:
        root = parse_xml(fpart.blob)
    except Exception:
        return {}
    notes: dict[str, str] = {}
    for fn in root.findall(qn("w:footnote")):
        if fn.get(qn("w:type")) in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        texts = []
        for p in fn.iter(qn("w:p")):
            texts.append("".join(t.text or "" for t in p.iter(qn("w:t"))))
        notes[fn.get(qn("w:id"))] = " ".join(t for t in texts if t.strip())
    return notes


# --- Markdown -------------------------------------------------------------------------


def decode_text(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    if len(data) == 0:
        raise ImportRefused("The file is empty.")
    if len(data) > max_bytes:
        raise ImportRefused(
            f"The file is {len(data):,} bytes; at most {max_bytes:,} bytes can be imported."
        )
    if b"\x00" in data[:8192]:
        raise ImportRefused("This is not a text file: save the Markdown as plain text (UTF-8).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused("The file is not UTF-8 text: save it as UTF-8 and try again.") from exc


def check_markdown(text: str) -> None:
    """Refuse, in linear time, what markdown-it would take seconds over."""
    if len(text) > MAX_MARKDOWN_CHARS:
        raise ImportRefused(
            gettext_noop("The text is longer than %(limit)d characters; split it into parts."),
            limit=MAX_MARKDOWN_CHARS,
        )
    markup = sum(text.count(c) for c in MARKUP_CHARACTERS)
    if markup > MAX_MARKUP_CHARACTERS:
        raise ImportRefused(
            gettext_noop(
                "The text holds more than %(limit)d markup characters (such as [ ] * _ `); "
                "remove the excess markup or split the text."
            ),
            limit=MAX_MARKUP_CHARACTERS,
        )


def from_markdown(text: str, *, make_id: Callable[[], str] = new_block_id) -> ImportResult:
    check_markdown(text)
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": False}).use(footnote_plugin)
    tokens = md.parse(text)
    warnings: list[str] = []

    # Footnote texts first: references come before their definitions.
    notes: dict[int, str] = {}
    current: int | None = None
    for t in tokens:
        if t.type == "footnote_open":
            current = t.meta["id"]
            notes[current] = ""
        elif t.type == "footnote_close":
            current = None
        elif current is not None and t.type == "inline":
            plain = "".join(
                c.content for c in t.children or [] if c.type in ("text", "code_inline")
            )
            notes[current] = (notes[current] + " " + plain).strip()

    blocks = []
    lists: list[Kind] = []  # open lists, innermost last
    item_started = False  # the current list item's first paragraph is the item itself
    pending: tuple[Kind, int] | None = None
    in_footnote = False
    images = 0
    for t in tokens:
        typ = t.type
        if typ == "footnote_block_open":
            in_footnote = True
        elif typ == "footnote_block_close":
            in_footnote = False
        if in_footnote:
            continue
        if typ == "bullet_list_open":
            lists.append(Kind.BULLET)
        elif typ == "ordered_list_open":
            lists.append(Kind.NUMBERED)
        elif typ in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif typ == "list_item_open":
            item_started = True
        elif typ == "heading_open":
            pending = (Kind.HEADING, min(4, int(t.tag[1:])))
        elif typ == "paragraph_open":
            if lists and item_started:
                pending = (lists[-1], min(4, len(lists)))
                item_started = False
            else:
                pending = (Kind.PARAGRAPH, 1)
        elif typ in ("code_block", "fence"):
            b = BlockBuilder()
            b.add(t.content)
            block = b.build(make_id(), Kind.PARAGRAPH)
            if block:
                blocks.append(block)
        elif typ == "inline" and pending is not None:
            builder = BlockBuilder()
            images += _inline_into(t.children or [], builder, notes)
            block = builder.build(make_id(), *pending)
            if block is not None:
                blocks.append(block)
            pending = None
        if len(blocks) > MAX_BLOCKS:
            raise ImportRefused(f"The text has more than {MAX_BLOCKS:,} paragraphs.")
    if not blocks:
        raise ImportRefused("The text contains nothing to import.")
    if images:
        warnings.append("Images are not imported (their descriptions are kept as text).")
    return ImportResult(Document(tuple(blocks)), warnings)


def _inline_into(children, builder: BlockBuilder, notes: dict[int, str]) -> int:
    bold = italic = 0
    images = 0
    for c in children:
        typ = c.type
        if typ == "text" or typ == "code_inline" or typ == "html_inline":
            builder.add(c.content, bold=bold > 0, italic=italic > 0)
        elif typ in ("softbreak", "hardbreak"):
            builder.add(" ")
        elif typ == "strong_open":
            bold += 1
        elif typ == "strong_close":
            bold -= 1
        elif typ == "em_open":
            italic += 1
        elif typ == "em_close":
            italic -= 1
        elif typ == "image":
            images += 1
            builder.add(
                "".join(x.content for x in c.children or []), bold=bold > 0, italic=italic > 0
            )
        elif typ == "footnote_ref":
            builder.note(notes.get(c.meta["id"], ""))
    return images
