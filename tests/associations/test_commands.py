"""``besluit members import`` and ``besluit createuser``, through the commands themselves."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from besluit.accounts.models import User
from besluit.associations.models import Member, PopulationFigure, Role
from tests import factories


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
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
