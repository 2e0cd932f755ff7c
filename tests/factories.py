"""Test data built through the services, the way a user would create it."""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from besluit.accounts.models import User
from besluit.associations import services as assoc
from besluit.associations.models import Association, Member, Role
from besluit.core import weights as core_weights
from besluit.meetings import services as meetings
from besluit.meetings.models import Meeting
from besluit.proposals import services as proposals
from besluit.voting import services as voting

AMS = ZoneInfo("Europe/Amsterdam")
PROVINCES = (
    "Groningen",
    "Fryslân",
    "Drenthe",
    "Overijssel",
    "Flevoland",
    "Gelderland",
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Zeeland",
    "Noord-Brabant",
    "Limburg",
)


def register_csv(n: int, *, seed: int = 1, reference_date: str = "2026-01-01") -> bytes:
    """A members register of ``n`` fictional municipalities as plain CSV."""
    rng = random.Random(seed)
    lines = ["gemeentecode,naam,provincie,inwoners,peildatum"]
    for i in range(n):
        inhabitants = int(min(930_000, max(1_000, rng.lognormvariate(10.6, 0.9))))
        province = PROVINCES[i % len(PROVINCES)]
        lines.append(
            f"GM{1000 + i:04d},Testgemeente {i:03d},{province},{inhabitants},{reference_date}"
        )
    return ("\n".join(lines) + "\n").encode()


def make_association(
    n_members: int = 12,
    *,
    slug: str = "vvg",
    rule: str = "brackets",
    networks: dict[str, list[int]] | None = None,
) -> Association:
    association = assoc.do_create_association(
        actor=None, name="Vereniging van Testgemeenten", slug=slug
    )
    assoc.do_import_members(actor=None, association=association, data=register_csv(n_members))
    brackets = core_weights.EXAMPLE_BRACKETS if rule == "brackets" else ()
    assoc.do_set_weight_rule(
        actor=None,
        association=association,
        valid_from=date(2000, 1, 1),
        kind=rule,
        brackets=brackets,
        per_inhabitants=Decimal(1000) if rule == "proportional" else Decimal(1),
        is_example=True,
    )
    members = list(association.members.order_by("code"))
    for code, indexes in (networks or {}).items():
        for i in indexes:
            current = [n.code for n in members[i].networks.all()]
            assoc.do_set_networks(actor=None, member=members[i], codes=[*current, code])
    return association


def make_user(
    username: str,
    association: Association,
    kind: str,
    *,
    member: Member | None = None,
    function: str = "",
    password: str = "correct horse battery",
) -> User:
    user = User.objects.create_user(username=username, password=password)
    assoc.do_assign_role(
        actor=None,
        user=user,
        association=association,
        kind=kind,
        member=member,
        function=function or ("mayor" if kind == Role.Kind.REPRESENTATIVE else ""),
    )
    return user


def make_reps(association: Association, count: int, prefix: str) -> list[User]:
    """``count`` representatives, the first of member 0, the next of member 1, ..."""
    return [
        make_user(
            f"{prefix}-{i}", association, Role.Kind.REPRESENTATIVE, member=member(association, i)
        )
        for i in range(count)
    ]


def member(association: Association, index: int = 0) -> Member:
    return association.members.order_by("code")[index]


def make_meeting(
    association: Association,
    *,
    kind: str = Meeting.Kind.ALV,
    starts_at: datetime | None = None,
    standard_agenda: bool = True,
) -> Meeting:
    starts_at = starts_at or datetime.now(AMS).replace(microsecond=0) + timedelta(days=30)
    return meetings.do_create_meeting(
        actor=None,
        association=association,
        kind=kind,
        title="Algemene Ledenvergadering",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=4)
        if kind != Meeting.Kind.WRITTEN
        else starts_at + timedelta(days=21),
        location="Jaarbeurs Utrecht",
        standard_agenda=standard_agenda,
    )


def make_proposal(meeting: Meeting, *, text: str = "De ALV besluit het fonds te herstellen."):
    item = meeting.agenda_items.get(number="07")
    return proposals.do_set_proposal(
        actor=None, agenda_item=item, title="Resolutie kabinetsformatie", text=text
    )


def open_poll(chair: User, meeting: Meeting, **kwargs):
    """A poll created and opened by the chair; a free choice between two places by default.

    A secret poll gets its meeting's trustees first (``trustees_for``): every secret
    poll is encrypted."""
    if "subject" not in kwargs:
        kwargs = {"subject": "free", "alternatives": ["Utrecht", "Zwolle"], **kwargs}
    kwargs.setdefault("title", "Keuze van de vergaderlocatie")
    if kwargs.get("is_secret"):
        trustees_for(chair, meeting)
    poll = voting.do_create_poll(actor=chair, meeting=meeting, **kwargs)
    return voting.do_open_poll(actor=chair, poll=poll)


# The trustees' devices of each election made here (their secrets), by its public id.
KEEPERS: dict = {}


def trustees_for(chair: User, meeting: Meeting, *, count: int = 3, threshold: int = 2):
    """The meeting's finished trustee ceremony (made once): the chair and ``count - 1``
    users without a role, each doing in Python what trustee.js does in their browser.
    Returns the election; its trustees' secrets are in ``KEEPERS``."""
    from besluit.voting.models import Election
    from tests.voting import sealedkit

    election = Election.objects.filter(meeting=meeting).first()
    if election is not None:
        return election
    users = [chair] + [
        User.objects.create_user(username=f"trustee-{meeting.pk}-{i}", first_name=f"Trustee {i}")
        for i in range(2, count + 1)
    ]
    election, keepers = sealedkit.ceremony(chair, meeting, users, threshold)
    KEEPERS[election.public_id] = keepers
    return election


def sealed_vote(poll, user: User, option_key: str, *, member: Member | None = None, key=None):
    """What the vote page's script does: encrypt the choice with its proofs and send it.
    Returns the SealedReceipt (or raises the refusal)."""
    from besluit.voting.models import Poll
    from tests.voting import sealedkit

    poll = Poll.objects.select_related("election", "meeting__association").get(pk=poll.pk)
    member = (
        member
        or user.roles.filter(association=poll.meeting.association, member__isnull=False)
        .first()
        .member
    )
    keys = list(poll.options.values_list("key", flat=True))
    return sealedkit.vote(poll, user, member, keys.index(option_key), key)


def decrypt(poll, *, trustees: int | None = None):
    """The first k (or ``trustees``) trustees send their decryption shares; returns the poll."""
    from besluit.voting import trustees as trustee_services
    from besluit.voting.models import Poll

    poll = Poll.objects.select_related("election", "meeting").get(pk=poll.pk)
    keepers = KEEPERS[poll.election.public_id]
    for keeper in keepers[: trustees or poll.election.threshold]:
        weights, counts = keeper.tally_share(poll)
        poll = trustee_services.do_submit_tally_share(
            actor=keeper.user, poll=poll, weights=weights, counts=counts
        )
    return poll


def close_secret(chair: User, poll):
    """Close a secret poll and let k trustees decrypt it: the decided poll."""
    voting.do_close_poll(actor=chair, poll=poll)
    return decrypt(poll)
