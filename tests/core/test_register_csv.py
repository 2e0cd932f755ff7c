"""Register uploads: plain CSV and CBS StatLine exports, all-or-nothing with every problem."""

import csv
import io
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from besluit.core.register_csv import (
    MAX_BYTES,
    MAX_ROWS,
    PROVINCES,
    ImportProblem,
    MemberRow,
    RegisterImportError,
    normalise_province,
    parse_register,
)

SHARED_REGISTER = Path(__file__).resolve().parents[3] / "shared" / "data" / "gemeenten.csv"

PLAIN = (
    "gemeentecode,naam,provincie,inwoners\n"
    "GM0014,Groningen,Groningen,244829\n"
    'GM0820,"Nuenen, Gerwen en Nederwetten",Noord-Brabant,24467\n'
    "GM0080,Leeuwarden,Friesland,128000\n"
)
EXPECTED = (
    MemberRow(2, "GM0014", "Groningen", "Groningen", 244_829, None),
    MemberRow(3, "GM0820", "Nuenen, Gerwen en Nederwetten", "Noord-Brabant", 24_467, None),
    MemberRow(4, "GM0080", "Leeuwarden", "Fryslân", 128_000, None),
)


def problems_of(data: bytes | str, **kwargs: object) -> tuple[ImportProblem, ...]:
    raw = data.encode() if isinstance(data, str) else data
    with pytest.raises(RegisterImportError) as info:
        parse_register(raw, **kwargs)  # type: ignore[arg-type]
    return info.value.problems


def only_problem(data: bytes | str) -> ImportProblem:
    problems = problems_of(data)
    assert len(problems) == 1, problems
    return problems[0]


# --- plain format variants ----------------------------------------------------------


def test_plain_comma_separated() -> None:
    assert parse_register(PLAIN.encode()) == EXPECTED


def test_semicolon_bom_crlf_quotes_and_uppercase_header() -> None:
    text = (
        '"GEMEENTECODE";"Naam";"Provincie";"Inwoners"\r\n'
        '"GM0014";"Groningen";"groningen";"244829"\r\n'
        '"GM0820";"Nuenen, Gerwen en Nederwetten";"noord brabant";" 24467 "\r\n'
        '"GM0080";"Leeuwarden";"FRYSLAN";"128000"\r\n'
    )
    assert parse_register(b"\xef\xbb\xbf" + text.encode()) == EXPECTED


def test_columns_in_any_order_and_padding_cells_and_blank_lines() -> None:
    text = "inwoners;naam;gemeentecode;provincie\n\n5;Ameland;gm 0060 ;Friesland;;\n;;;\n"
    assert parse_register(text.encode()) == (MemberRow(3, "GM0060", "Ameland", "Fryslân", 5, None),)


def test_peildatum_formats_and_default() -> None:
    text = (
        "gemeentecode,naam,provincie,inwoners,peildatum\n"
        "GM0014,Groningen,Groningen,1,2024-01-01\n"
        "GM0034,Almere,Flevoland,2,01-01-2025\n"
        "GM0037,Stadskanaal,Groningen,3,1-7-2025\n"
        "GM0047,Veendam,Groningen,4,\n"
    )
    rows = parse_register(text.encode(), default_reference_date=date(2023, 1, 1))
    assert [row.reference_date for row in rows] == [
        date(2024, 1, 1),
        date(2025, 1, 1),
        date(2025, 7, 1),
        date(2023, 1, 1),
    ]


def test_empty_province_is_allowed_for_special_members() -> None:
    rows = parse_register(b"gemeentecode,naam,provincie,inwoners\nGM9001,Bonaire,,22000\n")
    assert rows[0].province is None


def test_quoted_field_with_newline_keeps_line_numbers() -> None:
    text = 'gemeentecode,naam,provincie,inwoners\nGM0014,"Gro\nningen",Groningen,1\nGM0015,,x,1\n'
    problems = problems_of(text)
    # The record starting on line 2 spans two lines, so the next one starts on line 4.
    assert [(p.line, p.field) for p in problems] == [(2, "naam"), (4, "naam"), (4, "provincie")]


@pytest.mark.parametrize(
    ("variant", "official"),
    [
        ("Friesland", "Fryslân"),
        ("fryslân", "Fryslân"),
        ("FRYSLAN", "Fryslân"),
        ("noord holland", "Noord-Holland"),
        ("Zuid-holland", "Zuid-Holland"),
        ("Brabant", "Noord-Brabant"),
        ("Groningen (PV)", "Groningen"),
        ("Nowhere", None),
    ],
)
def test_province_variants(variant: str, official: str | None) -> None:
    assert normalise_province(variant) == official


def test_twelve_provinces() -> None:
    assert len(PROVINCES) == len(set(PROVINCES)) == 12
    assert "Fryslân" in PROVINCES and "Friesland" not in PROVINCES


# --- CBS StatLine exports -----------------------------------------------------------


def cbs(*rows: str, title: bool = True, footer: bool = True) -> bytes:
    lines = ['"Bevolking; geslacht, leeftijd en regio, 1 januari";;;;'] if title else []
    lines += [*rows, '"Bron: CBS";;;;'] if footer else list(rows)
    return ("\r\n".join(lines) + "\r\n").encode()


def test_cbs_export_with_labels_and_codes() -> None:
    data = cbs(
        '"Regio\'s";"Codering (code)";"Perioden";"Bevolking op 1 januari (aantal)"',
        '"Nederland";"NL01      ";"2024";"17942942"',
        '"Noord-Nederland (LD)";"LD01      ";"2024";"1774000"',
        '"Groningen (PV)";"PV20      ";"2024";"596075"',
        '"Oost-Groningen (CR)";"CR01      ";"2024";"106000"',
        '"Groningen (gemeente)";"GM0014    ";"2024";"243768"',
        '"Bergen (NH.)";"GM0373    ";"2024";"30000"',
    )
    assert parse_register(data) == (
        MemberRow(7, "GM0014", "Groningen", None, 243_768, date(2024, 1, 1)),
        MemberRow(8, "GM0373", "Bergen (NH.)", None, 30_000, date(2024, 1, 1)),
    )


def test_cbs_odata_keys_with_dimensions_and_provisional_period() -> None:
    data = cbs(
        '"ID";"Geslacht";"Leeftijd";"RegioS";"Regio\'s";"Perioden";"BevolkingOp1Januari_1"',
        '"0";"T001038";"10000";"NL01      ";"Nederland";"2024JJ00";"  17942942"',
        '"1";"T001038";"10000";"GM0014    ";"Groningen (gemeente)";"2024JJ00";"  243768"',
        '"2";"3000   ";"10000";"GM0014    ";"Groningen (gemeente)";"2024JJ00";"  120000"',
        '"3";"T001038";"10010";"GM0014    ";"Groningen (gemeente)";"2024JJ00";"    2000"',
        '"4";"T001038";"10000";"GM1680    ";"Aa en Hunze";"2024JJ00";"   25986"',
        title=False,
        footer=False,
    )
    assert parse_register(data) == (
        MemberRow(3, "GM0014", "Groningen", None, 243_768, date(2024, 1, 1)),
        MemberRow(6, "GM1680", "Aa en Hunze", None, 25_986, date(2024, 1, 1)),
    )


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2024", date(2024, 1, 1)),
        ("2024*", date(2024, 1, 1)),
        ("2025**", date(2025, 1, 1)),
        ("2024JJ00", date(2024, 1, 1)),
        ("2024MM07", date(2024, 7, 1)),
        ("2024 juli", date(2024, 7, 1)),
    ],
)
def test_cbs_periods(period: str, expected: date) -> None:
    data = cbs(
        '"Geslacht";"Regio\'s";"RegioS";"Perioden";"Bevolking aan het begin van de periode"',
        f'"Totaal mannen en vrouwen";"Aa en Hunze";"GM1680";"{period}";"25986"',
    )
    assert parse_register(data)[0].reference_date == expected


def test_cbs_labels_with_dimension_labels() -> None:
    data = cbs(
        '"Geslacht";"Leeftijd";"Regio\'s";"Codering (code)";"Perioden";'
        '"Bevolking op 1 januari (aantal)"',
        '"Totaal mannen en vrouwen";"Totaal";"Aa en Hunze";"GM1680";"2024";"25986"',
        '"Mannen";"Totaal";"Aa en Hunze";"GM1680";"2024";"12900"',
    )
    assert [row.inhabitants for row in parse_register(data)] == [25_986]


def test_cbs_wijken_en_buurten_layout_with_province_and_default_date() -> None:
    data = cbs(
        '"Wijken en buurten";"Gemeentenaam (naam)";"Soort regio (omschrijving)";'
        '"Codering (code)";"Provincienaam (naam)";"Aantal inwoners (aantal)"',
        '"Groningen";"Groningen     ";"Gemeente ";"GM0014    ";"Groningen  ";"243768"',
        '"Wijk 00 Centrum";"Groningen     ";"Wijk     ";"WK001400  ";"Groningen  ";"24000"',
        '"Binnenstad-Zuid";"Groningen     ";"Buurt    ";"BU00140000";"Groningen  ";"9000"',
        '"Leeuwarden";"Leeuwarden    ";"Gemeente ";"GM0080    ";"Fryslân    ";"128000"',
    )
    rows = parse_register(data, default_reference_date=date(2024, 1, 1))
    assert rows == (
        MemberRow(3, "GM0014", "Groningen", "Groningen", 243_768, date(2024, 1, 1)),
        MemberRow(6, "GM0080", "Leeuwarden", "Fryslân", 128_000, date(2024, 1, 1)),
    )


def test_cbs_without_codes_is_refused() -> None:
    problem = only_problem(
        cbs(
            '"Regio\'s";"Perioden";"Bevolking op 1 januari (aantal)"',
            '"Groningen (gemeente)";"2024";"243768"',
        )
    )
    assert (problem.line, problem.field) == (2, "Regio's")
    assert "codes are needed" in problem.message


def test_cbs_without_names_is_refused() -> None:
    problem = only_problem(
        cbs('"RegioS";"Perioden";"BevolkingOp1Januari_1"', '"GM0014";"2024";"1"')
    )
    assert (problem.line, problem.field) == (2, "RegioS")
    assert "no region names" in problem.message


def test_cbs_with_several_periods_asks_for_one() -> None:
    problem = only_problem(
        cbs(
            '"Regio\'s";"RegioS";"Perioden";"Bevolking op 1 januari (aantal)"',
            '"Aa en Hunze";"GM1680";"2023";"25000"',
            '"Aa en Hunze";"GM1680";"2024";"25986"',
        )
    )
    assert problem.field == "Perioden"
    assert "several periods (2023-01-01, 2024-01-01)" in problem.message


def test_cbs_row_problems_use_the_export_column_names() -> None:
    problems = problems_of(
        cbs(
            '"Regio\'s";"RegioS";"Perioden";"Bevolking op 1 januari (aantal)"',
            '"Aa en Hunze";"GM16";"2024";"."',
            '"";"GM1680";"2024Q1";"25986"',
        )
    )
    assert [(p.line, p.field) for p in problems] == [
        (3, "RegioS"),
        (3, "Bevolking op 1 januari (aantal)"),
        (4, "Regio's"),
        (4, "Perioden"),
    ]


def test_cbs_only_other_regions_is_an_error() -> None:
    problem = only_problem(
        cbs('"Regio\'s";"RegioS";"Bevolking op 1 januari (aantal)"', '"Nederland";"NL01";"1"')
    )
    assert "no municipality rows" in problem.message


# --- problems -----------------------------------------------------------------------

HEADER = "gemeentecode,naam,provincie,inwoners\n"


def test_too_large() -> None:
    problem = only_problem(b"x" * (MAX_BYTES + 1))
    assert problem.line is None and "too large" in problem.message


def test_not_utf8_names_the_line() -> None:
    data = (HEADER + "GM0014,Groningen,Groningen,1\nGM0015,Caf").encode() + b"\xe9,Groningen,2\n"
    problem = only_problem(data)
    assert problem.line == 3 and "UTF-8" in problem.message
    assert str(problem).startswith("line 3: not UTF-8")


def test_utf16_is_refused() -> None:
    assert "UTF-16" in only_problem(HEADER.encode("utf-16")).message


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n  \n"])
def test_empty_file(data: bytes) -> None:
    assert "empty" in only_problem(data).message


def test_header_only() -> None:
    assert "no members found" in only_problem(HEADER).message


def test_missing_and_unknown_columns_are_named() -> None:
    problem = only_problem("gemeentecode;naam;inwoner;provincie\nGM0014;Groningen;1;Groningen\n")
    assert problem.line == 1
    assert "missing: inwoners" in problem.message
    assert "unknown: inwoner" in problem.message
    assert "found: gemeentecode, naam, inwoner, provincie" in problem.message


def test_duplicate_column() -> None:
    problem = only_problem("gemeentecode,naam,naam,provincie,inwoners\n")
    assert "more than once: naam" in problem.message


def test_unrecognised_header() -> None:
    problem = only_problem("code,name,population\nGM0014,Groningen,1\n")
    assert problem.line == 1 and "expected gemeentecode, naam" in problem.message


@pytest.mark.parametrize(
    ("row", "field", "fragment"),
    [
        ("GM0014,Groningen,Groningen", None, "expected 4 fields"),
        ("GM0014,Groningen,Groningen,1,2", None, "found 5"),
        ("GM14,Groningen,Groningen,1", "gemeentecode", "GM and 4 digits"),
        ("0014,Groningen,Groningen,1", "gemeentecode", "'0014'"),
        (",Groningen,Groningen,1", "gemeentecode", "''"),
        ("GM0014,  ,Groningen,1", "naam", "name is empty"),
        ("GM0014,Groningen,Groningue,1", "provincie", "unknown province: 'Groningue'"),
        ("GM0014,Groningen,Groningen,abc", "inwoners", "not a whole number: 'abc'"),
        ("GM0014,Groningen,Groningen,1.5", "inwoners", "not a whole number"),
        ("GM0014,Groningen,Groningen,", "inwoners", "not a whole number: ''"),
        ("GM0014,Groningen,Groningen,-3", "inwoners", "must not be negative"),
        ("GM0014,Groningen,Groningen," + "9" * 5000, "inwoners", "too large"),
    ],
)
def test_each_row_problem_is_line_numbered(row: str, field: str | None, fragment: str) -> None:
    problem = only_problem(HEADER + "GM0001,Ok,Utrecht,1\n" + row + "\n")
    assert (problem.line, problem.field) == (3, field)
    assert fragment in problem.message


@pytest.mark.parametrize("value", ["2024-13-01", "31-02-2024", "1 januari 2024", "2024"])
def test_bad_peildatum(value: str) -> None:
    problem = only_problem(f"gemeentecode,naam,provincie,inwoners,peildatum\nGM0001,x,,1,{value}\n")
    assert (problem.line, problem.field) == (2, "peildatum")
    assert value in problem.message


def test_duplicate_code_names_both_lines() -> None:
    problem = only_problem(HEADER + "GM0014,A,,1\nGM0015,B,,1\ngm0014 ,C,,1\n")
    assert (problem.line, problem.field) == (4, "gemeentecode")
    assert "duplicate code GM0014: also on line 2" in problem.message


def test_too_many_rows() -> None:
    rows = "".join(f"GM{i % 10_000:04d},x,,1\n" for i in range(MAX_ROWS + 1))
    problems = problems_of(HEADER + rows)
    assert any(p.line == MAX_ROWS + 2 and "too many rows" in p.message for p in problems)


def test_exactly_max_rows_is_fine() -> None:
    rows = "".join(f"GM{i:04d},x,,1\n" for i in range(MAX_ROWS))
    assert len(parse_register((HEADER + rows).encode())) == MAX_ROWS


def test_several_problems_are_reported_together_and_no_rows() -> None:
    text = HEADER + (
        "GM0014,Groningen,Groningen,1\n"  # fine
        "GM14,,Nowhere,x\n"  # four problems on one row
        "GM0014,Again,Groningen,2\n"  # duplicate
        "GM0016,Short\n"  # wrong field count
    )
    with pytest.raises(RegisterImportError) as info:
        parse_register(text.encode())
    error = info.value
    assert [(p.line, p.field) for p in error.problems] == [
        (3, "gemeentecode"),
        (3, "naam"),
        (3, "provincie"),
        (3, "inwoners"),
        (5, None),
        (4, "gemeentecode"),
    ]
    assert str(error).splitlines()[0] == (
        "line 3, field 'gemeentecode': not a municipality code (GM and 4 digits): 'GM14'"
    )
    assert len(str(error).splitlines()) == 6


def test_problem_str_forms() -> None:
    assert str(ImportProblem(12, "inwoners", "not a whole number: 'abc'")) == (
        "line 12, field 'inwoners': not a whole number: 'abc'"
    )
    assert str(ImportProblem(None, "Perioden", "x")) == "field 'Perioden': x"
    assert str(ImportProblem(3, None, "x")) == "line 3: x"
    assert str(ImportProblem(None, None, "x")) == "x"


def test_control_characters_in_a_name() -> None:
    problems = problems_of(HEADER + 'GM0014,Gron\0ingen,Groningen,1\nGM0015,"A\nB",,1\n')
    assert [(p.line, p.field) for p in problems] == [(2, "naam"), (3, "naam")]
    assert all("control characters" in p.message for p in problems)


def test_unreadable_csv_is_a_problem_not_a_crash() -> None:
    problem = only_problem(HEADER + "GM0014,Gr" + "o" * 200_000 + "ningen,Groningen,1\n")
    assert problem.line == 2 and "not a readable CSV file" in problem.message


# --- round trip -----------------------------------------------------------------------

names = (
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1)
    .map(str.strip)
    .filter(bool)
)


@st.composite
def registers(draw: st.DrawFn) -> list[tuple[str, str, str | None, int, date | None]]:
    codes = draw(st.lists(st.integers(0, 9999), unique=True, min_size=1, max_size=30))
    return [
        (
            f"GM{code:04d}",
            draw(names),
            draw(st.sampled_from((*PROVINCES, None))),
            draw(st.integers(0, 10**9)),
            draw(st.none() | st.dates(date(1900, 1, 1), date(2100, 12, 31))),
        )
        for code in codes
    ]


@given(
    registers(),
    st.sampled_from([",", ";"]),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
    st.booleans(),
    st.permutations(range(5)),
)
def test_any_valid_register_round_trips(
    register: list[tuple[str, str, str | None, int, date | None]],
    delimiter: str,
    newline: str,
    bom: bool,
    dutch_dates: bool,
    order: list[int],
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    header = ["gemeentecode", "naam", "provincie", "inwoners", "peildatum"]
    writer.writerow([header[i] for i in order])
    for code, name, province, inhabitants, when in register:
        shown = "" if when is None else when.strftime("%d-%m-%Y" if dutch_dates else "%Y-%m-%d")
        cells = [code, name, province or "", str(inhabitants), shown]
        writer.writerow([cells[i] for i in order])
    data = (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()
    rows = parse_register(data)
    assert [(r.code, r.name, r.province, r.inhabitants, r.reference_date) for r in rows] == [
        (code, unicodedata.normalize("NFC", name), province, inhabitants, when)
        for code, name, province, inhabitants, when in register
    ]
    assert [r.line for r in rows] == sorted(r.line for r in rows)


# --- the real register (only where the shared data folder exists) ----------------------
# Self-contained equivalent: test_plain_comma_separated and the round-trip test above.


@pytest.mark.skipif(not SHARED_REGISTER.exists(), reason="shared reference data not present")
def test_the_342_municipalities() -> None:
    rows = parse_register(SHARED_REGISTER.read_bytes())
    assert len(rows) == 342
    assert {row.province for row in rows} == set(PROVINCES)
    assert 17_000_000 < sum(row.inhabitants for row in rows) < 19_000_000
    assert len({row.code for row in rows}) == 342
