"""Demo data: two fictional associations, a Najaars-ALV in session and a written consultation.

Everything is built through the services, the way the secretariat, the chair
and the representatives would build it in the application; only the hidden
"demo voter" accounts (one per member, so that a few hundred members can cast
a ballot) are bulk-created, because the services have no bulk path for people.

The data is deterministic (fixed random seed). The content is in Dutch: it is
the association's own words, not interface text. All municipalities, people
and figures are fictional; the weight table is core.weights' example table,
not real statutes. The register and the people are made in ``register`` (pure),
the meetings in ``alv``; the words are in ``content/`` (read by ``prose``). This
module loads the associations and the people, then the meetings.

Dates. The Najaars-ALV is in session on the day the demo is loaded (its content was
written for 10 December 2026; ``alv.DemoClock`` moves it): amendments and motions are
submitted before its deadline (passed to the services as ``now``), and the ALV's
polls and ballots carry the times of that morning, all before the moment of loading.
The written consultation runs from 16 November to 7 December 2026;
its poll must stay open whenever the demo is started, so it closes at the end
of that window or two weeks after loading, whichever is later.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.db import transaction

from besluit.accounts.models import User
from besluit.associations import services as assoc
from besluit.associations.models import Association, Member, Role
from besluit.audit.services import record
from besluit.core import weights as core_weights
from besluit.demo.alv import MeetingBuilder
from besluit.demo.register import (
    DEPARTMENT_NAME,
    DEPARTMENT_PROVINCE,
    DEPARTMENT_SHORT_NAME,
    DEPARTMENT_SLUG,
    FUNCTION_WORD,
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

# --- loading ------------------------------------------------------------------------


class _Loader(MeetingBuilder):
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


def load_demo(*, stdout: TextIO | None = None) -> list[DemoAccount]:
    """Load the demo data once; return the demo accounts (also if it was there already).

    ``stdout``, when given, receives a line per step.
    """
    if Association.objects.filter(slug=SLUG).exists():
        return demo_accounts()
    with transaction.atomic():
        _Loader(stdout).run()
        # The proxy rule first: the earlier meetings record their attendance and proxies.
        from besluit.demo.attendance import load_attendance_demo

        load_attendance_demo(Association.objects.get(slug=SLUG))
        # Earlier meetings' motions and their follow-up (commitments, a report).
        from besluit.demo.accountability import load_accountability_demo

        load_accountability_demo(Association.objects.get(slug=SLUG))
        # Their minutes: one adopted (public), one a concept for the meeting in session.
        from besluit.demo.minutes import load_minutes_demo

        load_minutes_demo(Association.objects.get(slug=SLUG))
        # The board, a committee, the seats held and the elections at the Najaars-ALV.
        from besluit.demo.elections import load_elections_demo

        load_elections_demo(Association.objects.get(slug=SLUG))
    return demo_accounts()
