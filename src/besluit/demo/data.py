"""Demo data: two fictional associations, a Najaars-ALV in session and a written consultation.

Everything is built through the services, the way the secretariat, the chair
and the representatives would build it in the application; only the hidden
"demo voter" accounts (one per member, so that a few hundred members can cast
a ballot) are bulk-created, because the services have no bulk path for people.

The data is deterministic (fixed random seed). The content is in Dutch: it is
the association's own words, not interface text. All municipalities, people
and figures are fictional; the weight table is core.weights' example table,
not real statutes. The register and the people are made in ``register`` (pure);
the words are in ``content/`` (read by ``prose``); this module loads them.

Dates. The meeting lies on 10 December 2026; amendments and motions are
submitted on dates before its deadline (passed to the services as ``now``), and
the ALV's polls carry the times of the meeting's morning, as if the meeting is
in session. The written consultation runs from 16 November to 7 December 2026;
its poll must stay open whenever the demo is started, so it closes at the end
of that window or two weeks after loading, whichever is later.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from besluit.accounts.models import User
from besluit.associations import services as assoc
from besluit.associations.models import Association, Member, Role
from besluit.audit.services import record
from besluit.core import weights as core_weights
from besluit.demo import prose
from besluit.demo.register import (
    AMS,
    DEPARTMENT_NAME,
    DEPARTMENT_PROVINCE,
    DEPARTMENT_SHORT_NAME,
    DEPARTMENT_SLUG,
    FUNCTION_WORD,
    G4,
    NAME,
    PASSWORD,
    REFERENCE_DATE,
    RULE_LABEL,
    RULE_VALID_FROM,
    SEED,
    SHORT_NAME,
    SLUG,
    DemoAccount,
    DemoMember,
    demo_accounts,
    demo_cast,
    demo_members,
    demo_people,
    register_csv,
)
from besluit.meetings import services as meetings
from besluit.meetings.models import Meeting
from besluit.proposals import services as proposals
from besluit.proposals.models import PreAdvice
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


MEETING_DAY = date(2026, 12, 10)
CAO_OPENS = _at(date(2026, 11, 16), 9)
CAO_CLOSES = _at(date(2026, 12, 7), 17)


class _Loader:
    def __init__(self, stdout: TextIO | None) -> None:
        self.stdout = stdout
        self.rng = random.Random(SEED + 1)
        self.members = demo_members()
        self.cast = demo_cast(self.members)
        self.people = demo_people(self.cast)
        self.associations: dict[str, Association] = {}
        self.users: dict[str, User] = {}
        self.db_members: dict[str, Member] = {}  # VVVG members by code
        self.voters: dict[str, User] = {}  # member code -> the user who votes for it
        self.hidden: dict[str, User] = {}  # member code -> its hidden demo voter

    def say(self, text: str) -> None:
        if self.stdout is not None:
            self.stdout.write(text + "\n")

    def run(self) -> None:
        self.build_associations()
        self.build_people()
        self.build_meeting()
        self.build_consultation()
        self.build_department_meeting()

    # associations, members, networks, weights

    def build_associations(self) -> None:
        vvvg = assoc.do_create_association(actor=None, name=NAME, slug=SLUG, short_name=SHORT_NAME)
        vzvg = assoc.do_create_association(
            actor=None,
            name=DEPARTMENT_NAME,
            slug=DEPARTMENT_SLUG,
            short_name=DEPARTMENT_SHORT_NAME,
        )
        self.associations = {SLUG: vvvg, DEPARTMENT_SLUG: vzvg}
        assoc.do_import_members(
            actor=None,
            association=vvvg,
            data=register_csv(self.members),
            reference_date=REFERENCE_DATE,
        )
        zeeland = [m for m in self.members if m.province == DEPARTMENT_PROVINCE]
        assoc.do_import_members(
            actor=None,
            association=vzvg,
            data=register_csv(zeeland),
            reference_date=REFERENCE_DATE,
        )
        self.say(f"{len(self.members)} + {len(zeeland)} members imported")

        self.db_members = {m.code: m for m in vvvg.members.all()}
        for m in self.members:
            if m.networks:
                assoc.do_set_networks(actor=None, member=self.db_members[m.code], codes=m.networks)
        assoc.do_set_weight_rule(
            actor=None,
            association=vvvg,
            valid_from=RULE_VALID_FROM,
            kind=core_weights.RuleKind.BRACKETS,
            brackets=core_weights.EXAMPLE_BRACKETS,
            label=RULE_LABEL,
            is_example=True,
        )
        assoc.do_set_weight_rule(
            actor=None,
            association=vzvg,
            valid_from=RULE_VALID_FROM,
            kind=core_weights.RuleKind.PROPORTIONAL,
            per_inhabitants=Decimal(1000),
            decimals=2,
            label="Evenredig: één stem per 1.000 inwoners (voorbeeld, geen echte statuten)",
            is_example=True,
        )

    # people

    def build_people(self) -> None:
        # One hash for every demo account: Argon2 is slow on purpose, and these
        # accounts share one published password anyway.
        encoded = make_password(PASSWORD)
        for person in self.people:
            user, _ = User.objects.update_or_create(
                username=person.username,
                defaults={
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "email": f"{person.username}@voorbeeld.invalid",
                    "password": encoded,
                },
            )
            self.users[person.username] = user
            for spec in person.roles:
                association = self.associations[spec.association]
                member = (
                    association.members.get(code=spec.member_code) if spec.member_code else None
                )
                assoc.do_assign_role(
                    actor=None,
                    user=user,
                    association=association,
                    kind=spec.kind,
                    member=member,
                    function=spec.function,
                )
                if spec.association == SLUG and member is not None:
                    self.voters.setdefault(member.code, user)
        self._build_hidden_voters()
        self.say(f"{len(self.people)} demo accounts, {len(self.hidden)} hidden voters")

    def _build_hidden_voters(self) -> None:
        """One inactive helper account per member without a demo representative.

        They exist so that a few hundred members can vote in the demo polls.
        They cannot log in (inactive, unusable password). Bulk-created: the
        services create people one at a time, which is too slow for 336.
        """
        vvvg = self.associations[SLUG]
        codes = [m.code for m in self.members if m.code not in self.voters]
        usernames = {f"stem-{code.lower()}": code for code in codes}
        existing = set(
            User.objects.filter(username__in=usernames).values_list("username", flat=True)
        )
        unusable = make_password(None)
        User.objects.bulk_create(
            User(
                username=username,
                first_name="Demostemmer",
                last_name=usernames[username],
                password=unusable,
                is_active=False,
            )
            for username in usernames
            if username not in existing
        )
        users = {u.username: u for u in User.objects.filter(username__in=usernames)}
        Role.objects.bulk_create(
            Role(
                user=users[username],
                association=vvvg,
                kind=Role.Kind.REPRESENTATIVE,
                member=self.db_members[code],
                function=Role.Function.SECRETARY,
            )
            for username, code in usernames.items()
        )
        record("demo.voters_created", association=vvvg, count=len(usernames))
        self.hidden = {code: users[username] for username, code in usernames.items()}
        self.voters.update(self.hidden)

    def user(self, member: DemoMember) -> User:
        return self.users[f"{FUNCTION_WORD[self._function_of(member)]}-{member.slug}"]

    def _function_of(self, member: DemoMember) -> str:
        for person in self.people:
            for spec in person.roles:
                if spec.association == SLUG and spec.member_code == member.code:
                    return spec.function
        raise KeyError(member.code)

    # the Najaars-ALV

    def build_meeting(self) -> None:
        vvvg = self.associations[SLUG]
        secretariat = self.users["secretariaat"]
        chair = self.users["voorzitter"]
        board = self.users["bestuur"]
        cast = self.cast
        meeting = meetings.do_create_meeting(
            actor=secretariat,
            association=vvvg,
            kind=Meeting.Kind.ALV,
            title=_ALV["meeting"]["title"],
            starts_at=_at(MEETING_DAY, 10),
            ends_at=_at(MEETING_DAY, 16, 30),
            location=_ALV["meeting"]["location"],
            is_digital=True,
            convocation_date=_ALV["meeting"]["convocation_date"],
        )
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
        meetings.do_set_meeting_status(
            actor=secretariat, meeting=meeting, status=Meeting.Status.CONVENED
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
                now=prose.local(a["submitted"]),
            )
        housing = amendments["housing"]
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
                now=prose.local(mo["submitted"]),
            )
        for key, mo in _ALV["motions"].items():
            proposals.do_set_pre_advice(
                actor=board,
                submission=motions[key],
                advice=PreAdvice[mo["pre_advice"]],
                reason=mo["pre_advice_reason"],
            )
        self.say("meeting, agenda, resolution, 2 amendments, 3 motions")

        # The meeting in session: acclamations, a decided vote, a vote still open.
        for a in _ALV["acclamations"]:
            voting.do_record_acclamation(
                actor=chair,
                meeting=meeting,
                agenda_item=items[a["agenda_item"]],
                subject=a["subject"],
                text=a["text"],
                now=prose.local(a["at"]),
            )

        poll = voting.do_create_poll(
            actor=chair,
            meeting=meeting,
            subject=Poll.Subject.AMENDMENT,
            amendment=housing,
            question=_ALV["questions"]["housing"],
        )
        voting.do_open_poll(actor=chair, poll=poll, now=_at(MEETING_DAY, 10, 41))
        voters = self._closed_poll_voters()
        self._vote(poll, voters, _at(MEETING_DAY, 10, 42), self._housing_choice)
        voting.do_close_poll(actor=chair, poll=poll, now=_at(MEETING_DAY, 10, 55))

        poll = voting.do_create_poll(
            actor=chair,
            meeting=meeting,
            subject=Poll.Subject.MOTION,
            motion=motions["youth"],
            question=_ALV["questions"]["youth"],
        )
        voting.do_open_poll(actor=chair, poll=poll, now=_at(MEETING_DAY, 11, 20))
        # Only hidden voters: the demo representatives can still vote here.
        voters = self.rng.sample(sorted(self.hidden), 120)
        self._vote(poll, voters, _at(MEETING_DAY, 11, 21), self._youth_choice)
        self.say("2 acclamations, 1 closed poll, 1 open poll")

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
        by_code = {m.code: m for m in self.members}
        step = spread / max(1, len(codes))
        for i, code in enumerate(codes):
            voting.cast_ballot(
                actor=self.voters[code],
                poll=poll,
                option_key=choose(by_code[code]),
                now=start + step * i,
            )

    def _pick(self, weights: dict[str, float]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _housing_choice(self, member: DemoMember) -> str:
        # The cities want affordable housing written down; rural members less so.
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


def load_demo(*, stdout: TextIO | None = None) -> list[DemoAccount]:
    """Load the demo data once; return the demo accounts (also if it was there already).

    ``stdout``, when given, receives a line per step.
    """
    if Association.objects.filter(slug=SLUG).exists():
        return demo_accounts()
    with transaction.atomic():
        _Loader(stdout).run()
        # Earlier meetings' motions and their follow-up (commitments, a report).
        from besluit.demo.accountability import load_accountability_demo

        load_accountability_demo(Association.objects.get(slug=SLUG))
    return demo_accounts()
