"""besluit attendance …: the attendance register, proxies, the meeting quorum and paper
ballots from the command line, acting as a named user (``--user``), who is audited.

    besluit attendance checkin --user NAME --meeting ID CODE [--representative TEXT]
    besluit attendance checkout --user NAME --meeting ID CODE
    besluit attendance list --meeting ID [--csv]
    besluit attendance settings --user NAME --meeting ID [--remote]
        [--quorum-members S] [--quorum-weight S]
    besluit attendance proxy-rule --user NAME --association SLUG --valid-from DATE --max N
    besluit attendance proxy --user NAME --meeting ID --grantor CODE --holder CODE [--approve]
    besluit attendance decide --user NAME PROXY_ID (--approve | --refuse --reason TEXT)
    besluit attendance revoke --user NAME PROXY_ID [--reason TEXT]
    besluit attendance require-quorum --user NAME POLL_ID [--off]
    besluit attendance paper --user NAME POLL_ID --member CODE --option KEY --handed-in-by NAME

A refusal exits with status 1 and says what and where, nothing changed.
"""

import sys
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from besluit import csvsafe
from besluit.associations.models import Association
from besluit.attendance import selectors, services
from besluit.attendance.models import Proxy
from besluit.errors import DomainError
from besluit.meetings.models import Meeting
from besluit.voting.models import Poll


def _share(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise CommandError(f"'{text}' is not a number (a share from 0 to 1).") from None


class Command(BaseCommand):
    help = "Attendance register, proxies (volmachten), meeting quorum and paper ballots."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)

        def cmd(name, help_text, *, user=True):
            p = sub.add_parser(name, help=help_text)
            if user:
                p.add_argument("--user", required=True, help="the acting user's username")
            return p

        p = cmd("checkin", "Check a member in at the door.")
        p.add_argument("--meeting", type=int, required=True)
        p.add_argument("member", help="the member's code, e.g. GM0363")
        p.add_argument("--representative", default="", help="the person present")
        p = cmd("checkout", "A member leaves.")
        p.add_argument("--meeting", type=int, required=True)
        p.add_argument("member")
        p = cmd("list", "The attendance list.", user=False)
        p.add_argument("--meeting", type=int, required=True)
        p.add_argument("--csv", action="store_true", help="as CSV on standard output")
        p = cmd("settings", "Remote check-in and the meeting quorum.")
        p.add_argument("--meeting", type=int, required=True)
        p.add_argument("--remote", action="store_true", help="allow remote self check-in")
        p.add_argument("--quorum-members", default="0", type=_share)
        p.add_argument("--quorum-weight", default="0", type=_share)
        p = cmd("proxy-rule", "The statutes' limit from a date.")
        p.add_argument("--association", required=True)
        p.add_argument("--valid-from", required=True, type=date.fromisoformat)
        p.add_argument("--max", required=True, type=int, dest="max_represented")
        p = cmd("proxy", "Register a proxy.")
        p.add_argument("--meeting", type=int, required=True)
        p.add_argument("--grantor", required=True)
        p.add_argument("--holder", required=True)
        p.add_argument("--approve", action="store_true")
        p = cmd("decide", "Approve or refuse a pending proxy.")
        p.add_argument("proxy_id")
        group = p.add_mutually_exclusive_group(required=True)
        group.add_argument("--approve", action="store_true")
        group.add_argument("--refuse", action="store_true")
        p.add_argument("--reason", default="")
        p = cmd("revoke", "Revoke a proxy.")
        p.add_argument("proxy_id")
        p.add_argument("--reason", default="")
        p = cmd("require-quorum", "A poll opens only when the meeting quorum is met.")
        p.add_argument("poll_id")
        p.add_argument("--off", action="store_true", help="no longer require it")
        p = cmd("paper", "Enter a named paper ballot.")
        p.add_argument("poll_id")
        p.add_argument("--member", required=True)
        p.add_argument("--option", required=True)
        p.add_argument("--handed-in-by", required=True)

    def handle(self, *args, action, **o):
        actor = self._user(o["user"]) if o.get("user") else None
        try:
            getattr(self, "do_" + action.replace("-", "_"))(actor, o)
        except DomainError as exc:
            where = f" ({exc.field})" if exc.field else ""
            self.stderr.write(f"attendance {action}{where}: {exc.message}")
            sys.exit(1)

    # --- look-ups -------------------------------------------------------------------

    def _user(self, username):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"--user: no user '{username}'.")
        return user

    def _meeting(self, pk) -> Meeting:
        meeting = Meeting.objects.select_related("association").filter(pk=pk).first()
        if meeting is None:
            raise CommandError(f"--meeting: no meeting {pk}.")
        return meeting

    def _poll(self, public_id) -> Poll:
        try:
            return Poll.objects.select_related("meeting__association").get(public_id=public_id)
        except (Poll.DoesNotExist, ValueError, Exception) as exc:
            raise CommandError(f"no poll {public_id}.") from exc

    def _proxy(self, public_id) -> Proxy:
        try:
            return Proxy.objects.select_related("meeting__association").get(public_id=public_id)
        except (Proxy.DoesNotExist, ValueError, Exception) as exc:
            raise CommandError(f"no proxy {public_id}.") from exc

    # --- actions --------------------------------------------------------------------

    def do_checkin(self, actor, o):
        meeting = self._meeting(o["meeting"])
        done = services.do_check_in(
            actor=actor,
            meeting=meeting,
            member=services.find_member(meeting, o["member"]),
            representative=o["representative"],
        )
        self.stdout.write(f"{done.member.code} {done.member.name}: checked in")

    def do_checkout(self, actor, o):
        meeting = self._meeting(o["meeting"])
        done = services.do_check_out(
            actor=actor, meeting=meeting, member=services.find_member(meeting, o["member"])
        )
        self.stdout.write(f"{done.member.code} {done.member.name}: left")

    def do_list(self, actor, o):
        found = selectors.presence(self._meeting(o["meeting"]))
        if o["csv"]:
            writer = csvsafe.writer(self.stdout, lineterminator="\n")
            writer.writerow(["gemeentecode", "naam", "gewicht", "status", "namens_lid"])
            for r in found.rows:
                by = r.represented_by.code if r.represented_by else ""
                writer.writerow([r.member.code, r.member.name, r.weight, r.status, by])
            return
        self.stdout.write(
            f"present {found.present_members} (weight {found.present_weight}), "
            f"represented {found.represented_members} (weight {found.represented_weight}), "
            f"of {found.eligible_members} (weight {found.eligible_weight})"
        )

    def do_settings(self, actor, o):
        services.do_configure_meeting(
            actor=actor,
            meeting=self._meeting(o["meeting"]),
            remote_check_in=o["remote"],
            quorum_members=o["quorum_members"],
            quorum_weight=o["quorum_weight"],
        )
        self.stdout.write("saved")

    def do_proxy_rule(self, actor, o):
        association = Association.objects.filter(slug=o["association"]).first()
        if association is None:
            raise CommandError(f"--association: no association '{o['association']}'.")
        rule = services.do_set_proxy_rule(
            actor=actor,
            association=association,
            valid_from=o["valid_from"],
            max_represented=o["max_represented"],
        )
        self.stdout.write(f"from {rule.valid_from}: at most {rule.max_represented} per member")

    def do_proxy(self, actor, o):
        meeting = self._meeting(o["meeting"])
        proxy = services.do_request_proxy(
            actor=actor,
            meeting=meeting,
            grantor=services.find_member(meeting, o["grantor"], field="grantor"),
            holder=services.find_member(meeting, o["holder"], field="holder"),
            approve=o["approve"],
        )
        self.stdout.write(f"{proxy.public_id} {proxy}: {proxy.status}")

    def do_decide(self, actor, o):
        proxy = services.do_decide_proxy(
            actor=actor, proxy=self._proxy(o["proxy_id"]), approve=o["approve"], reason=o["reason"]
        )
        self.stdout.write(f"{proxy.public_id} {proxy}: {proxy.status}")

    def do_revoke(self, actor, o):
        proxy = services.do_revoke_proxy(
            actor=actor, proxy=self._proxy(o["proxy_id"]), reason=o["reason"]
        )
        self.stdout.write(f"{proxy.public_id} {proxy}: {proxy.status}")

    def do_require_quorum(self, actor, o):
        found = services.do_require_meeting_quorum(
            actor=actor, poll=self._poll(o["poll_id"]), required=not o["off"]
        )
        self.stdout.write("required" if found.required else "not required")

    def do_paper(self, actor, o):
        poll = self._poll(o["poll_id"])
        receipt = services.do_enter_paper_ballot(
            actor=actor,
            poll=poll,
            member=services.find_member(poll.meeting, o["member"]),
            option_key=o["option"],
            handed_in_by=o["handed_in_by"],
        )
        self.stdout.write(f"{receipt.member_code}: paper ballot {receipt.ballot_id}")
