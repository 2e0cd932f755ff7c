"""The meeting's quorum, and what a poll freezes of attendance when it opens."""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access
from besluit.attendance import selectors
from besluit.attendance.models import PollQuorum
from besluit.audit.services import record
from besluit.errors import Conflict
from besluit.voting.models import Poll, RegisterEntry


def do_require_meeting_quorum(
    *, actor, poll: Poll, required: bool = True, reason: str = ""
) -> PollQuorum:
    """Say that a poll (a statute change, dissolution) may open only when the meeting's
    quorum is met."""
    access.require_chair(actor, poll.meeting.association)
    with transaction.atomic():
        status = Poll.objects.select_for_update().values_list("status", flat=True).get(pk=poll.pk)
        if status != Poll.Status.DRAFT:
            raise Conflict(_("Only a poll that is not opened yet can change this."))
        found, _created = PollQuorum.objects.update_or_create(
            poll=poll, defaults={"required": required}
        )
        record(
            "poll.meeting_quorum_required",
            actor=actor,
            association=poll.meeting.association,
            obj=poll,
            required=required,
            reason=reason[:200],
        )
    return found


def freeze_at_opening(poll: Poll, actor) -> None:
    """Called inside do_open_poll's transaction (hooks.PollOpened): refuse the opening
    when the poll requires the meeting's quorum and it is not met; record the quorum
    found; and freeze the proxies in force into the poll's register."""
    meeting = poll.meeting
    # The register do_open_poll has just frozen: the same members and weights as the
    # meeting's day gives, without computing the weighted register a second time.
    frozen = [
        (e.member, e.weight)
        for e in RegisterEntry.objects.filter(poll=poll).select_related("member")
    ]
    found = selectors.presence(meeting, register=frozen)
    requirement = PollQuorum.objects.filter(poll=poll, required=True).first()
    if requirement is not None:
        check = selectors.meeting_quorum(meeting, found)
        if not check.met:
            raise Conflict(
                _(
                    "The meeting's quorum is not met: %(members)s of %(eligible)s members "
                    "and %(weight)s%% of the weight are present or represented."
                )
                % {
                    "members": found.counted_members,
                    "eligible": found.eligible_members,
                    "weight": f"{found.weight_share * 100:.1f}".replace(".", ","),
                }
            )
        requirement.checked_at = timezone.now()
        requirement.met = True
        requirement.members = found.counted_members
        requirement.eligible_members = found.eligible_members
        requirement.weight = found.counted_weight
        requirement.eligible_weight = found.eligible_weight
        requirement.quorum_members = check.required_members
        requirement.quorum_weight = check.required_weight
        requirement.save()
    by_holder: dict[int, list[int]] = defaultdict(list)
    for grantor_id, holder in found.proxies_in_force().items():
        by_holder[holder.pk].append(grantor_id)
    for holder_id, grantors in by_holder.items():
        RegisterEntry.objects.filter(poll=poll, member_id__in=grantors).update(
            represented_by_id=holder_id
        )
    if by_holder or requirement is not None:
        record(
            "attendance.frozen",
            actor=actor,
            association=meeting.association,
            obj=poll,
            present=found.present_members,
            represented=found.represented_members,
            proxies={str(h): sorted(g) for h, g in by_holder.items()},
            meeting_quorum_met=requirement.met if requirement is not None else None,
        )
