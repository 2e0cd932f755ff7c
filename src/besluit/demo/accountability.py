"""Demo data for accountability: two earlier meetings, their motions followed up, a report.

``load_accountability_demo(association)`` builds, through the services:

- the Najaars-ALV 2025 (11 December 2025) and the Voorjaars-ALV 2026 (11 June 2026),
  closed, with motions decided by vote, by acclamation, on the pre-advice (taken over
  by the board) and one split into parts decided differently; the spring meeting also
  adopted a resolution whose three demands the secretariat marked;
- the commitments that followed, in every status: new, in progress, held over, done,
  not feasible and overdue, with owners, themes, due dates, milestones and dated updates;
- the accountability report the spring meeting decided (by acclamation), and the report
  on the agenda of the Najaars-ALV 2026 (item 08), published twice: a text updated
  before the meeting.

It expects the demo association of ``besluit.demo.data`` (its members, weight rule,
the accounts "secretariaat", "voorzitter" and "bestuur", and the Najaars-ALV 2026
with its standard agenda). It is idempotent: it does nothing when the Najaars-ALV 2025
exists.

Times. Every service that takes ``now`` gets the date the step happened. A few
services have no ``now`` (pre-advice, recording an outcome without a poll, closing a
meeting); ``_clock`` lets them see the demo's date so that the timelines read in order.
The content is Dutch: the association's own words. All of it is fictional.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from django.db import transaction

from besluit.accountability import services as acc
from besluit.accountability import services as reports
from besluit.accountability.models import Commitment, ReportEntry
from besluit.accounts.models import User
from besluit.associations.models import Association, Member, Role
from besluit.demo import ballots, prose
from besluit.meetings import services as meetings
from besluit.meetings.models import Meeting
from besluit.proposals import services as proposals
from besluit.proposals.models import Motion, PreAdvice
from besluit.voting import services as voting
from besluit.voting.models import Poll

AMS = ZoneInfo("Europe/Amsterdam")
SEED = 20251211
TEXT = prose.table("verantwoording.toml")
AUTUMN_2025: str = TEXT["autumn_2025"]["title"]
SPRING_2026: str = TEXT["spring_2026"]["title"]
AUTUMN_2026: str = TEXT["autumn_2026_report"]["meeting"]
Status = Commitment.Status
P = ReportEntry.Proposal


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)


@contextmanager
def _clock(at: datetime) -> Iterator[None]:
    """For services without a ``now`` parameter: they read django.utils.timezone.now."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


RESOLUTION_TEXT = prose.text("resolutie-voorjaarsnota-2026.md")
DEMANDS: tuple[tuple[str, str], ...] = tuple(tuple(d) for d in TEXT["spring_2026"]["demands"])


class _Loader:
    def __init__(self, association: Association) -> None:
        self.association = association
        self.rng = random.Random(SEED)
        self.secretariat = User.objects.get(username="secretariaat")
        self.chair = User.objects.get(username="voorzitter")
        self.board = User.objects.get(username="bestuur")
        roles = Role.objects.filter(association=association, kind=Role.Kind.REPRESENTATIVE)
        # Voters: one person per member (the demo's hidden voters and its representatives).
        self.voters: dict[str, User] = {}
        for role in roles.select_related("user", "member").order_by("user__username"):
            self.voters.setdefault(role.member.code, role.user)
        # Submitters: the demo representatives who can log in, one per member.
        self.submitters: list[tuple[Member, User]] = []
        seen = set()
        for role in (
            roles.filter(user__is_active=True)
            .select_related("user", "member")
            .order_by("member__name", "user__username")
        ):
            if role.member_id not in seen:
                seen.add(role.member_id)
                self.submitters.append((role.member, role.user))
        self.members = list(association.members.order_by("name"))
        self.g4 = list(association.members.filter(networks__code="G4").order_by("name"))
        self.motions: dict[str, Motion] = {}  # both earlier meetings', by their key in the TOML
        self.resolution = None  # the spring meeting's resolution (a Proposal)

    def run(self) -> None:
        self.build_themes()
        self.build_autumn_2025()
        self.build_spring_2026()
        self.follow(TEXT["after_spring"])
        self.build_autumn_2026_report()

    # --- helpers -----------------------------------------------------------------------

    def submitter(self, i: int) -> tuple[Member, User]:
        return self.submitters[i % len(self.submitters)]

    def meeting(self, title: str, day: date) -> Meeting:
        meeting = meetings.do_create_meeting(
            actor=self.secretariat,
            association=self.association,
            kind=Meeting.Kind.ALV,
            title=title,
            starts_at=_at(day, 10),
            ends_at=_at(day, 16, 30),
            location="Jaarbeurs, Utrecht",
            is_digital=True,
            convocation_date=day - timedelta(days=28),
            standard_agenda=True,
        )
        with _clock(_at(day - timedelta(days=28), 9)):
            meetings.do_set_meeting_status(
                actor=self.secretariat, meeting=meeting, status=Meeting.Status.CONVENED
            )
        return meeting

    def motion(self, meeting, i, title, considerations, request, submitted, co=(), item=None):
        member, user = self.submitter(i)
        return proposals.do_submit_motion(
            actor=user,
            meeting=meeting,
            title=title,
            considerations=considerations,
            request=request,
            co_submitters=[m for m in co if m != member],
            agenda_item=meeting.agenda_items.get(number=item) if item else None,
            now=submitted,
        )

    def advise(self, motion: Motion, advice: str, reason: str, at: datetime) -> None:
        with _clock(at):
            proposals.do_set_pre_advice(
                actor=self.board, submission=motion, advice=advice, reason=reason
            )

    def vote(self, poll: Poll, start: datetime, weights: dict[str, float], n: int = 60) -> Poll:
        """``n`` members vote, one every five seconds (kept small: every ballot goes through
        the real casting service; those of a minute as one batch, demo.ballots)."""
        voting.do_open_poll(actor=self.chair, poll=poll, now=start)
        codes = self.rng.sample(sorted(self.voters), n)
        keys, w = list(weights), list(weights.values())
        ballots.cast_named(
            poll,
            [
                (
                    start + timedelta(seconds=5 * k + 5),
                    self.voters[code].pk,
                    self.rng.choices(keys, weights=w)[0],
                )
                for k, code in enumerate(codes)
            ],
        )
        closes = start + timedelta(seconds=5 * n + 60)
        # A split motion's last part sets the motion's outcome, through a service without `now`.
        with _clock(closes):
            return voting.do_close_poll(actor=self.chair, poll=poll, now=closes)

    def vote_motion(self, motion: Motion, start: datetime, weights=None) -> Poll:
        poll = voting.do_create_poll(
            actor=self.chair, meeting=motion.meeting, subject=Poll.Subject.MOTION, motion=motion
        )
        return self.vote(poll, start, weights or {"for": 0.82, "against": 0.13, "abstain": 0.05})

    def assign(
        self,
        c: Commitment,
        at: datetime,
        *,
        theme,
        committee,
        owner=None,
        due=None,
        status=None,
        interval=90,
        note="",
    ) -> Commitment:
        c.refresh_from_db()
        return acc.do_update_commitment(
            actor=self.secretariat,
            commitment=c,
            title=c.title,
            theme=self.themes[theme],
            owner_committee=self.committees[committee],
            owner_user=owner,
            due_date=due or c.due_date,
            update_interval_days=interval,
            status=status or c.status,
            note=note,
            now=at,
        )

    def update(self, c: Commitment, at: datetime, done: str, planned: str = "", **kwargs):
        return acc.do_post_update(
            actor=self.board, commitment=c, done=done, planned=planned, now=at, **kwargs
        )

    # --- themes and committees ------------------------------------------------------------

    def build_themes(self) -> None:
        self.themes = {
            name: acc.do_create_theme(
                actor=self.secretariat, association=self.association, name=name
            )
            for name in TEXT["themes"]
        }
        self.committees = {
            key: acc.do_create_committee(
                actor=self.secretariat, association=self.association, name=name, email=email
            )
            for key, name, email in TEXT["committees"]
        }

    # --- meetings and motions ---------------------------------------------------------------

    def motions_of(self, meeting: Meeting, spec: dict) -> dict[str, Motion]:
        """Submit the meeting's motions, then give the board's pre-advice on each."""
        m = {}
        for key, s in spec["motions"].items():
            co = [self.members[i] for i in s.get("co_members", ())]
            co += [self.g4[i] for i in s.get("co_g4", ())]
            m[key] = self.motion(
                meeting,
                s["submitter"],
                s["title"],
                s["considerations"],
                s["request"],
                prose.local(s["submitted"]),
                co=co,
                item=s.get("item"),
            )
        for key, s in spec["motions"].items():
            self.advise(
                m[key], PreAdvice[s["pre_advice"]], s["reason"], prose.local(spec["advised"])
            )
        self.motions.update(m)
        return m

    def target(self, spec: dict) -> Commitment:
        """The commitment a step or report entry names: a motion's (part's), or a demand's."""
        if "demand" in spec:
            demands = Commitment.objects.filter(demand__proposal=self.resolution)
            return demands.order_by("demand__position")[spec["demand"] - 1]
        return self.commitment(self.motions[spec["commitment"]], spec.get("part"))

    def commitment(self, motion: Motion, part_label: str | None = None) -> Commitment:
        qs = Commitment.objects.filter(motion=motion)
        if part_label:
            qs = qs.filter(part__label=part_label)
        return qs.get()

    # --- Najaars-ALV 2025 ----------------------------------------------------------------------

    def build_autumn_2025(self) -> None:
        spec = TEXT["autumn_2025"]
        day = spec["day"]
        meeting = self.meeting(AUTUMN_2025, day)
        m = self.motions_of(meeting, spec)

        self.vote_motion(m["omgevingswet"], _at(day, 11, 5))
        at = _at(day, 11, 30)
        with _clock(at):
            voting.do_record_acclamation(
                actor=self.chair,
                meeting=meeting,
                motion=m["schulden"],
                subject=f"{m['schulden'].display_title}: {m['schulden'].title}",
                now=at,
            )
        a, b = acc.do_split_motion(
            actor=self.chair,
            motion=m["energie"],
            parts=acc.parse_parts(m["energie"].request),
        )
        self.vote(
            acc.do_create_part_poll(actor=self.chair, part=a),
            _at(day, 13, 45),
            {"for": 0.85, "against": 0.1, "abstain": 0.05},
        )
        self.vote(
            acc.do_create_part_poll(actor=self.chair, part=b),
            _at(day, 14, 0),
            {"for": 0.25, "against": 0.7, "abstain": 0.05},
        )
        poll = voting.do_create_poll(
            actor=self.chair, meeting=meeting, subject=Poll.Subject.PRE_ADVICE, motion=m["cyber"]
        )
        self.vote(poll, _at(day, 14, 20), {"for": 0.9, "against": 0.06, "abstain": 0.04})
        self.close(meeting, _at(day, 16, 30))

    def close(self, meeting: Meeting, at: datetime) -> None:
        # Who attended, before the register closes with the meeting (for the minutes).
        from besluit.demo.minutes import attend

        attend(meeting, actor=self.secretariat)
        with _clock(at):
            meetings.do_set_meeting_status(
                actor=self.secretariat, meeting=meeting, status=Meeting.Status.CLOSED
            )

    # --- Voorjaars-ALV 2026 ----------------------------------------------------------------------

    def build_spring_2026(self) -> None:
        spec = TEXT["spring_2026"]
        day = spec["day"]
        meeting = self.meeting(SPRING_2026, day)
        m = self.motions_of(meeting, spec)

        # The resolution, with its demands marked by the secretariat before the vote.
        item = meeting.agenda_items.get(number="07")
        proposal = proposals.do_set_proposal(
            actor=self.secretariat,
            agenda_item=item,
            title=spec["resolution_title"],
            text=RESOLUTION_TEXT,
        )
        for title, quote in DEMANDS:
            acc.do_mark_demand(
                actor=self.secretariat,
                proposal=proposal,
                title=title,
                quote=quote,
                now=prose.local(spec["demands_marked"]),
            )
        poll = voting.do_create_poll(
            actor=self.chair, meeting=meeting, subject=Poll.Subject.PROPOSAL, proposal=proposal
        )
        self.vote(poll, _at(day, 11, 10), {"for": 0.9, "against": 0.07, "abstain": 0.03})
        self.vote_motion(m["jeugd"], _at(day, 11, 40))
        for key, minute in (("statushouders", 5), ("personeel", 10)):
            at = _at(day, 12, minute)
            with _clock(at):
                voting.do_record_acclamation(
                    actor=self.chair,
                    meeting=meeting,
                    motion=m[key],
                    subject=f"{m[key].display_title}: {m[key].title}",
                    now=at,
                )
        self.resolution = proposal

        # The board's report on the motions of the autumn meeting, decided by acclamation.
        self.follow(TEXT["until_spring"])
        spring = TEXT["spring_report"]
        report, _ = self.report(meeting, spring["entries"], prose.local(spring["created"]))
        reports.do_publish_report(
            actor=self.secretariat, report=report, now=prose.local(spring["published"])
        )
        reports.do_decide_by_acclamation(
            actor=self.chair, report=report, now=prose.local(spring["decided"])
        )
        self.close(meeting, _at(day, 16, 30))

    # --- follow-up and reports ---------------------------------------------------------------

    def follow(self, steps: list[dict]) -> None:
        """Run the follow-up steps of verantwoording.toml, in order."""
        for step in steps:
            c, at = self.target(step), prose.local(step["at"])
            if step["step"] == "assign":
                self.assign(
                    c,
                    at,
                    theme=step["theme"],
                    committee=step["committee"],
                    owner=self.board if step.get("owner") == "board" else None,
                    due=step.get("due"),
                    interval=step.get("interval", 90),
                )
            elif step["step"] == "milestones":
                for title, planned in step["milestones"]:
                    acc.do_add_milestone(
                        actor=self.board, commitment=c, title=title, due_date=planned, now=at
                    )
            elif step["step"] == "milestone_done":
                acc.do_set_milestone_done(
                    actor=self.board,
                    milestone=c.milestones.get(position=step["position"]),
                    done_on=at.date(),
                    now=at,
                )
            else:
                extra = {k: step[k] for k in ("links", "progress") if k in step}
                if "status" in step:
                    extra["status"] = Status[step["status"]]
                self.update(c, at, step["done"], step.get("planned", ""), **extra)

    def report(self, meeting: Meeting, entries: list[dict], created: datetime):
        """A report on the entries' commitments, each with its texts and proposal."""
        chosen = [self.target(e) for e in entries]
        report = reports.do_create_report(
            actor=self.secretariat, meeting=meeting, commitments=chosen, now=created
        )
        texts = {c.pk: e for c, e in zip(chosen, entries, strict=True)}
        for entry in report.entries.all():
            e = texts[entry.commitment_id]
            reports.do_update_entry(
                actor=self.secretariat,
                entry=entry,
                actions_taken=e["taken"],
                actions_planned=e["planned"],
                proposal=P[e["proposal"]],
                now=created,
            )
        return report, chosen

    def build_autumn_2026_report(self) -> None:
        spec = TEXT["autumn_2026_report"]
        meeting = Meeting.objects.get(association=self.association, title=AUTUMN_2026)
        created = prose.local(spec["created"])
        report, chosen = self.report(meeting, spec["entries"], created)
        cluster = spec["cluster"]
        reports.do_add_cluster(
            actor=self.secretariat,
            report=report,
            title=cluster["title"],
            summary=cluster["summary"],
            entries=report.entries.filter(commitment__in=chosen[: cluster["entries"]]),
            now=created,
        )
        reports.do_publish_report(
            actor=self.secretariat, report=report, now=prose.local(spec["published"])
        )
        # Until the meeting the text can change: the conference was held, a new version.
        revision = spec["revision"]
        entry = report.entries.get(commitment=chosen[revision["entry"] - 1])
        reports.do_update_entry(
            actor=self.secretariat,
            entry=entry,
            actions_taken=entry.actions_taken + " " + revision["taken_added"],
            actions_planned=revision["planned"],
            proposal=P[revision["proposal"]],
            now=prose.local(spec["revised"]),
        )
        reports.do_publish_report(
            actor=self.secretariat, report=report, now=prose.local(spec["republished"])
        )


def load_accountability_demo(association: Association) -> bool:
    """Load the accountability demo into the demo association once; True if it loaded now."""
    if Meeting.objects.filter(association=association, title=AUTUMN_2025).exists():
        return False
    with transaction.atomic():
        _Loader(association).run()
    return True
