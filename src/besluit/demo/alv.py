"""The demo's meetings: the Najaars-ALV 2026 in session, the written consultation on the Cao.

A mixin of data._Loader: it builds on the associations, people and voters that the
loader made (``self.associations``, ``self.users``, ``self.cast``, ``self.voters``,
``self.hidden``, ``self.rng``). The words come from content/najaars-alv-2026.toml and
the two Markdown texts beside it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.utils import timezone

from besluit.associations.models import Member
from besluit.core.ballotcrypto.ballot import encrypt_ballot
from besluit.core.ballotcrypto.group import Point
from besluit.core.ballotcrypto.sealed import context_for, voter_binding
from besluit.demo import ballots, prose
from besluit.demo import trustees as demo_trustees
from besluit.demo.register import (
    AMS,
    DEPARTMENT_SLUG,
    G4,
    SLUG,
    DemoMember,
)
from besluit.meetings import services as meetings
from besluit.meetings.models import Meeting
from besluit.proposals import services as proposals
from besluit.proposals.models import PreAdvice
from besluit.voting import encrypted
from besluit.voting import services as voting
from besluit.voting.models import Poll

# --- texts (the association's own words) -----------------------------------------


def _unwrap(text: str) -> str:
    """Join the source's wrapped lines: one line per paragraph, blank lines between.

    A line starting a heading ("## ") or a numbered point ("1. ") starts a new line.
    """
    blocks = []
    for block in text.strip("\n").split("\n\n"):
        lines: list[str] = []
        for line in block.split("\n"):
            if lines and not re.match(r"(## |\d+\. )", line):
                lines[-1] += " " + line
            else:
                lines.append(line)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


_ALV = prose.table("najaars-alv-2026.toml")
RESOLUTION_TITLE: str = _ALV["resolution"]["title"]
RESOLUTION_DECISION: str = _ALV["resolution"]["decision"]
RESOLUTION_EXPLANATION: str = _ALV["resolution"]["explanation"]
RESOLUTION_TEXT = _unwrap(prose.text("resolutie-kabinetsformatie.md"))
AGENDA_EXPLANATIONS: dict[str, str] = _ALV["agenda_explanations"]
_CAO = _ALV["cao"]
CAO_EXPLANATION: str = _CAO["explanation"]
CAO_PROPOSAL = _unwrap(prose.text("cao-gemeenten-2027.md"))
CAO_ALTERNATIVES: tuple[str, ...] = tuple(_CAO["alternatives"])


# --- loading ------------------------------------------------------------------------


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)


# The day the content was written for; the demo moves the meeting to the day it is
# loaded (see DemoClock), so the ALV is always in session "today".
MEETING_DAY = date(2026, 12, 10)
CAO_OPENS = _at(date(2026, 11, 16), 9)
CAO_CLOSES = _at(date(2026, 12, 7), 17)


class DemoClock:
    """The Najaars-ALV's times, moved from the content's day to the day the demo is loaded.

    The meeting starts at 10:00 today, or earlier when the demo is loaded early in the
    morning: its polls and ballots (the morning's agenda, 1 h 35 min of it) lie in the
    past whenever it is loaded. Submissions keep their distance to the deadline, which
    counts working days, so they stay in time on any weekday; the convocation keeps its
    distance to the meeting.
    """

    RUN = timedelta(hours=1, minutes=35)  # from the opening to the open poll's last ballot

    def __init__(self, now: datetime) -> None:
        local = now.astimezone(AMS).replace(second=0, microsecond=0)
        self.nominal_start = _at(MEETING_DAY, 10)
        self.start = min(local.replace(hour=10, minute=0), local - self.RUN)
        self.nominal_deadline: datetime | None = None
        self.deadline: datetime | None = None

    def at(self, hour: int, minute: int = 0) -> datetime:
        """A time of the content's meeting day, on the demo's meeting day."""
        return self.start + (_at(MEETING_DAY, hour, minute) - self.nominal_start)

    def moved(self, value: datetime) -> datetime:
        """A content time (Amsterdam) moved like the meeting."""
        return self.start + (value - self.nominal_start)

    def day(self, value: date) -> date:
        return self.start.date() - (MEETING_DAY - value)

    def submitted(self, value: datetime) -> datetime:
        """A submission time: as long before the demo's deadline as before the content's."""
        assert self.deadline is not None and self.nominal_deadline is not None
        return self.deadline - (self.nominal_deadline - value)


class MeetingBuilder:
    """The loader's meetings; see the module's docstring for what it expects of ``self``."""

    # the Najaars-ALV

    def build_meeting(self) -> None:
        vvvg = self.associations[SLUG]
        secretariat = self.users["secretariaat"]
        chair = self.users["voorzitter"]
        board = self.users["bestuur"]
        cast = self.cast
        clock = DemoClock(timezone.now())
        meeting = meetings.do_create_meeting(
            actor=secretariat,
            association=vvvg,
            kind=Meeting.Kind.ALV,
            title=_ALV["meeting"]["title"],
            starts_at=clock.at(10),
            ends_at=clock.at(16, 30),
            location=_ALV["meeting"]["location"],
            is_digital=True,
            convocation_date=clock.day(_ALV["meeting"]["convocation_date"]),
        )
        clock.deadline = meeting.amendment_deadline
        clock.nominal_deadline = meetings.default_deadline(vvvg, clock.nominal_start)
        # The standard agenda, item by item, so that item 07 carries the
        # resolution's own title, requested decision and explanation (there is
        # no service to retitle an item that standard_agenda=True created).
        items = {}
        for standard in meetings.STANDARD_AGENDA:
            if standard.number == "07":
                title, decision, explanation = (
                    RESOLUTION_TITLE,
                    RESOLUTION_DECISION,
                    RESOLUTION_EXPLANATION,
                )
            else:
                title, decision = standard.title, standard.requested_decision
                explanation = AGENDA_EXPLANATIONS.get(standard.number, "")
            items[standard.number] = meetings.do_add_agenda_item(
                actor=secretariat,
                meeting=meeting,
                number=standard.number,
                title=title,
                requested_decision=decision,
                explanation=explanation,
            )
        proposal = proposals.do_set_proposal(
            actor=secretariat,
            agenda_item=items["07"],
            title=RESOLUTION_TITLE,
            text=RESOLUTION_TEXT,
        )
        contribution = proposals.do_set_proposal(
            actor=secretariat,
            agenda_item=items["06"],
            title=_ALV["contribution"]["title"],
            text=_ALV["contribution"]["text"],
        )
        meetings.do_set_meeting_status(
            actor=secretariat, meeting=meeting, status=Meeting.Status.CONVENED
        )
        # The trustees of the meeting's secret votes (2 of 3), keys made and key files
        # written to the data folder (demo.trustees).
        _election, self.demo_trustees = demo_trustees.make_election(
            chair=chair, meeting=meeting, users=[chair, board, secretariat]
        )

        amendments = {}
        for key, a in _ALV["amendments"].items():
            amendments[key] = proposals.do_submit_amendment(
                actor=self.user(getattr(cast, a["submitter"])),
                proposal=proposal,
                passage=a["passage"],
                old_text=a["old_text"],
                new_text=a["new_text"],
                explanation=a["explanation"],
                co_submitters=self._co_submitters(a),
                now=clock.submitted(prose.local(a["submitted"])),
            )
        for key, a in _ALV["amendments"].items():
            if "pre_advice" in a:
                proposals.do_set_pre_advice(
                    actor=board,
                    submission=amendments[key],
                    advice=PreAdvice[a["pre_advice"]],
                    reason=a["pre_advice_reason"],
                )

        motions = {}
        for key, mo in _ALV["motions"].items():
            motions[key] = proposals.do_submit_motion(
                actor=self.user(getattr(cast, mo["submitter"])),
                meeting=meeting,
                agenda_item=items.get(mo.get("agenda_item")),
                title=mo["title"],
                considerations=mo["considerations"],
                request=mo["request"],
                co_submitters=self._co_submitters(mo),
                now=clock.submitted(prose.local(mo["submitted"])),
            )
        for key, mo in _ALV["motions"].items():
            proposals.do_set_pre_advice(
                actor=board,
                submission=motions[key],
                advice=PreAdvice[mo["pre_advice"]],
                reason=mo["pre_advice_reason"],
            )
        self.say("meeting, agenda, resolution, 2 amendments, 3 motions")

        # The meeting in session, items 01 to 06 done (but 04: the minutes of the spring
        # meeting, a concept with a correction, are adopted later): an acclamation, the contribution
        # decided by a vote, and a vote still open on a motion not tied to an item. The
        # votes of item 07 (two amendments, a motion, the resolution) are still to come.
        for a in _ALV["acclamations"]:
            voting.do_record_acclamation(
                actor=chair,
                meeting=meeting,
                agenda_item=items[a["agenda_item"]],
                subject=a["subject"],
                text=a["text"],
                now=clock.moved(prose.local(a["at"])),
            )

        poll = voting.do_create_poll(
            actor=chair,
            meeting=meeting,
            subject=Poll.Subject.PROPOSAL,
            proposal=contribution,
            question=_ALV["questions"]["contribution"],
        )
        voting.do_open_poll(actor=chair, poll=poll, now=clock.at(10, 41))
        voters = self._closed_poll_voters()
        self._vote(poll, voters, clock.at(10, 42), self._contribution_choice)
        voting.do_close_poll(actor=chair, poll=poll, now=clock.at(10, 55))
        self._secret_poll(meeting, chair, clock)

        poll = voting.do_create_poll(
            actor=chair,
            meeting=meeting,
            subject=Poll.Subject.MOTION,
            motion=motions["small"],
            question=_ALV["questions"]["small"],
        )
        voting.do_open_poll(actor=chair, poll=poll, now=clock.at(11, 20))
        # Only hidden voters: the demo representatives can still vote here.
        voters = self.rng.sample(sorted(self.hidden), 120)
        self._vote(poll, voters, clock.at(11, 21), self._youth_choice)
        self.say("1 acclamation, 2 closed polls (1 secret, decrypted by 2 trustees), 1 open poll")

    def _secret_poll(self, meeting: Meeting, chair, clock: DemoClock) -> None:
        """A secret vote on the next spring meeting's venue: every ballot encrypted (as the
        vote page's script does), closed, and decrypted by two of the three trustees."""
        spec = _ALV["secret_poll"]
        poll = voting.do_create_poll(
            actor=chair,
            meeting=meeting,
            subject=Poll.Subject.FREE,
            title=spec["title"],
            question=spec["question"],
            alternatives=spec["alternatives"],
            is_secret=True,
        )
        poll = voting.do_open_poll(actor=chair, poll=poll, now=clock.at(11, 0))
        key = Point.decode(bytes.fromhex(poll.election.public_key))
        options = poll.options.count()
        codes = self.rng.sample(sorted(self.hidden), 120)
        start = clock.at(11, 1)
        sealed = []
        for i, code in enumerate(codes):
            request_key = secrets.token_urlsafe(24)
            voter = voter_binding(str(poll.public_id), code, request_key)
            choice = self.rng.choices(range(options), weights=spec["weights"])[0]
            ballot = encrypt_ballot(context_for(str(poll.public_id), voter, key, options), choice)
            request = encrypted.SealedRequest(
                user_id=self.voters[code].pk, ballot=ballot.to_bytes(), request_key=request_key
            )
            sealed.append((start + timedelta(seconds=3 * i), request))
        ballots.cast_sealed(poll, sealed)  # a batch per minute, as the edge writes them
        poll = voting.do_close_poll(actor=chair, poll=poll, now=clock.at(11, 10))
        demo_trustees.decrypt(poll, self.demo_trustees, now=clock.at(11, 12))

    def _co_submitters(self, spec: dict) -> list[Member]:
        """A number is a member's place in the register; a name is one of the cast."""
        refs = spec.get("co_submitters", ())
        chosen = [self.members[r] if isinstance(r, int) else getattr(self.cast, r) for r in refs]
        return [self.db_members[m.code] for m in chosen]

    def _closed_poll_voters(self) -> list[str]:
        """300 of 342 members: the G4, the demo representatives' members, and others."""
        must = {m.code for m in self.members[:4]} | {m.code for m in self.cast.all}
        rest = sorted(code for code in self.voters if code not in must)
        return sorted(must) + self.rng.sample(rest, 300 - len(must))

    def _vote(
        self,
        poll: Poll,
        codes: list[str],
        start: datetime,
        choose: Callable[[DemoMember], str],
        spread: timedelta = timedelta(minutes=10),
    ) -> None:
        """The members of ``codes`` vote in turn, spread evenly from ``start``: the ballots of
        a minute (of a day, when they are spread over days) as one batch (demo.ballots)."""
        by_code = {m.code: m for m in self.members}
        step = spread / max(1, len(codes))
        ballots.cast_named(
            poll,
            [
                (start + step * i, self.voters[code].pk, choose(by_code[code]))
                for i, code in enumerate(codes)
            ],
            unit=ballots.DAY if spread >= timedelta(days=1) else ballots.MINUTE,
        )

    def _pick(self, weights: dict[str, float]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _contribution_choice(self, member: DemoMember) -> str:
        # The cities accept the indexation; rural members less so.
        if member.code == self.cast.rural.code:
            return "against"
        if member.code in {m.code for m in self.cast.all}:
            return "for"
        if "G4" in member.networks:
            return "against" if member.name == G4[3][0] else "for"
        if "G40" in member.networks:
            return self._pick({"for": 0.8, "against": 0.15, "abstain": 0.05})
        if "P10" in member.networks:
            return self._pick({"for": 0.35, "against": 0.55, "abstain": 0.10})
        return self._pick({"for": 0.6, "against": 0.32, "abstain": 0.08})

    def _youth_choice(self, member: DemoMember) -> str:
        if "G4" in member.networks or "G40" in member.networks:
            return self._pick({"for": 0.7, "against": 0.25, "abstain": 0.05})
        return self._pick({"for": 0.5, "against": 0.42, "abstain": 0.08})

    # the written consultation

    def build_consultation(self) -> None:
        vvvg = self.associations[SLUG]
        secretariat = self.users["secretariaat"]
        chair = self.users["voorzitter"]
        meeting = meetings.do_create_meeting(
            actor=secretariat,
            association=vvvg,
            kind=Meeting.Kind.WRITTEN,
            title=_CAO["meeting_title"],
            starts_at=CAO_OPENS,
            ends_at=CAO_CLOSES,
            is_digital=True,
            convocation_date=date(2026, 11, 9),
        )
        item = meetings.do_add_agenda_item(
            actor=secretariat,
            meeting=meeting,
            number="01",
            title=_CAO["item_title"],
            requested_decision=_CAO["requested_decision"],
            explanation=CAO_EXPLANATION,
        )
        proposals.do_set_proposal(
            actor=secretariat, agenda_item=item, title=_CAO["proposal_title"], text=CAO_PROPOSAL
        )
        # The poll must still be open whenever the demo is started: it closes at
        # the end of the voting window, or two weeks from now if that is later.
        closes_at = max(CAO_CLOSES, timezone.now() + timedelta(days=14))
        poll = voting.do_create_poll(
            actor=chair,
            meeting=meeting,
            subject=Poll.Subject.FREE,
            agenda_item=item,
            title=_CAO["poll_title"],
            question=_CAO["question"],
            alternatives=CAO_ALTERNATIVES,
            with_abstain=False,
            closes_at=closes_at,
        )
        voting.do_open_poll(actor=chair, poll=poll, now=CAO_OPENS)
        voters = self.rng.sample(sorted(self.hidden), 170)
        self._vote(
            poll,
            voters,
            CAO_OPENS + timedelta(minutes=5),
            lambda _m: self._pick({"option-1": 0.62, "option-2": 0.34, "option-3": 0.04}),
            spread=timedelta(days=9),
        )
        self.say("written consultation with an open poll")

    def build_department_meeting(self) -> None:
        vzvg = self.associations[DEPARTMENT_SLUG]
        meetings.do_create_meeting(
            actor=self.users["secretariaat"],
            association=vzvg,
            kind=Meeting.Kind.ALV,
            title=_ALV["department_meeting"]["title"],
            starts_at=_at(date(2027, 3, 18), 14),
            ends_at=_at(date(2027, 3, 18), 17),
            location=_ALV["department_meeting"]["location"],
            standard_agenda=True,
        )
