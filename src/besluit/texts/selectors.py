"""Read queries of the texts app, with a fixed number of SQL statements per page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from besluit.associations.models import Association, Member
from besluit.core import passages as cp
from besluit.core import texts as ct
from besluit.errors import NotFound
from besluit.meetings.models import Meeting
from besluit.proposals.models import Amendment, Motion, Proposal, SubmissionStatus
from besluit.texts import rendering
from besluit.texts.models import (
    AmendmentTarget,
    ChangeReason,
    Consultation,
    ConsultationInput,
    PdfJob,
    TextVersion,
)

V = TextVersion


def proposal_in(association: Association, proposal_id: int) -> Proposal:
    try:
        return Proposal.objects.select_related("agenda_item__meeting__association").get(
            pk=proposal_id, agenda_item__meeting__association=association
        )
    except (Proposal.DoesNotExist, ValueError) as exc:
        raise NotFound(_("No such proposal.")) from exc


def meeting_in(association: Association, meeting_id: int) -> Meeting:
    try:
        return Meeting.objects.select_related("association").get(
            pk=meeting_id, association=association
        )
    except (Meeting.DoesNotExist, ValueError) as exc:
        raise NotFound(_("No such meeting.")) from exc


def versions(proposal: Proposal) -> list[TextVersion]:
    return list(
        TextVersion.objects.filter(proposal=proposal)
        .select_related("published_by", "created_by")
        .order_by("number")
    )


def version_by_number(proposal: Proposal, number: int) -> TextVersion:
    try:
        return TextVersion.objects.select_related("proposal__agenda_item__meeting").get(
            proposal=proposal, number=number
        )
    except TextVersion.DoesNotExist as exc:
        raise NotFound(_("No such version.")) from exc


def current_version(proposal: Proposal) -> TextVersion | None:
    return (
        TextVersion.objects.filter(proposal=proposal, status=V.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )


@dataclass
class ProposalRow:
    proposal: Proposal
    meeting: Meeting
    current: TextVersion | None
    editing: TextVersion | None
    count: int
    consultation: Consultation | None


def proposals_of(association: Association) -> list[ProposalRow]:
    """Every proposal of the association's meetings, newest meeting first."""
    proposals = list(
        Proposal.objects.filter(agenda_item__meeting__association=association)
        .select_related("agenda_item__meeting")
        .order_by("-agenda_item__meeting__starts_at", "agenda_item__position")
    )
    ids = [p.pk for p in proposals]
    by_proposal: dict[int, list[TextVersion]] = defaultdict(list)
    for v in TextVersion.objects.filter(proposal_id__in=ids).only(
        "pk", "proposal_id", "number", "kind", "status", "label", "published_at"
    ):
        by_proposal[v.proposal_id].append(v)
    consultations: dict[int, Consultation] = {}
    for c in Consultation.objects.filter(proposal_id__in=ids).order_by("opens_on"):
        consultations[c.proposal_id] = c
    rows = []
    for p in proposals:
        vs = sorted(by_proposal[p.pk], key=lambda v: v.number)
        published = [v for v in vs if v.status == V.Status.PUBLISHED]
        editing = next((v for v in vs if v.status == V.Status.EDITING), None)
        rows.append(
            ProposalRow(
                p,
                p.agenda_item.meeting,
                published[-1] if published else None,
                editing,
                len(vs),
                consultations.get(p.pk),
            )
        )
    return rows


# --- consultation ------------------------------------------------------------------------------


def consultations_of(proposal: Proposal) -> list[Consultation]:
    return list(
        Consultation.objects.filter(proposal=proposal)
        .select_related("version")
        .prefetch_related("sessions")
        .order_by("-opens_on")
    )


def inputs_of(consultation: Consultation) -> list[ConsultationInput]:
    return list(
        ConsultationInput.objects.filter(consultation=consultation)
        .select_related("member", "session", "responded_by")
        .prefetch_related(
            Prefetch("changes", queryset=ChangeReason.objects.select_related("version"))
        )
        .order_by("number")
    )


def inputs_for_proposal(proposal: Proposal) -> list[ConsultationInput]:
    return list(
        ConsultationInput.objects.filter(consultation__proposal=proposal)
        .select_related("member", "session", "consultation")
        .order_by("consultation__opens_on", "number")
    )


# --- comparing versions ---------------------------------------------------------------------------


@dataclass
class Comparison:
    old: TextVersion
    new: TextVersion
    stats: dict
    items: list[rendering.DiffView]
    reasons_unplaced: list[ConsultationInput] = field(default_factory=list)


def compare(old: TextVersion, new: TextVersion) -> Comparison:
    rl, views = rendering.diff_views(old.document, new.document, old.line_width, new.line_width)
    # Why each block changed: the inputs linked to it in every version after ``old`` up to
    # ``new`` (a change made in an intermediate version is part of this comparison too).
    low, high = sorted((old.number, new.number))
    reasons: dict[str, list[ConsultationInput]] = defaultdict(list)
    for r in (
        ChangeReason.objects.filter(
            version__proposal_id=new.proposal_id,
            version__number__gt=low,
            version__number__lte=high,
        )
        .select_related("input__member", "input__session", "input__responded_by")
        .order_by("input__number")
    ):
        if r.input not in reasons[r.block_id]:
            reasons[r.block_id].append(r.input)
    amendments: dict[str, list[Amendment]] = defaultdict(list)
    merged_ids = (
        {aid for ids in new.provenance.values() for aid in ids} if new.provenance else set()
    )
    if merged_ids:
        by_id = {
            a.pk: a for a in Amendment.objects.filter(pk__in=merged_ids).select_related("submitter")
        }
        for bid, ids in new.provenance.items():
            amendments[bid] = [by_id[i] for i in ids if i in by_id]
    placed = set()
    for v in views:
        if not v.item.on_new_side:
            continue  # a moved-away stub: the reasons stand with the block at its new place
        v.reasons = reasons.get(v.item.block_id, [])
        v.amendments = amendments.get(v.item.block_id, [])
        if v.reasons and v.item.is_change:
            placed.add(v.item.block_id)
    unplaced = [i for bid, items in reasons.items() if bid not in placed for i in items]
    return Comparison(old, new, rl.stats(), views, unplaced)


# --- amendments ---------------------------------------------------------------------------------


@dataclass
class AmendmentRow:
    amendment: Amendment
    target: AmendmentTarget | None
    lines: str = ""
    block_text: str = ""
    collides_with: list[int] = field(default_factory=list)  # amendment numbers
    order: int | None = None
    lapses_if: list[int] = field(default_factory=list)


@dataclass
class AmendmentOverview:
    version: TextVersion | None
    rows: list[AmendmentRow]
    groups: list[list[int]]  # numbers of colliding amendments
    preview: ct.Document | None  # the text with every open (not colliding) amendment merged
    preview_error: str = ""

    @property
    def ordered(self) -> list[AmendmentRow]:
        return sorted((r for r in self.rows if r.order is not None), key=lambda r: r.order) + [
            r for r in self.rows if r.order is None
        ]


def amendment_overview(proposal: Proposal, *, include_closed: bool = True) -> AmendmentOverview:
    version = current_version(proposal)
    amendments = list(
        Amendment.objects.filter(proposal=proposal)
        .select_related("submitter", "target", "target__version")
        .prefetch_related("co_submitters")
        .order_by("number")
    )
    rows = []
    for a in amendments:
        if not include_closed and not a.is_open and a.status != SubmissionStatus.ADOPTED:
            continue
        target = getattr(a, "target", None)
        row = AmendmentRow(a, target)
        if target is not None and version is not None and target.version_id == version.pk:
            span = version.line_index.chars_lines(target.block_id, target.start, target.end)
            row.lines = ct.cite(span)
        rows.append(row)
    live = [
        r
        for r in rows
        if r.target is not None
        and version is not None
        and r.target.version_id == version.pk
        and r.target.status != AmendmentTarget.Status.CONFLICT
        and (r.amendment.is_open or r.amendment.status == SubmissionStatus.ADOPTED)
    ]
    changes = [
        cp.Change(
            str(r.amendment.pk),
            cp.Passage(r.target.block_id, r.target.start, r.target.end),
            r.target.old_text,
            r.target.new_text,
        )
        for r in live
    ]
    number = {str(r.amendment.pk): r.amendment.number for r in live}
    groups = [sorted(number[k] for k in g) for g in cp.collision_groups(changes)]
    for a, b in cp.collisions(changes):
        for x, y in ((a, b), (b, a)):
            row = next(r for r in live if str(r.amendment.pk) == x)
            row.collides_with.append(number[y])
    preview = None
    error = ""
    if version is not None:
        # Only amendments still to be decided have a place in the voting order.
        open_keys = {str(r.amendment.pk) for r in live if r.amendment.is_open}
        fixed = {
            str(r.amendment.pk): r.target.vote_position
            for r in live
            if r.target.vote_position is not None and str(r.amendment.pk) in open_keys
        }
        to_vote = [c for c in changes if c.key in open_keys]
        order = cp.voting_order(to_vote, version.document, fixed) if to_vote else []
        position = {k: i for i, k in enumerate(order, start=1)}
        for r in live:
            r.order = position.get(str(r.amendment.pk))
        # Colliding amendments voted after an earlier one of their group lapse if it is adopted.
        for r in live:
            if r.order is None:
                continue
            r.lapses_if = sorted(
                n for n in r.collides_with if position.get(_key_of(live, n), 0) < (r.order or 0)
            )
        # The text with all non-colliding amendments merged: what the meeting can adopt.
        colliding = {k for g in cp.collision_groups(changes) for k in g}
        try:
            preview = cp.merge(
                version.document, [c for c in changes if c.key not in colliding]
            ).document
        except cp.PassageError as exc:
            error = exc.text.translate(_)
    return AmendmentOverview(version, rows, groups, preview, error)


def _key_of(rows: list[AmendmentRow], number: int) -> str:
    for r in rows:
        if r.amendment.number == number:
            return str(r.amendment.pk)
    return ""


def motions_for(meeting: Meeting) -> list[Motion]:
    return list(
        Motion.objects.filter(meeting=meeting)
        .select_related("submitter", "agenda_item")
        .prefetch_related("co_submitters")
        .order_by("number")
    )


def jobs_for(
    association: Association, meeting: Meeting | None = None, proposal=None
) -> list[PdfJob]:
    qs = PdfJob.objects.filter(association=association)
    if meeting is not None:
        qs = qs.filter(meeting=meeting)
    if proposal is not None:
        qs = qs.filter(proposal=proposal)
    return list(qs.select_related("requested_by").order_by("-created_at")[:10])


def members_of(association: Association) -> list[Member]:
    return list(Member.objects.filter(association=association, active=True).order_by("name"))


def members_of_qs(association: Association):
    return Member.objects.filter(association=association, active=True).order_by("name")
