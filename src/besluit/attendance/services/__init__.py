"""Attendance, proxies, the meeting's quorum and paper ballots: every change, audited.

One module per topic (checkin, proxies, quorum, paper); each ``do_*`` takes keyword
arguments with the acting user, runs in one transaction and records its audit event.
"""

from besluit.attendance.services.checkin import (
    do_check_in,
    do_check_out,
    do_configure_meeting,
    do_self_check_in,
    find_member,
)
from besluit.attendance.services.paper import (
    do_enter_paper_ballot,
    do_enter_paper_round,
    do_sign_paper_round,
)
from besluit.attendance.services.proxies import (
    do_decide_proxy,
    do_request_proxy,
    do_revoke_proxy,
    do_set_proxy_rule,
)
from besluit.attendance.services.quorum import do_require_meeting_quorum, freeze_at_opening

__all__ = [
    "do_check_in",
    "do_check_out",
    "do_configure_meeting",
    "do_decide_proxy",
    "do_enter_paper_ballot",
    "do_enter_paper_round",
    "do_request_proxy",
    "do_require_meeting_quorum",
    "do_revoke_proxy",
    "do_self_check_in",
    "do_set_proxy_rule",
    "do_sign_paper_round",
    "find_member",
    "freeze_at_opening",
]
