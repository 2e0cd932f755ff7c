"""The demo's attendance rules: proxies allowed (at most two per member, an example
rule, not from real statutes) and remote check-in at the Najaars-ALV, so the door's
check-in page, the proxies page and the meeting quorum can be tried at once."""

from datetime import date

from besluit.accounts.models import User
from besluit.associations.models import Association
from besluit.attendance import services as attendance
from besluit.meetings.models import Meeting


def load_attendance_demo(association: Association) -> None:
    secretariat = User.objects.get(username="secretariaat")
    attendance.do_set_proxy_rule(
        actor=secretariat,
        association=association,
        valid_from=date(2020, 1, 1),
        max_represented=2,
        label="Voorbeeld: ten hoogste twee volmachten per lid (niet uit echte statuten)",
    )
    meeting = (
        Meeting.objects.filter(association=association, kind=Meeting.Kind.ALV)
        .exclude(status=Meeting.Status.CLOSED)
        .order_by("-starts_at")
        .first()
    )
    if meeting is not None:
        attendance.do_configure_meeting(actor=secretariat, meeting=meeting, remote_check_in=True)
