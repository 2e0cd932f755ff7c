"""Demo data for the attendance register and the minutes of the two earlier meetings.

- ``attend(meeting, ...)``, called before such a meeting closes: every member that voted is
  checked in before the start, except a few who arrive during the morning; two leave in
  the afternoon; three members that did not vote gave a proxy (approved) to a member
  present. So the minutes have attendance and proxies to state.
- ``load_minutes_demo(association)``, after the meetings: the minutes of the Najaars-ALV 2025
  made from its record, published as a concept and adopted by the Voorjaars-ALV 2026 under
  its item 04 (adopted minutes are public); the minutes of the Voorjaars-ALV 2026 made,
  edited with a summary of the debate and published as a concept, linked from the item
  "Vaststelling notulen vorige vergadering" of the Najaars-ALV 2026, with one member's
  correction proposed.

Everything goes through the services, at the dates it would have happened (``_clock`` for
the services that have no ``now``). The words are the association's own (Dutch), fictional.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from besluit.accounts.models import User
from besluit.associations.models import Association, Member, Role
from besluit.attendance import services as attendance
from besluit.core import texts as ct
from besluit.demo.accountability import AUTUMN_2025, SPRING_2026, _at, _clock
from besluit.meetings.models import Meeting
from besluit.minutes import services as minutes
from besluit.voting.models import Ballot

LATE, LEAVING, PROXIES = 3, 2, 3

SUMMARY = (
    "De voorzitter opent de vergadering om tien uur en heet de aanwezigen welkom. "
    "Bij de bespreking van de Voorjaarsnota vragen verschillende leden aandacht voor de "
    "uitvoeringskracht van kleine gemeenten; het bestuur zegt toe daarop in de "
    "voortgangsrapportage terug te komen."
)
CORRECTION_REASON = "De vergadering werd om vijf over tien geopend, niet om tien uur."


def attend(meeting: Meeting, *, actor: User) -> None:
    """Check in the meeting's voters (a few late, two leaving early) and register three
    approved proxies of members that did not vote."""
    start = meeting.starts_at
    # Each member's first and last ballot in the order they were cast: by time, and within
    # a batch (ballots of one minute share its time, demo.ballots) by their place in the log.
    spans: dict[int, list[tuple[datetime, int]]] = {}  # member -> [(time, turn) first, last]
    cast = (
        Ballot.objects.filter(poll__meeting=meeting)
        .order_by("cast_at", "log_index", "pk")
        .values_list("member", "cast_at")
    )
    for turn, (member, at) in enumerate(cast):
        spans.setdefault(member, [(at, turn), (at, turn)])[1] = (at, turn)
    members = {m.pk: m for m in Member.objects.filter(pk__in=spans)}
    by_first = sorted(spans, key=lambda pk: (spans[pk][0], pk))
    late = set(by_first[-LATE:])  # the last to vote came late, before their first ballot
    leaving = sorted((pk for pk in spans if pk not in late), key=lambda pk: (spans[pk][1], pk))[
        :LEAVING
    ]
    for pk in sorted(spans):
        arrives = (
            spans[pk][0][0] - timedelta(minutes=10) if pk in late else start - timedelta(minutes=20)
        )
        attendance.do_check_in(actor=actor, meeting=meeting, member=members[pk], now=arrives)
    for pk in leaving:
        attendance.do_check_out(
            actor=actor,
            meeting=meeting,
            member=members[pk],
            now=spans[pk][1][0] + timedelta(minutes=20),
        )
    absent = meeting.association.members.exclude(pk__in=spans).order_by("name")[:PROXIES]
    holders = [members[pk] for pk in sorted(spans) if pk not in late and pk not in leaving]
    for grantor, holder in zip(absent, holders, strict=False):
        attendance.do_request_proxy(
            actor=actor,
            meeting=meeting,
            grantor=grantor,
            holder=holder,
            approve=True,
            now=start - timedelta(minutes=5),
        )


def _member_user(association: Association) -> User:
    """A demo representative who can log in (for the correction)."""
    role = (
        Role.objects.filter(
            association=association, kind=Role.Kind.REPRESENTATIVE, user__is_active=True
        )
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    return role.user


def load_minutes_demo(association: Association) -> None:
    secretariat = User.objects.get(username="secretariaat")
    chair = User.objects.get(username="voorzitter")
    autumn = Meeting.objects.get(association=association, title=AUTUMN_2025)
    spring = Meeting.objects.get(association=association, title=SPRING_2026)

    # The Najaars-ALV 2025: made a week after, published, adopted in June.
    _publish_draft(autumn, secretariat, _day_after(autumn, 7), summary="")
    record = autumn.minutes
    record.refresh_from_db()
    minutes.do_adopt(actor=chair, minutes=record, now=_at(spring.starts_at.date(), 10, 12))

    # The Voorjaars-ALV 2026: a concept for the Najaars-ALV 2026, with a correction.
    _publish_draft(spring, secretariat, _day_after(spring, 10), summary=SUMMARY)
    record = spring.minutes
    record.refresh_from_db()
    concept = minutes.latest_published(record)
    member = _member_user(association)
    text = ct.to_markdown(concept.document).replace(
        "De voorzitter opent de vergadering om tien uur",
        "De voorzitter opent de vergadering om vijf over tien",
    )
    with _clock(_day_after(spring, 20)):
        minutes.do_propose_correction(
            actor=member, minutes=record, markdown=text, reason=CORRECTION_REASON
        )


def _day_after(meeting: Meeting, days: int) -> datetime:
    return _at(meeting.starts_at.date() + timedelta(days=days), 9, 30)


def _publish_draft(meeting: Meeting, secretariat: User, at: datetime, *, summary: str) -> None:
    with _clock(at):
        version = minutes.do_make_draft(actor=secretariat, meeting=meeting)
        if summary:
            markdown = _with_summary(ct.to_markdown(version.document), summary)
            minutes.do_edit(
                actor=secretariat,
                minutes=version.minutes,
                markdown=markdown,
                summary="Samenvatting van de bespreking toegevoegd.",
            )
        minutes.do_publish(actor=secretariat, minutes=version.minutes, now=at)


def _with_summary(markdown: str, summary: str) -> str:
    """The secretariat's summary after the meeting's opening lines (before the first item)."""
    blocks = markdown.split("\n\n")
    first_item = next(
        (i for i, b in enumerate(blocks) if b.startswith("## ") and "Aanwezigheid" not in b),
        len(blocks),
    )
    return "\n\n".join([*blocks[:first_item], summary, *blocks[first_item:]])
