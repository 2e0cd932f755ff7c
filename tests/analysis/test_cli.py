"""besluit weights analyse: the readable table, CSV and errors that say what and where."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from besluit.analysis.management.commands.weights import Command

pytestmark = pytest.mark.django_db


def analyse(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("weights", "analyse", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_prints_a_table_per_rule(association):
    out, _err = analyse("--association", association.slug)
    assert "Voting power in Vereniging van Testgemeenten" in out
    assert "12 members with a vote" in out
    for label in ("== Current rule:", "== Proportional:", "== Square root:", "== One member"):
        assert label in out
    assert "computed exactly" in out  # the bracket table
    assert "rounded: weights to multiples of" in out  # one vote per inhabitant
    assert "Approximation:" in out
    header = next(line for line in out.splitlines() if "Banzhaf %" in line)
    assert header.split()[:3] == ["size", "class", "(inhabitants)"]
    assert "fewest members for a majority:" in out


def test_by_member_and_rule_selection(association):
    out, _err = analyse(
        "--association",
        association.slug,
        "--rule",
        "current,equal",
        "--by",
        "member",
        "--quota",
        "two_thirds",
    )
    assert "at least two thirds" in out
    assert "== Proportional" not in out and "Approximation" not in out
    assert out.count("Testgemeente ") == 2 * 12  # not "Testgemeenten" in the title


def test_csv_file(association, tmp_path):
    target = tmp_path / "power.csv"
    _out, err = analyse("--association", association.slug, "--by", "province", "--csv", str(target))
    assert f"{target}: " in err and "rows written" in err
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert {r["rule"] for r in rows} == {"current", "proportional", "sqrt", "equal"}
    assert rows[0].keys() >= {"group", "banzhaf", "shapley_shubik", "resolution"}


def test_csv_to_stdout_keeps_the_table_on_stderr(association):
    out, err = analyse("--association", association.slug, "--rule", "equal", "--csv", "-")
    assert out.startswith("rule,rule_label,")
    assert "== One member, one vote" in err


def test_brackets_file(association, tmp_path):
    table = tmp_path / "concept.txt"
    table.write_text("# concept\n0: 1\n25.000: 2\n100000: 4\n", encoding="utf-8")
    out, _err = analyse(
        "--association", association.slug, "--rule", "current", "--brackets-file", str(table)
    )
    assert "== Bracket table from concept.txt: bracket table: 3 brackets, 1 to 4 votes" in out


def test_bad_brackets_file_names_file_and_line(association, tmp_path):
    table = tmp_path / "bad.txt"
    table.write_text("0: 1\nveel: 2\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"bad.txt: not a valid bracket table \(1 problems\)"):
        call_command(
            "weights",
            "analyse",
            "--association",
            association.slug,
            "--brackets-file",
            str(table),
            stdout=io.StringIO(),
            stderr=err,
        )
    assert f"{table}: line 2: expected 'from_inhabitants votes'" in err.getvalue()


def test_bad_slug_exits_non_zero_with_a_message(db, capsys):
    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["besluit", "weights", "analyse", "--association", "nope"])
    assert exit_.value.code != 0
    assert "--association: no association with slug 'nope'." in capsys.readouterr().err


def test_bad_rule_and_missing_file(association, tmp_path):
    with pytest.raises(CommandError, match=r"--rule: unknown rule 'cube'"):
        analyse("--association", association.slug, "--rule", "current,cube")
    with pytest.raises(CommandError, match=r"missing.txt: cannot read the file"):
        analyse("--association", association.slug, "--brackets-file", str(tmp_path / "missing.txt"))
