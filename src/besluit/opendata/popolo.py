"""Open data in Popolo (https://www.popoloproject.com/): what was proposed and how it was decided.

One export (``export()``) covers an association, or one of its meetings, and holds:

- ``organizations``: the association and its members (voter = the member organisation,
  id = its code, e.g. the CBS code ``GM0363``);
- ``events``: meetings (``legislative_session``) and their agenda items (child events);
  a meeting's ``attendance`` lists its members present or represented by proxy (with
  the member that voted for it), never a person's name;
- ``motions``: motions, amendments and proposals, and for polls on something else
  (a pre-advice, an agenda item's requested decision, a free question) the question
  put to the vote;
- ``vote_events``: one per closed poll, with ``result`` (``pass``/``fail``),
  ``counts``, ``requirement`` (the majority rule in words) and, for named polls only,
  ``votes`` (every member on the poll's register with its weight, ``absent`` when it
  did not vote; ``proxy_id`` names the member whose representatives cast it by proxy,
  ``paper`` says it was handed in on paper) and ``group_results`` per province and
  network; ``proxy_ballots`` and ``paper_ballots`` count those ballots, secret polls too.

Weights. Popolo's ``count.value`` is an integer ("the number of votes"), so it holds
the number of members; the weighted votes are in the extension property
``count.weight`` (a JSON number, exact to the 6 decimals weights are stored with),
next to ``count.share`` (the fraction of the weighted votes cast, a decimal string
equal to the results API's ``share``). ``vote.weight`` is
Popolo's own field. Extension properties are listed in docs/open-data.md.

Secret polls publish their totals (counts and turnout) and nothing else: no votes, no
group results, no list of who took part.

Only what is public is exported: meetings that are convened (not drafts), their
agenda, submissions and proposals, and polls that are closed. The numbers come from
the result stored when the poll closed, the same one the results page shows.
"""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from besluit import __version__
from besluit.associations.models import Association, Member
from besluit.attendance.opendata import attendance as meeting_attendance
from besluit.core import voting as core
from besluit.meetings.models import AgendaItem, Meeting
from besluit.opendata import elections as election_data
from besluit.proposals.models import Amendment, Motion, Proposal, SubmissionStatus
from besluit.voting.models import Ballot, Poll, RegisterEntry

# Our option keys as Popolo options; alternatives keep their own key ("option-1").
POPOLO_OPTION = {"for": "yes", "against": "no", "abstain": "abstain"}
NOT_VOTED = "absent"

MAJORITY_TEXT = {
    core.MajorityRule.SIMPLE: "more than half of the weighted votes cast",
    core.MajorityRule.TWO_THIRDS: "at least two thirds of the weighted votes cast",
    core.MajorityRule.ABSOLUTE: "more than half of the weight of all eligible members",
}
ABSTENTION_TEXT = {
    core.AbstentionRule.NOT_CAST: "abstentions do not count as votes cast",
    core.AbstentionRule.AS_CAST: "abstentions count as votes cast",
}
SUBJECT_CLASSIFICATION = {
    Poll.Subject.PROPOSAL: "proposal",
    Poll.Subject.AMENDMENT: "amendment",
    Poll.Subject.MOTION: "motion",
    Poll.Subject.PRE_ADVICE: "pre-advice",
    Poll.Subject.AGENDA_ITEM: "agenda-item",
    Poll.Subject.FREE: "question",
}
DECIDED = {SubmissionStatus.ADOPTED: "pass", SubmissionStatus.REJECTED: "fail"}


def license_id() -> str:
    return getattr(settings, "BESLUIT_OPEN_DATA_LICENSE", "CC0-1.0")


# --- identifiers --------------------------------------------------------------


def meeting_id(association: Association, pk: int) -> str:
    return f"{association.slug}/meetings/{pk}"


def agenda_item_id(association: Association, pk: int) -> str:
    return f"{association.slug}/agenda-items/{pk}"


def motion_id(association: Association, pk: int) -> str:
    return f"{association.slug}/motions/{pk}"


def amendment_id(association: Association, pk: int) -> str:
    return f"{association.slug}/amendments/{pk}"


def proposal_id(association: Association, pk: int) -> str:
    return f"{association.slug}/proposals/{pk}"


def question_id(association: Association, poll: Poll) -> str:
    return f"{association.slug}/questions/{poll.public_id}"


def vote_event_id(association: Association, poll: Poll) -> str:
    return f"{association.slug}/vote-events/{poll.public_id}"


# --- values -------------------------------------------------------------------


def when(value: datetime | None) -> str | None:
    """ISO 8601 with the offset and whole seconds (Popolo's event pattern has no fractions)."""
    if value is None:
        return None
    local = timezone.localtime(value, ZoneInfo(settings.TIME_ZONE))
    return local.replace(microsecond=0).isoformat()


def requirement(poll: Poll) -> str:
    rule = poll.rule
    text = f"{MAJORITY_TEXT[rule.majority]}; {ABSTENTION_TEXT[rule.abstentions]}"
    if rule.quorum:
        text += f"; quorum: {rule.quorum * 100:g}% of the eligible weight takes part"
    return text


def rule_of(poll: Poll) -> dict[str, Any]:
    return {
        "majority": poll.majority,
        "abstentions": poll.abstentions,
        "quorum": Decimal(poll.quorum),
    }


def popolo_option(key: str) -> str:
    return POPOLO_OPTION.get(key, key)


def popolo_result(outcome: core.Outcome | str) -> str:
    return "pass" if core.Outcome(outcome) == core.Outcome.ADOPTED else "fail"


def group_object(name: str) -> dict[str, str]:
    kind, _, label = name.partition(":")
    return {"id": name, "name": label, "classification": kind}


# --- queries ------------------------------------------------------------------


def public_meetings(association: Association) -> QuerySet[Meeting]:
    return association.meetings.exclude(status=Meeting.Status.DRAFT).order_by("starts_at", "id")


def closed_polls(meetings: QuerySet[Meeting]) -> QuerySet[Poll]:
    return (
        Poll.objects.filter(meeting__in=meetings, status=Poll.Status.CLOSED)
        .select_related("meeting")
        .prefetch_related("options")
        .order_by("closed_at", "id")
    )


# --- the export -----------------------------------------------------------------


def export(association: Association, meeting: Meeting | None = None) -> dict[str, Any]:
    """The Popolo export of an association (all its public meetings) or of one meeting.

    Numbers are ``Decimal`` here; ``opendata.formats`` writes them as JSON numbers
    and as exact decimals in CSV. A fixed number of queries, whatever the size.
    """
    meetings = public_meetings(association)
    if meeting is not None:
        meetings = meetings.filter(pk=meeting.pk)
    meeting_list = list(meetings)
    polls = list(closed_polls(meetings))
    elected = election_data.parts(association, meetings, whole=meeting is None)
    return {
        "meta": {
            "generator": f"Besluit {__version__}",
            "license": license_id(),
            "specification": "https://www.popoloproject.com/specs/",
            "association": association.slug,
            "meeting": meeting_id(association, meeting.pk) if meeting else None,
            "notes": (
                "count.value is the number of members; count.weight the weighted votes. "
                "Secret polls: totals only. Elections: elections[].vote_events, one per "
                "round (a ranked ballot counts for its first preference there; every count "
                "of the round is in elections[].rounds[].counts); memberships: the seats."
            ),
        },
        "organizations": _organizations(association) + elected["organizations"],
        "events": _events(association, meeting_list),
        "motions": _motions(association, meetings, polls),
        "vote_events": _vote_events(association, polls),
        # Elections of persons (opendata.elections): the seats held, and each decided
        # election with its rounds as vote events of its own.
        "memberships": elected["memberships"],
        "elections": elected["elections"],
    }


def _organizations(association: Association) -> list[dict[str, Any]]:
    orgs: list[dict[str, Any]] = [
        {
            "id": association.slug,
            "name": association.name,
            "classification": "association",
            "other_names": [{"name": association.short_name}] if association.short_name else [],
        }
    ]
    members = association.members.order_by("code").prefetch_related("networks")
    for m in members:
        orgs.append(_member_org(association, m))
    return orgs


def _member_org(association: Association, m: Member) -> dict[str, Any]:
    return {
        "id": m.code,
        "name": m.name,
        "classification": "municipality" if m.kind == Member.Kind.MUNICIPALITY else "special",
        "identifiers": [{"scheme": "member-code", "identifier": m.code}],
        "province": m.province,
        "networks": sorted(n.code for n in m.networks.all()),
        "member_of": association.slug,
        "active": m.active,
    }


def _location(m: Meeting) -> str:
    if m.is_digital and m.location:
        return f"{m.location} (hybrid)"
    return "digital" if m.is_digital else m.location


def _events(association: Association, meetings: list[Meeting]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    proposal_of = dict(
        Proposal.objects.filter(agenda_item__meeting__in=meetings).values_list(
            "agenda_item_id", "id"
        )
    )
    items = defaultdict(list)
    for item in AgendaItem.objects.filter(meeting__in=meetings).order_by("meeting", "position"):
        items[item.meeting_id].append(item)
    for m in meetings:
        events.append(
            {
                "id": meeting_id(association, m.pk),
                "name": m.title,
                "classification": m.kind,
                "start_date": when(m.starts_at),
                "end_date": when(m.ends_at),
                "location": _location(m),
                "status": m.status,
                "organization_id": association.slug,
                "is_digital": m.is_digital,
                "convocation_date": m.convocation_date.isoformat() if m.convocation_date else None,
                "amendment_deadline": when(m.amendment_deadline),
                "motion_deadline": when(m.motion_deadline),
                "attendance": [  # present and represented members (attendance app)
                    {**row, "arrived_at": when(row["arrived_at"])} for row in meeting_attendance(m)
                ],
            }
        )
        for item in items[m.pk]:
            events.append(
                {
                    "id": agenda_item_id(association, item.pk),
                    "name": f"{item.number}. {item.title}",
                    "classification": "agenda-item",
                    "parent_id": meeting_id(association, m.pk),
                    "organization_id": association.slug,
                    "number": item.number,
                    "position": item.position,
                    "title": item.title,
                    "requested_decision": item.requested_decision,
                    "explanation": item.explanation,
                    "proposal_id": proposal_id(association, proposal_of[item.pk])
                    if item.pk in proposal_of
                    else None,
                }
            )
    return events


def _submission(association: Association, x, *, classification: str) -> dict[str, Any]:
    return {
        "organization_id": association.slug,
        "classification": classification,
        "identifier": f"{x.KIND_LABEL} {x.number}",
        "creator_id": x.submitter.code,
        "co_creator_ids": sorted(m.code for m in x.co_submitters.all()),
        "display_title": x.display_title,
        "date": when(x.submitted_at),
        "status": x.status,
        "is_late": x.is_late,
        "pre_advice": x.pre_advice or None,
        "pre_advice_reason": x.pre_advice_reason,
        "explanation": x.explanation,
        "result": DECIDED.get(x.status),
    }


def _motions(association: Association, meetings, polls: list[Poll]) -> list[dict[str, Any]]:
    # The requirement of the latest closed poll on each subject.
    rule_for: dict[tuple[str, int], Poll] = {}
    for p in polls:
        for kind, pk in (
            ("motion", p.motion_id),
            ("amendment", p.amendment_id),
            ("proposal", p.proposal_id),
        ):
            if pk is not None and p.subject != Poll.Subject.PRE_ADVICE:
                rule_for[(kind, pk)] = p

    def rule_fields(kind: str, pk: int) -> dict[str, Any]:
        poll = rule_for.get((kind, pk))
        return {"requirement": requirement(poll) if poll else None}

    out: list[dict[str, Any]] = []
    for p in Proposal.objects.filter(agenda_item__meeting__in=meetings).select_related(
        "agenda_item"
    ):
        out.append(
            {
                "id": proposal_id(association, p.pk),
                "organization_id": association.slug,
                "legislative_session_id": meeting_id(association, p.agenda_item.meeting_id),
                "classification": "proposal",
                "identifier": p.agenda_item.number,
                "title": p.title,
                "text": p.text,
                "agenda_item_id": agenda_item_id(association, p.agenda_item_id),
                "date": when(p.created_at),
                **rule_fields("proposal", p.pk),
            }
        )
    motions = (
        Motion.objects.filter(meeting__in=meetings)
        .select_related("submitter")
        .prefetch_related("co_submitters")
        .order_by("meeting", "number")
    )
    for x in motions:
        out.append(
            {
                "id": motion_id(association, x.pk),
                "legislative_session_id": meeting_id(association, x.meeting_id),
                **_submission(association, x, classification="motion"),
                "title": x.title,
                "text": f"{x.title}\n\nOverwegende dat\n{x.considerations}\n\n"
                f"Verzoekt het bestuur\n{x.request}",
                "considerations": x.considerations,
                "request": x.request,
                "agenda_item_id": agenda_item_id(association, x.agenda_item_id)
                if x.agenda_item_id
                else None,
                **rule_fields("motion", x.pk),
            }
        )
    amendments = (
        Amendment.objects.filter(proposal__agenda_item__meeting__in=meetings)
        .select_related("submitter", "proposal__agenda_item")
        .prefetch_related("co_submitters")
        .order_by("proposal", "number")
    )
    for x in amendments:
        out.append(
            {
                "id": amendment_id(association, x.pk),
                "legislative_session_id": meeting_id(
                    association, x.proposal.agenda_item.meeting_id
                ),
                **_submission(association, x, classification="amendment"),
                "title": f"{x.display_title}: {x.passage}",
                "text": f"{x.passage}\n\nOude tekst:\n{x.old_text}\n\nNieuwe tekst:\n{x.new_text}",
                "amends_id": proposal_id(association, x.proposal_id),
                "passage": x.passage,
                "old_text": x.old_text,
                "new_text": x.new_text,
                **rule_fields("amendment", x.pk),
            }
        )
    for poll in polls:
        if poll.subject in (Poll.Subject.PRE_ADVICE, Poll.Subject.AGENDA_ITEM, Poll.Subject.FREE):
            result = poll.outcome
            out.append(
                {
                    "id": question_id(association, poll),
                    "organization_id": association.slug,
                    "legislative_session_id": meeting_id(association, poll.meeting_id),
                    "classification": SUBJECT_CLASSIFICATION[poll.subject],
                    "title": poll.title,
                    "text": poll.question or poll.title,
                    "date": when(poll.opened_at),
                    "about_id": motion_id(association, poll.motion_id) if poll.motion_id else None,
                    "agenda_item_id": agenda_item_id(association, poll.agenda_item_id)
                    if poll.agenda_item_id
                    else None,
                    "requirement": requirement(poll),
                    "result": popolo_result(result.outcome) if result else None,
                }
            )
    return out


def _subject_id(association: Association, poll: Poll) -> str:
    if poll.subject == Poll.Subject.MOTION:
        return motion_id(association, poll.motion_id)
    if poll.subject == Poll.Subject.AMENDMENT:
        return amendment_id(association, poll.amendment_id)
    if poll.subject == Poll.Subject.PROPOSAL:
        return proposal_id(association, poll.proposal_id)
    return question_id(association, poll)


def _counts(options: tuple[core.OptionTotal, ...]) -> list[dict[str, Any]]:
    return [
        {
            "option": popolo_option(o.key),
            "value": o.members,
            "weight": o.weight,
            # A decimal string, the results API's own (core.voting.share_text): a JSON
            # number would be read as a double and lose the last of its 28 digits.
            "share": core.share_text(o.share),
            "key": o.key,
            "label": o.label,
            "is_abstention": o.is_abstention,
        }
        for o in options
    ]


def _vote_events(association: Association, polls: list[Poll]) -> list[dict[str, Any]]:
    named = [p for p in polls if not p.is_secret]
    entries: dict[int, list[RegisterEntry]] = defaultdict(list)
    for e in (
        RegisterEntry.objects.filter(poll__in=named)
        .select_related("member")
        .order_by("poll", "member__code")
    ):
        entries[e.poll_id].append(e)
    choices: dict[tuple[int, int], str] = {}
    how: dict[tuple[int, int], dict[str, Any]] = {}  # cast by proxy or on paper
    for poll_pk, member_pk, key, proxy, paper in Ballot.objects.filter(poll__in=named).values_list(
        "poll_id", "member_id", "option__key", "proxy__code", "on_paper"
    ):
        choices[(poll_pk, member_pk)] = key
        how[(poll_pk, member_pk)] = {"proxy_id": proxy, "paper": paper}
    ballot_ways = {
        row["poll_id"]: {"proxy_ballots": row["proxy"], "paper_ballots": row["paper"]}
        for row in Ballot.objects.filter(poll__in=polls)
        .values("poll_id")
        .annotate(
            proxy=Count("pk", filter=Q(proxy__isnull=False)),
            paper=Count("pk", filter=Q(on_paper=True)),
        )
    }
    events = []
    for poll in polls:
        result = poll.outcome
        if result is None:  # a closed poll always has one; be safe with old rows
            continue
        event: dict[str, Any] = {
            "id": vote_event_id(association, poll),
            "organization_id": association.slug,
            "legislative_session_id": meeting_id(association, poll.meeting_id),
            "motion_id": _subject_id(association, poll),
            "identifier": str(poll.public_id),
            "classification": SUBJECT_CLASSIFICATION[poll.subject],
            "title": poll.title,
            "question": poll.question,
            "secret": poll.is_secret,
            "start_date": when(poll.opened_at),
            "end_date": when(poll.closed_at),
            "result": popolo_result(result.outcome),
            "outcome": result.outcome.value,
            "winner": popolo_option(result.winner) if result.winner else None,
            "requirement": requirement(poll),
            "rule": rule_of(poll),
            "turnout": {
                "eligible_members": result.eligible_members,
                "eligible_weight": result.eligible_weight,
                "voted_members": result.voted_members,
                "voted_weight": result.voted_weight,
                "cast_weight": result.cast_weight,
                "quorum_required_weight": result.quorum_required_weight,
                "quorum_met": result.quorum_met,
            },
            "counts": _counts(result.options),
            # How many ballots a proxy cast and how many came on paper (attendance app).
            **ballot_ways.get(poll.pk, {"proxy_ballots": 0, "paper_ballots": 0}),
        }
        if not poll.is_secret:
            event["votes"] = [
                {
                    "vote_event_id": event["id"],
                    "voter_id": e.member.code,
                    "voter": {"id": e.member.code, "name": e.member.name},
                    "option": popolo_option(choices[(poll.pk, e.member_id)])
                    if (poll.pk, e.member_id) in choices
                    else NOT_VOTED,
                    "weight": Decimal(e.weight),
                    "group_id": f"province:{e.province}",
                    "networks": e.networks.split(),
                    **how.get((poll.pk, e.member_id), {}),
                }
                for e in entries[poll.pk]
            ]
            event["group_results"] = [_group_result(poll, g) for g in result.groups]
        events.append(event)
    return events


def _group_result(poll: Poll, g: core.GroupResult) -> dict[str, Any]:
    """A group's totals, and what the group alone would have decided under the same rule."""
    decided = core.decide(
        options=poll.core_options(),
        totals={o.key: (o.weight, o.members) for o in g.options},
        eligible_members=g.eligible_members,
        eligible_weight=g.eligible_weight,
        rule=poll.rule,
    )
    return {
        "group_id": g.group,
        "group": group_object(g.group),
        "result": popolo_result(decided.outcome),
        "winner": popolo_option(decided.winner) if decided.winner else None,
        "eligible_members": g.eligible_members,
        "eligible_weight": g.eligible_weight,
        "voted_members": g.voted_members,
        "voted_weight": g.voted_weight,
        "counts": _counts(g.options),
    }
