"""The demo's elections: the board and a committee, the seats held now, an election of
board members at the Najaars-ALV ready for the chair to open, and a committee chair
elected unopposed. Every name is fictional."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from besluit.associations.models import Association, Role
from besluit.elections import services as el
from besluit.elections.models import Membership
from besluit.meetings.models import Meeting

AMS = ZoneInfo("Europe/Amsterdam")

SITTING = (
    ("E. (Els) van Dam", "burgemeester"),
    ("R. (Ruud) Kramer", "wethouder"),
    ("S. (Sanne) de Lange", "wethouder"),
)
BOARD_CANDIDATES = (
    ("M. (Mirjam) Visser", "burgemeester", "Ik wil dat kleine en grote gemeenten samen optrekken."),
    ("J. (Jeroen) Bakker", "wethouder", "Financiële ruimte voor gemeenten is mijn eerste zorg."),
    ("A. (Aylin) Demir", "wethouder", "Jeugdzorg en wonen verdienen een sterke stem."),
)
MEMBER_CANDIDATES = (
    ("P. (Pieter) Hoekstra", "raadslid", "Een bestuur dat luistert naar de raden."),
    ("L. (Lotte) Smit", "burgemeester", "Digitale dienstverlening, samen georganiseerd."),
)


def load_elections_demo(association: Association) -> None:
    secretariat = association.roles.filter(kind=Role.Kind.SECRETARIAT).first().user
    chair = association.roles.filter(kind=Role.Kind.CHAIR).first().user
    board_user = association.roles.filter(kind=Role.Kind.BOARD).first().user
    reps = list(
        association.roles.filter(kind=Role.Kind.REPRESENTATIVE, user__is_active=True)
        .select_related("user", "member")
        .order_by("user__username")[:2]
    )
    meeting = (
        Meeting.objects.filter(association=association, kind=Meeting.Kind.ALV)
        .order_by("-starts_at")
        .first()
    )
    board = el.do_create_body(
        actor=secretariat, association=association, kind="board", name="Bestuur"
    )
    committee = el.do_create_body(
        actor=secretariat, association=association, kind="committee", name="Commissie Financiën"
    )
    for name, function in SITTING:
        Membership.objects.create(
            body=board,
            name=name,
            function=function,
            starts_on=date(2023, 1, 1),
            ends_on=date(2026, 12, 31),
        )
    deadline = datetime(2026, 11, 27, 12, 0, tzinfo=AMS)
    before = deadline - timedelta(days=7)
    election = el.do_create_election(
        actor=chair,
        meeting=meeting,
        body=board,
        title="Verkiezing bestuursleden 2027–2030",
        seats=3,
        term_starts=date(2027, 1, 1),
        term_ends=date(2030, 12, 31),
        method="ranked",
        nomination_deadline=deadline,
        who_may_stand="Burgemeesters, wethouders en raadsleden van leden.",
    )
    nominations = [
        el.do_nominate(
            actor=board_user,
            election=election,
            name=name,
            function=function,
            statement=statement,
            by_board=True,
            now=before,
        )
        for name, function, statement in BOARD_CANDIDATES
    ]
    for rep, (name, function, statement) in zip(reps, MEMBER_CANDIDATES, strict=False):
        nominations.append(
            el.do_nominate(
                actor=rep.user,
                election=election,
                name=name,
                function=f"{function} van {rep.member.name}",
                member=rep.member,
                statement=statement,
                now=before,
            )
        )
    for candidacy in nominations:
        el.do_consent(actor=secretariat, candidacy=candidacy, accept=True, now=before)
    chair_election = el.do_create_election(
        actor=chair,
        meeting=meeting,
        body=committee,
        title="Voorzitter Commissie Financiën",
        seats=1,
        term_starts=date(2027, 1, 1),
        term_ends=date(2028, 12, 31),
        method="two_round",
        nomination_deadline=deadline,
    )
    only = el.do_nominate(
        actor=board_user,
        election=chair_election,
        name="H. (Hans) Mulder",
        function="wethouder",
        by_board=True,
        now=before,
    )
    el.do_consent(actor=secretariat, candidacy=only, accept=True, now=before)
    el.do_declare_unopposed(actor=chair, election=chair_election)
