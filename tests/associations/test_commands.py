"""``besluit members import`` and ``besluit createuser``, through the commands themselves."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from besluit.accounts.models import User
from besluit.associations.models import Member, PopulationFigure, Role
from tests import factories
from tests.live.servers import database_url


def run(*args, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_members_import_creates_then_reports_what_changed(association, tmp_path):
    path = tmp_path / "leden.csv"
    path.write_bytes(factories.register_csv(14))  # the fixture has 12 of these 14
    out, _ = run("members", "import", str(path), "--association", association.slug)
    assert out.count("+ ") == 2
    assert association.members.count() == 14

    rows = path.read_text().splitlines()
    code, name, province, _, reference = rows[1].split(",")
    rows[1] = ",".join([code, name, province, "123456", reference])
    path.write_text("\n".join(rows) + "\n")
    out, _ = run("members", "import", str(path), "--association", association.slug)
    assert "~ " in out
    member = Member.objects.get(association=association, code=code)
    assert member.populations.values_list("inhabitants", flat=True)[0] == 123456


def test_members_import_refuses_a_bad_file_whole_and_names_the_lines(association, tmp_path):
    def register():
        return list(
            PopulationFigure.objects.filter(member__association=association)
            .values_list("member__code", "reference_date", "inhabitants")
            .order_by("member__code")
        )

    before = register()
    path = tmp_path / "leden.csv"
    path.write_text(
        "gemeentecode,naam,provincie,inwoners\n"
        "GM9001,Nieuwdorp,Zeeland,1200\n"
        "GM9002,Oudstad,Zeeland,veel\n"
    )
    with pytest.raises(CommandError, match="nothing imported"):
        run("members", "import", str(path), "--association", association.slug)
    assert register() == before


def test_members_import_names_a_missing_file_and_an_unknown_association(association, tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        run("members", "import", str(tmp_path / "nope.csv"), "--association", association.slug)
    with pytest.raises(CommandError, match="No association"):
        run("members", "import", str(tmp_path / "nope.csv"), "--association", "nope")


def test_createuser_makes_a_representative_who_can_log_in(association):
    code = factories.member(association, 3).code
    out, _ = run(
        "createuser",
        "wethouder-3",
        "--association",
        association.slug,
        "--role",
        "representative",
        "--member",
        code,
        "--function",
        "alderman",
        "--password",
        "correct horse battery",
    )
    assert "Created user wethouder-3" in out
    user = User.objects.get(username="wethouder-3")
    role = Role.objects.get(user=user, association=association)
    assert (role.kind, role.member.code, role.function) == ("representative", code, "alderman")
    assert user.check_password("correct horse battery")
    client = Client()
    client.post(
        "/accounts/login/", {"username": "wethouder-3", "password": "correct horse battery"}
    )
    assert client.session.get("_auth_user_id") == str(user.pk)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--role", "chair"], "--role needs --association"),
        (["--password", "short"], "at least 8 characters"),
        (["--association", "nope", "--role", "chair"], "No association"),
        (["--association", "vvg", "--role", "representative", "--member", "GM0000"], "No member"),
    ],
)
def test_createuser_refuses_bad_arguments_and_creates_nobody(association, args, message):
    if "--password" not in args:
        args = [*args, "--password", "correct horse battery"]
    with pytest.raises(CommandError, match=message):
        run("createuser", "nieuw", *args)
    assert not User.objects.filter(username="nieuw").exists()


# --- many people in one createuser call (--csv), the people import's rules ------------------

PEOPLE_HEADER = "naam,e-mail,lidcode,functie,rol\n"


def people_csv(association, n: int) -> str:
    codes = list(association.members.order_by("code").values_list("code", flat=True))[:n]
    rows = [f"Burgemeester {c},b@{c.lower()}.nl,{c},burgemeester,vertegenwoordiger" for c in codes]
    return PEOPLE_HEADER + "\n".join(rows) + "\n"


def test_createuser_csv_makes_everyone_in_the_file_without_passwords(association, tmp_path):
    path = tmp_path / "mensen.csv"
    path.write_text(people_csv(association, 5) + "An Smit,an@vvg.nl,,,secretariaat\n")
    out, _ = run("createuser", "--csv", str(path), "--association", association.slug)
    assert out.count("+ ") == 6 and f"{path}: 6 people created." in out
    reps = Role.objects.filter(association=association, kind=Role.Kind.REPRESENTATIVE)
    assert reps.filter(function="mayor").count() == 5
    an = User.objects.get(username=f"an.vvg.nl@{association.slug}")
    assert an.roles.get().kind == "secretariat" and not an.has_usable_password()


def test_createuser_csv_reads_standard_input(association):
    stdin = StringIO(people_csv(association, 3))
    out, _ = run("createuser", "--csv", "-", "--association", association.slug, stdin=stdin)
    assert "stdin: 3 people created." in out
    assert Role.objects.filter(association=association, kind="representative").count() == 3


def test_createuser_csv_refuses_the_whole_file_and_names_every_bad_line(association, tmp_path):
    path = tmp_path / "mensen.csv"
    path.write_text(
        people_csv(association, 2)
        + "Piet,piet@vvg.nl,GM0014,,vertegenwoordiger\n"  # line 4: no function
        + "Kees,kees,,,keizer\n"  # line 5: address and role
    )
    before = User.objects.count()
    err = StringIO()
    with pytest.raises(CommandError, match=r"nothing imported \(3 problems\)"):
        call_command("createuser", "--csv", str(path), "--association", "vvg", stderr=err)
    lines = err.getvalue().splitlines()
    assert f"{path}: line 4, field 'functie': a representative needs a function" in lines[0]
    assert lines[1].startswith(f"{path}: line 5, field 'e-mail'")
    assert lines[2].startswith(f"{path}: line 5, field 'rol': unknown role 'keizer'")
    assert User.objects.count() == before

    unknown = tmp_path / "onbekend.csv"
    unknown.write_text(PEOPLE_HEADER + "Jan,jan@vvg.nl,GM0999,burgemeester,vertegenwoordiger\n")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("createuser", "--csv", str(unknown), "--association", "vvg", stderr=err)
    assert f"{unknown}: line 2, field 'lidcode': no member GM0999" in err.getvalue()
    assert User.objects.count() == before


@pytest.mark.parametrize(
    "args, message",
    [
        (["--csv", "x.csv"], "--csv needs --association"),
        (["--csv", "x.csv", "--association", "vvg", "--role", "chair"], "not --role"),
        (["jan", "--csv", "x.csv", "--association", "vvg"], "not username"),
        (["--csv", "x.csv", "--association", "vvg", "--password", "p" * 12], "not --password"),
        (["--csv", "nope.csv", "--association", "vvg"], "nope.csv: cannot read the file"),
        (["--csv", "x.csv", "--association", "nope"], "No association with slug 'nope'"),
        ([], "Give a username, or --csv FILE"),
    ],
)
def test_createuser_csv_refuses_mixed_or_missing_arguments(association, args, message):
    before = User.objects.count()
    with pytest.raises(CommandError, match=message):
        run("createuser", *args)
    assert User.objects.count() == before


@pytest.mark.dbbackend
@pytest.mark.django_db(transaction=True)
def test_the_besluit_command_answers_exit_codes_and_a_line_per_problem(tmp_path):
    """Through the installed ``besluit`` program, as a script calls it: standard input,
    exit code 0 and 1, the problems on standard error, and nothing made after a refusal."""
    association = factories.make_association(4)
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION",)},
        "DJANGO_SETTINGS_MODULE": "besluit.settings",
        "BESLUIT_SECRET_KEY": "k" * 50,
        "BESLUIT_DATA_DIR": str(tmp_path),
        "DATABASE_URL": database_url(),
    }
    besluit = [sys.executable, "-m", "besluit.cli", "createuser", "--csv", "-"]
    bad = people_csv(association, 2) + "Kees,kees@vvg.nl,GM0014,,keizer\n"
    result = subprocess.run(
        [*besluit, "--association", association.slug],
        input=bad,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "stdin: line 4, field 'rol': unknown role 'keizer'" in result.stderr
    assert "CommandError: stdin: nothing imported (1 problem)." in result.stderr
    assert not Role.objects.filter(association=association, kind="representative").exists()

    result = subprocess.run(
        [*besluit, "--association", association.slug],
        input=people_csv(association, 4),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "stdin: 4 people created." in result.stdout
    assert Role.objects.filter(association=association, kind="representative").count() == 4


def test_people_import_reads_standard_input_too(association):
    stdin = StringIO(people_csv(association, 2))
    out, _ = run("people", "import", "-", "--association", association.slug, stdin=stdin)
    assert "stdin: 2 people created." in out
