"""Parse an uploaded members register (municipalities and their inhabitants).

Two layouts are recognised from the header row:

a) Plain: ``gemeentecode,naam,provincie,inwoners[,peildatum]`` in any order,
   case-insensitive, comma or semicolon separated.
b) A CBS StatLine CSV export (semicolon separated, quoted), for example from
   table 03759ned ("Bevolking op 1 januari") or 70072ned ("Regionale
   kerncijfers"), either the "as shown" download with labels (``Regio's``,
   ``Perioden``, ``Bevolking op 1 januari (aantal)``, optionally ``Geslacht``,
   ``Leeftijd`` ...) plus a code column (``Codering (code)`` or the OData key
   ``RegioS`` with padded values like ``"GM0014    "``), or the raw OData
   layout (``RegioS``, ``Perioden`` = ``2024JJ00``, ``BevolkingOp1Januari_1``)
   when a name column is added, or the "Kerncijfers wijken en buurten" layout
   (``Wijken en buurten``, ``Codering (code)``, ``Aantal inwoners (aantal)``).
   Title lines above the header and "Bron: CBS" lines below the data are
   ignored; rows for other regions (Nederland, provinces, COROP areas, parts of
   the country, districts) are skipped by their code; dimension columns such as
   Geslacht must hold their total, otherwise the row is skipped. Both codes
   and names are required: names alone are not unique enough to match
   members, and codes alone give nothing to show.

The import is all-or-nothing: every problem is collected and one
RegisterImportError is raised, so the secretariat can fix the file in one go.
Pure Python on purpose: no Django imports.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from besluit.core.messages import Message, gettext_noop

MAX_BYTES = 5_000_000
MAX_ROWS = 5_000
HEADER_SEARCH_ROWS = 10  # CBS exports may put a title above the header
MAX_INHABITANT_DIGITS = 10  # the whole kingdom has 18 million

# Official spelling, in CBS order (PV20 ... PV31).
PROVINCES: tuple[str, ...] = (
    "Groningen", "Fryslân", "Drenthe", "Overijssel", "Flevoland", "Gelderland",
    "Utrecht", "Noord-Holland", "Zuid-Holland", "Zeeland", "Noord-Brabant", "Limburg",
)  # fmt: skip

PLAIN_REQUIRED = ("gemeentecode", "naam", "provincie", "inwoners")
PLAIN_OPTIONAL = ("peildatum",)

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")  # fmt: skip


def _fold(text: str) -> str:
    """Lowercase letters and digits only, accents removed: 'Fryslân' -> 'fryslan'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed.casefold() if c.isascii() and c.isalnum())


_PROVINCE_BY_FOLD = {_fold(p): p for p in PROVINCES} | {
    "friesland": "Fryslân",  # the Dutch name, still in common use
    "brabant": "Noord-Brabant",
}


def normalise_province(text: str) -> str | None:
    """Official spelling of a province name, or None if it is not one."""
    # CBS labels provinces "Groningen (PV)".
    return _PROVINCE_BY_FOLD.get(_fold(re.sub(r"\(pv\)\s*$", "", text, flags=re.I)))


@dataclass(frozen=True)
class MemberRow:
    line: int
    code: str
    name: str
    province: str | None
    inhabitants: int
    reference_date: date | None


@dataclass(frozen=True)
class ImportProblem:
    line: int | None
    field: str | None
    template: str  # English, with %(name)s placeholders, marked with gettext_noop
    params: dict = field(default_factory=dict)

    @property
    def text(self) -> Message:
        return Message(self.template, self.params)

    @property
    def message(self) -> str:
        """The problem in English (the CLI, logs); ``text.translate`` for a reader."""
        return str(self.text)

    def __str__(self) -> str:
        where = [f"line {self.line}"] if self.line is not None else []
        where += [f"field '{self.field}'"] if self.field is not None else []
        return f"{', '.join(where)}: {self.text}" if where else str(self.text)


class RegisterImportError(ValueError):
    def __init__(self, problems: list[ImportProblem] | tuple[ImportProblem, ...]) -> None:
        self.problems: tuple[ImportProblem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _fail(
    message: str, line: int | None = None, field: str | None = None, **params
) -> RegisterImportError:
    return RegisterImportError([ImportProblem(line, field, message, params)])


@dataclass
class _Layout:
    """Where each value lives: role ('code', 'name', ...) -> column index."""

    header_line: int
    header: list[str]
    columns: dict[str, int]
    labels: dict[str, str]  # role -> field name used in messages
    cbs: bool
    totals: list[int] = field(default_factory=list)  # CBS dimensions that must be "Totaal"


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise _fail(
            gettext_noop("the file is too large: %(size)s bytes, at most %(limit)s"),
            size=len(data),
            limit=MAX_BYTES,
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _fail(gettext_noop("the file is UTF-16; save it as 'CSV UTF-8'"), line=1)
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise _fail(
            gettext_noop("not UTF-8 (byte 0x%(byte)s); save the file as 'CSV UTF-8'"),
            line=data.count(b"\n", 0, exc.start) + 1,
            byte=f"{bad:02x}",
        ) from None
    if not text.strip():
        raise _fail(gettext_noop("the file is empty"))
    return text


def _delimiter(text: str) -> str:
    # The first line with a separator outside quotes decides; a CBS title line
    # like '"Bevolking; regio"' has none, so it is passed over.
    for line in text.splitlines()[:HEADER_SEARCH_ROWS]:
        bare = re.sub(r'"[^"]*"', "", line)
        if bare.count(";") != bare.count(","):
            return ";" if bare.count(";") > bare.count(",") else ","
    return ","


def _records(text: str) -> list[tuple[int, list[str]]]:
    """(first physical line, fields) per non-blank CSV record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    records: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for fields in reader:
            if any(f.strip() for f in fields):
                records.append((line, fields))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _fail(
            gettext_noop("not a readable CSV file: %(error)s"), line=reader.line_num, error=exc
        ) from None
    return records


def _cbs_role(header: str) -> str | None:
    folded = _fold(header)
    if folded in ("codering", "coderingcode", "regios", "regioscode", "regiocode"):
        return "code"  # 'RegioS' is the OData key; "Regio's" (folds the same) is below
    if folded in ("wijkenenbuurten", "gemeenten", "gemeentenaam", "gemeentenaamnaam"):
        return "name"
    if folded in ("perioden", "periode", "jaar"):
        return "date"
    if folded in ("provincie", "provincies", "provincienaam", "provincienaamnaam"):
        return "province"
    if folded in ("geslacht", "leeftijd", "burgerlijkestaat", "migratieachtergrond"):
        return "total"
    prefixes = (
        "bevolkingop1januari",
        "totalebevolking",
        "aantalinwoners",
        "bevolkingaanhetbeginvandeperiode",
    )
    return "inhabitants" if folded.startswith(prefixes) else None


def _cbs_layout(line: int, header: list[str]) -> _Layout | None:
    columns: dict[str, int] = {}
    totals: list[int] = []
    for index, name in enumerate(header):
        # "Regio's" holds labels, "RegioS" codes: only the apostrophe tells them apart.
        apostrophe = "'" in name or "’" in name
        role = "name" if apostrophe and _fold(name) == "regios" else _cbs_role(name)
        if role == "total":
            totals.append(index)
        elif role is not None:
            columns.setdefault(role, index)  # first matching column wins
    if "inhabitants" not in columns or not {"code", "name"} & columns.keys():
        return None
    labels = {role: header[i].strip() for role, i in columns.items()}
    return _Layout(line, header, columns, labels, cbs=True, totals=totals)


def _plain_layout(line: int, header: list[str]) -> _Layout:
    names = [h.strip().lower() for h in header]
    allowed = PLAIN_REQUIRED + PLAIN_OPTIONAL
    missing = [n for n in PLAIN_REQUIRED if n not in names]
    unknown = [h for h, n in zip(header, names, strict=True) if n not in allowed]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if missing or unknown or doubled:
        raise _fail(
            gettext_noop(
                "wrong columns (missing: %(missing)s; unknown: %(unknown)s; more than once: "
                "%(doubled)s); expected %(expected)s and optionally peildatum; found: %(found)s"
            ),
            line=line,
            missing=", ".join(missing) or "–",
            unknown=", ".join(unknown) or "–",
            doubled=", ".join(doubled) or "–",
            expected=", ".join(PLAIN_REQUIRED),
            found=", ".join(header),
        )
    roles = {
        "gemeentecode": "code",
        "naam": "name",
        "provincie": "province",
        "inwoners": "inhabitants",
        "peildatum": "date",
    }
    columns = {roles[n]: i for i, n in enumerate(names)}
    return _Layout(line, header, columns, {roles[n]: n for n in names}, cbs=False)


_PLAIN_NAME = {
    "code": "gemeentecode",
    "name": "naam",
    "province": "provincie",
    "inhabitants": "inwoners",
    "date": "peildatum",
}


def _layout(records: list[tuple[int, list[str]]]) -> _Layout:
    first_line, first = records[0]
    if {h.strip().lower() for h in first} & set(PLAIN_REQUIRED + PLAIN_OPTIONAL):
        return _plain_layout(first_line, first)
    for line, header in records[:HEADER_SEARCH_ROWS]:
        layout = _cbs_layout(line, header)
        if layout is None:
            continue
        if "code" not in layout.columns:
            raise _fail(
                gettext_noop(
                    "this CBS export has region names but no region codes; download it again "
                    "with codes (column 'RegioS' or 'Codering (code)'): codes are needed to "
                    "match municipalities"
                ),
                line=line,
                field=layout.labels["name"],
            )
        if "name" not in layout.columns:
            raise _fail(
                gettext_noop(
                    "this CBS export has region codes but no region names; download it "
                    'again with labels (column "Regio\'s")'
                ),
                line=line,
                field=layout.labels["code"],
            )
        return layout
    raise _fail(
        gettext_noop(
            "unrecognised columns; expected %(expected)s (optionally peildatum) "
            "or a CBS StatLine export; found: %(found)s"
        ),
        line=first_line,
        expected=", ".join(PLAIN_REQUIRED),
        found=", ".join(first),
    )


def _parse_inhabitants(raw: str) -> tuple[int | None, Message | None]:
    text = raw.strip()
    if re.fullmatch(r"[0-9]+", text):
        # Also keeps int() away from its 4,300-digit limit on hostile input.
        if len(text.lstrip("0")) > MAX_INHABITANT_DIGITS:
            too_large = gettext_noop("too large: %(value)s...")
            return None, Message(too_large, {"value": f"{raw[:20]!r}"})
        return int(text), None
    if re.fullmatch(r"-[0-9]+", text):
        return None, Message(gettext_noop("must not be negative: %(value)s"), {"value": f"{raw!r}"})
    return None, Message(gettext_noop("not a whole number: %(value)s"), {"value": f"{raw!r}"})


def _parse_date(raw: str, cbs: bool) -> tuple[date | None, Message | None]:
    text = raw.strip()
    try:
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
            return date(*map(int, match.groups())), None
        if match := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text):
            day, month, year = map(int, match.groups())
            return date(year, month, day), None
        # CBS periods; provisional figures carry '*' or '**'. A year means
        # 1 January (the population count "op 1 januari"), a month its 1st day.
        text = text.rstrip("*").strip()
        if cbs and (match := re.fullmatch(r"(\d{4})(?:JJ00)?", text)):
            return date(int(match[1]), 1, 1), None
        if cbs and (match := re.fullmatch(r"(\d{4})MM(\d{2})", text)):
            return date(int(match[1]), int(match[2]), 1), None
        if cbs and (match := re.fullmatch(rf"(\d{{4}}) ({'|'.join(MONTHS)})", text.lower())):
            return date(int(match[1]), MONTHS.index(match[2]) + 1, 1), None
    except ValueError:
        return None, Message(gettext_noop("not an existing date: %(value)s"), {"value": f"{raw!r}"})
    if cbs:
        expected = gettext_noop("not a date (a year such as 2024 or 2024JJ00): %(value)s")
    else:
        expected = gettext_noop("not a date (YYYY-MM-DD or DD-MM-YYYY): %(value)s")
    return None, Message(expected, {"value": f"{raw!r}"})


def _is_footer(fields: list[str]) -> bool:
    first = fields[0].strip().lower()
    rest_empty = not any(f.strip() for f in fields[1:])
    return rest_empty and first.startswith(("bron", "©", "centraal bureau voor de statistiek"))


def _is_total(value: str) -> bool:
    # Labels say "Totaal ..."; OData keys for totals are like T001038 or 10000.
    text = value.strip()
    return text.lower().startswith("totaal") or text.startswith("T00") or text == "10000"


def _parse_row(
    layout: _Layout,
    line: int,
    fields: list[str],
    default_reference_date: date | None,
    known_codes: frozenset[str] | None = None,
) -> tuple[MemberRow | None, list[ImportProblem], str | None]:
    """One data row (already of the right width): member or problems, and its valid code."""
    problems: list[ImportProblem] = []

    def value(role: str) -> str:
        return fields[layout.columns[role]].strip() if role in layout.columns else ""

    def problem(role: str, message: str | Message, **params) -> None:
        if isinstance(message, Message):
            message, params = message.template, dict(message.params)
        # A column the file lacks (a CBS export has no province) by its plain name.
        label = layout.labels.get(role) or _PLAIN_NAME.get(role, role)
        problems.append(ImportProblem(line, label, message, params))

    code = "".join(value("code").split()).upper()
    valid_code = code if re.fullmatch(r"GM[0-9]{4}", code) else None
    if valid_code is None:
        problem(
            "code",
            gettext_noop("not a municipality code (GM and 4 digits): %(value)s"),
            value=repr(value("code")),
        )
    name = unicodedata.normalize("NFC", value("name"))
    if layout.cbs:  # CBS disambiguates "Groningen (gemeente)" from the province
        name = re.sub(r"\s*\(gemeente\)$", "", name, flags=re.I)
    if not name:
        problem("name", gettext_noop("the name is empty"))
    elif any(unicodedata.category(c) == "Cc" for c in name):
        # A NUL or line break in a name breaks databases and printed lists alike.
        message = gettext_noop("the name contains control characters: %(value)s")
        problem("name", message, value=repr(name))
    province = normalise_province(value("province")) if value("province") else None
    if value("province") and province is None:
        problem(
            "province",
            gettext_noop("unknown province: %(value)s; expected one of %(provinces)s"),
            value=repr(value("province")),
            provinces=", ".join(PROVINCES),
        )
    # A new member (known codes given, this one not among them): where is it?
    new = known_codes is not None and valid_code is not None and valid_code not in known_codes
    if province is None and not value("province") and new:
        message = gettext_noop("new member %(code)s needs a province")
        problem("province", message, code=valid_code)
    inhabitants, message = _parse_inhabitants(value("inhabitants"))
    if message:
        problem("inhabitants", message)
    reference_date = default_reference_date
    if value("date"):
        reference_date, message = _parse_date(value("date"), layout.cbs)
        if message:
            problem("date", message)
    if problems or inhabitants is None:
        return None, problems, valid_code
    return MemberRow(line, code, name, province, inhabitants, reference_date), [], code


def _skip_cbs_row(layout: _Layout, fields: list[str]) -> bool:
    if any(not _is_total(fields[i]) for i in layout.totals):
        return True  # a breakdown by sex, age ...: only the total counts
    code = "".join(fields[layout.columns["code"]].split()).upper()
    # Nederland (NL01), provinces (PV..), COROP (CR..), landsdelen (LD..), districts ...
    return bool(re.fullmatch(r"[A-Z]{2}[A-Z0-9]*", code)) and not code.startswith("GM")


def _cross_row_problems(
    layout: _Layout, rows: list[MemberRow], codes: list[tuple[int, str]]
) -> list[ImportProblem]:
    """Duplicate codes; for CBS exports first: more than one period."""
    periods = sorted({row.reference_date for row in rows if row.reference_date})
    if layout.cbs and len(periods) > 1:
        # Otherwise every municipality would be reported as a duplicate.
        message = gettext_noop(
            "the export holds several periods (%(found)s); download a single period"
        )
        found = {"found": ", ".join(map(str, periods))}
        return [ImportProblem(None, layout.labels.get("date"), message, found)]
    problems: list[ImportProblem] = []
    seen: dict[str, int] = {}
    for line, code in codes:
        if code in seen:
            message = gettext_noop("duplicate code %(code)s: also on line %(line)s")
            params = {"code": code, "line": seen[code]}
            problems.append(ImportProblem(line, layout.labels["code"], message, params))
        seen.setdefault(code, line)
    return problems


def parse_register(
    data: bytes,
    *,
    default_reference_date: date | None = None,
    known_codes: frozenset[str] | None = None,
) -> tuple[MemberRow, ...]:
    """Parse a register upload; raise RegisterImportError listing every problem.

    With ``known_codes`` (the members already registered), a new member without a
    province is one of those problems, so that it is reported in the same round.
    """
    records = _records(_decode(data))
    layout = _layout(records)
    width = len(layout.header)
    problems: list[ImportProblem] = []
    rows: list[MemberRow] = []
    # Rows with a valid code but another problem still take part in the
    # duplicate check, so the first upload already reports every problem.
    codes: list[tuple[int, str]] = []
    count = 0
    for line, fields in records:
        if line <= layout.header_line or (layout.cbs and _is_footer(fields)):
            continue
        while len(fields) > width and not fields[-1].strip():
            fields = fields[:-1]  # spreadsheets pad rows with empty cells
        if len(fields) != width:
            message = gettext_noop("expected %(width)s fields (%(header)s), found %(found)s")
            params = {"width": width, "header": ", ".join(layout.header), "found": len(fields)}
            problems.append(ImportProblem(line, None, message, params))
            continue
        if layout.cbs and _skip_cbs_row(layout, fields):
            continue
        count += 1
        if count > MAX_ROWS:
            message = gettext_noop("too many rows: at most %(limit)s")
            problems.append(ImportProblem(line, None, message, {"limit": MAX_ROWS}))
            break
        row, row_problems, code = _parse_row(
            layout, line, fields, default_reference_date, known_codes
        )
        problems += row_problems
        rows += [row] if row is not None else []
        codes += [(line, code)] if code is not None else []
    problems += _cross_row_problems(layout, rows, codes)
    if not rows and not problems:
        if layout.cbs:
            message = gettext_noop("no municipality rows (codes GM....) found below the header")
        else:
            message = gettext_noop("no members found below the header")
        problems.append(ImportProblem(None, None, message))
    if problems:
        raise RegisterImportError(problems)
    return tuple(rows)
