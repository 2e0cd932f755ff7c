"""Read queries for the web pages (associations and meetings). Nothing here writes."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Value,
)
from django.utils import timezone

from besluit.associations.models import Association, Member, Role, WeightRule
from besluit.associations.selectors import WeightedMember, members_register
from besluit.meetings.models import AgendaItem, Meeting
from besluit.proposals.models import Amendment, Motion
from besluit.voting.models import Ballot, Decision, Poll, RegisterEntry

# --- associations ---------------------------------------------------------


def associations_of(user):
    """The associations a user has a role in (a superuser: all of them)."""
    if not getattr(user, "is_authenticated", False):
        return Association.objects.none()
    if user.is_superuser:
        return Association.objects.order_by("name")
    return Association.objects.filter(roles__user=user).distinct().order_by("name")


def register(association: Association, day: date) -> tuple[list[WeightedMember], bool]:
    """The weighted register on ``day``, and whether a weight rule was in force
    (associations.selectors.members_register)."""
    return members_register(association, day)


@dataclass(frozen=True)
class ProvinceCount:
    province: str
    members: int
    inhabitants: int
    weight: Decimal
    share: Decimal


def province_counts(rows: list[WeightedMember]) -> list[ProvinceCount]:
    members: Counter[str] = Counter()
    inhabitants: Counter[str] = Counter()
    weights: dict[str, Decimal] = {}
    for row in rows:
        province = row.member.province
        members[province] += 1
        inhabitants[province] += row.inhabitants or 0
        weights[province] = weights.get(province, Decimal(0)) + row.weight
    total = sum(weights.values(), Decimal(0))
    return [
        ProvinceCount(
            province=p,
            members=members[p],
            inhabitants=inhabitants[p],
            weight=weights[p],
            share=weights[p] / total if total else Decimal(0),
        )
        for p in sorted(members)
    ]


@dataclass(frozen=True)
class WeightBand:
    weight: Decimal
    members: int
    total: Decimal
    share: Decimal


def weight_distribution(rows: list[WeightedMember]) -> list[WeightBand]:
    """How many eligible members carry each weight, smallest weight first."""
    counts: Counter[Decimal] = Counter(r.weight.normalize() for r in rows if r.eligible)
    grand = sum((w * n for w, n in counts.items()), Decimal(0))
    return [
        WeightBand(weight=w, members=n, total=w * n, share=(w * n / grand) if grand else Decimal(0))
        for w, n in sorted(counts.items())
    ]


def weight_rules(association: Association):
    return WeightRule.objects.filter(association=association).order_by("-valid_from")


def people(association: Association):
    """The roles of people; the accounts of voting codes are not people (accounts.codes)."""
    return (
        Role.objects.filter(association=association, user__code_meeting__isnull=True)
        .select_related("user", "member", "sso_grant")  # sso_grant: given by single sign-on
        .order_by("user__last_name", "user__first_name", "user__username", "kind")
    )


def representatives(member: Member):
    return (
        Role.objects.filter(
            member=member, kind=Role.Kind.REPRESENTATIVE, user__code_meeting__isnull=True
        )
        .select_related("user")
        .order_by("user__last_name", "user__username")
    )


# --- meetings ---------------------------------------------------------------


def upcoming_meetings(association: Association, now: datetime | None = None, limit=None):
    """Meetings not closed that have not ended yet, soonest first."""
    now = now or timezone.now()
    qs = (
        Meeting.objects.filter(association=association)
        .exclude(status=Meeting.Status.CLOSED)
        .filter(
            Q(ends_at__gte=now) | Q(ends_at__isnull=True, starts_at__gte=now - timedelta(hours=12))
        )
        .order_by("starts_at")
    )
    return qs[:limit] if limit else qs


def is_today(meeting: Meeting, now: datetime | None = None) -> bool:
    """Whether the meeting runs today (it starts or ends today, or spans today)."""
    today = timezone.localdate(now or timezone.now())
    first = timezone.localdate(meeting.starts_at)
    last = timezone.localdate(meeting.ends_at) if meeting.ends_at else first
    return first <= today <= last


def is_live(meeting: Meeting) -> bool:
    """A meeting held live (not a written consultation) that is not closed: its live
    pages (console, projector, participant view, voting codes) are the way in."""
    return meeting.kind != Meeting.Kind.WRITTEN and meeting.status != Meeting.Status.CLOSED


def meetings_today(association: Association, now: datetime | None = None) -> list[Meeting]:
    """Live meetings running today, or in progress whatever their dates: shown first."""
    now = now or timezone.now()
    candidates = Meeting.objects.filter(association=association).exclude(
        status=Meeting.Status.CLOSED
    )
    candidates = candidates.filter(
        Q(status=Meeting.Status.IN_PROGRESS)
        | Q(starts_at__lt=now + timedelta(days=1), starts_at__gte=now - timedelta(days=3))
    ).order_by("starts_at")
    return [
        m
        for m in candidates
        if is_live(m) and (is_today(m, now) or m.status == Meeting.Status.IN_PROGRESS)
    ]


def past_meetings(association: Association, now: datetime | None = None):
    now = now or timezone.now()
    upcoming = upcoming_meetings(association, now).values("pk")
    return (
        Meeting.objects.filter(association=association)
        .exclude(pk__in=upcoming)
        .order_by("-starts_at")
    )


def open_polls(association: Association, member: Member | None):
    """Open polls of the association; ``can_vote``: the member is registered and has not voted."""
    qs = (
        Poll.objects.filter(meeting__association=association, status=Poll.Status.OPEN)
        .select_related("meeting")
        .order_by("closes_at", "opened_at")
    )
    if member is None:
        return qs.annotate(can_vote=Value(False, output_field=BooleanField()))
    return qs.annotate(
        # On the register and not represented by a proxy holder (who votes for it).
        in_register=Exists(
            RegisterEntry.objects.filter(
                poll=OuterRef("pk"), member=member, represented_by__isnull=True
            )
        ),
        has_voted=Exists(Ballot.objects.filter(poll=OuterRef("pk"), member=member)),
    ).annotate(
        can_vote=ExpressionWrapper(
            Q(in_register=True) & Q(has_voted=False), output_field=BooleanField()
        )
    )


def recent_decisions(association: Association, limit: int = 5):
    return (
        Decision.objects.filter(meeting__association=association)
        .select_related("meeting", "agenda_item")
        .order_by("-recorded_at", "-id")[:limit]
    )


def agenda(meeting: Meeting):
    """The agenda items with their counts of motions and amendments."""
    return (
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("proposal")
        .annotate(
            motion_count=Count("motions", distinct=True),
            amendment_count=Count("proposal__amendments", distinct=True),
            attachment_count=Count("attachments", distinct=True),
        )
        .order_by("position")
    )


def motions(meeting: Meeting, agenda_item: AgendaItem | None = None):
    qs = (
        Motion.objects.filter(meeting=meeting)
        .select_related("submitter", "agenda_item")
        .prefetch_related("co_submitters")
        .order_by("number")
    )
    return qs.filter(agenda_item=agenda_item) if agenda_item is not None else qs


def amendments(meeting: Meeting, agenda_item: AgendaItem | None = None):
    qs = (
        Amendment.objects.filter(proposal__agenda_item__meeting=meeting)
        .select_related("submitter", "proposal__agenda_item")
        .prefetch_related("co_submitters")
        .order_by("proposal__agenda_item__position", "number")
    )
    return qs.filter(proposal__agenda_item=agenda_item) if agenda_item is not None else qs


def polls(meeting: Meeting):
    return Poll.objects.filter(meeting=meeting).order_by("created_at")
