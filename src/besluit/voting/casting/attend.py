"""attend: the ballots of a plaintext batch cast for another member than the sender's own.

A representative votes for its own member, unless the register frozen at opening says a
proxy votes for that member; it votes for another member whose proxy (volmacht) its own
member holds; the secretariat enters a member's paper ballot. Apart from the batch
because these are the attendance app's rules (docs/attendance.md), read in one place:
the batch asks only who each request votes for. voting.encrypted applies the same
rules to the sealed ballots of a secret poll.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from besluit import access
from besluit.errors import PermissionDenied, ValidationFailed
from besluit.voting.casting.requests import BallotRequest
from besluit.voting.models import RegisterEntry

if TYPE_CHECKING:
    from besluit.voting.casting.batch import Batch


def attend_voters(batch: "Batch", requests: Sequence[BallotRequest]) -> list:
    """The member each request votes for (a Member), None (not a voter) or the refusal.

    The sender's own member, unless the register frozen at opening says a proxy votes
    for it. A request naming another member (``for_member``) votes for it when the
    frozen register says the sender's member represents it (volmacht), or, with
    ``paper``, when the sender is the secretariat. One query more, and only for a
    batch holding such requests: a batch of ordinary ballots costs nothing extra.
    """
    voters: list = [batch.members.get(r.user_id) for r in requests]
    for i, member in enumerate(voters):
        if member is not None and member.pk in batch.represented and not requests[i].paper:
            voters[i] = PermissionDenied(
                _("%(member)s is represented by proxy in this poll: its proxy votes for it.")
                % {"member": member}
            )
    named = {r.for_member for r in requests if r.for_member}
    if not named:
        return voters
    association = batch.poll.meeting.association
    entries = {
        e.member.code: e
        for e in RegisterEntry.objects.filter(
            poll=batch.poll, member__code__in=named
        ).select_related("member")
    }
    clerks = access.administrators(
        {r.user_id for r in requests if r.paper and r.user_id is not None}, association
    )
    for i, r in enumerate(requests):
        if not r.for_member:
            if r.paper:
                voters[i] = ValidationFailed(_("Say whose paper ballot this is."), field="member")
            continue
        own, entry = batch.members.get(r.user_id), entries.get(r.for_member)
        if r.paper:
            if r.user_id not in clerks:
                voters[i] = PermissionDenied(_("Only the secretariat may enter a paper ballot."))
            elif batch.poll.is_secret:
                voters[i] = ValidationFailed(
                    _("The paper ballots of a secret poll are counted by the tellers."),
                    field="member",
                )
            elif entry is None:
                voters[i] = PermissionDenied(
                    _("%(member)s is not in this poll's register.") % {"member": r.for_member},
                    field="member",
                )
            else:
                voters[i] = entry.member
                batch.weights[entry.member_id] = entry.weight
                batch.member_ids.add(entry.member_id)
        elif own is None or own.code == r.for_member:
            continue  # not a voter, or its own member (refused above if represented)
        elif entry is None or entry.represented_by_id != own.pk:
            voters[i] = PermissionDenied(
                _("%(holder)s holds no proxy of %(member)s in this poll.")
                % {"holder": own, "member": r.for_member},
                field="member",
            )
        else:
            voters[i] = entry.member
            batch.proxy_for[i] = own
            batch.weights[entry.member_id] = entry.weight
            batch.member_ids.add(entry.member_id)
    return voters
