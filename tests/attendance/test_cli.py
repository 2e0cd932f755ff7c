"""besluit attendance …: the same services from the command line."""

import pytest
from django.core.management import call_command

from besluit.attendance.models import Attendance, Proxy
from tests import factories

from .conftest import m

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("attendance", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_checkin_proxy_and_list_from_the_command_line(association, meeting, secretariat, chair):
    code, out, _ = run(
        "checkin", "--user", "secretariaat", "--meeting", str(meeting.pk), m(association, 1).code
    )
    assert code == 0 and "checked in" in out
    code, _, err = run(
        "checkin", "--user", "secretariaat", "--meeting", str(meeting.pk), m(association, 1).code
    )
    assert code == 1 and "al aangemeld" in err and "(member)" in err
    assert Attendance.objects.count() == 1
    run(
        "proxy-rule",
        "--user",
        "secretariaat",
        "--association",
        association.slug,
        "--valid-from",
        "2020-01-01",
        "--max",
        "1",
    )
    code, out, _ = run(
        "proxy",
        "--user",
        "secretariaat",
        "--meeting",
        str(meeting.pk),
        "--grantor",
        m(association, 0).code,
        "--holder",
        m(association, 1).code,
        "--approve",
    )
    assert code == 0 and Proxy.objects.get().status == "approved"
    code, _, err = run(
        "proxy",
        "--user",
        "secretariaat",
        "--meeting",
        str(meeting.pk),
        "--grantor",
        m(association, 2).code,
        "--holder",
        m(association, 1).code,
    )
    assert code == 1 and "ten hoogste 1" in err
    code, out, _ = run("list", "--meeting", str(meeting.pk), "--csv")
    assert f"{m(association, 0).code},{m(association, 0).name}" in out and "represented" in out
    poll = factories.open_poll(chair, meeting)
    code, out, _ = run(
        "paper",
        "--user",
        "secretariaat",
        str(poll.public_id),
        "--member",
        m(association, 5).code,
        "--option",
        "option-1",
        "--handed-in-by",
        "Griffier",
    )
    assert code == 0 and "paper ballot" in out
