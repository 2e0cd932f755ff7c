"""A secret poll's paper round, counted by the tellers (the attendance app).

Beside voting.casting, whose locks it takes (``rules.lock``) and whose rule for a
closed poll it applies (``rules.closed``): a batch of paper ballots whose choices exist
only as the tellers' totals. It adds those totals to the poll's SecretTally rows, the
only totals a secret poll keeps in the clear: every electronic secret ballot is
encrypted (voting.encrypted), and the decryption adds the paper totals
(voting.trustees).
"""

from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import hooks
from besluit.errors import Conflict, ValidationFailed
from besluit.voting import log as vote_log
from besluit.voting.casting.rules import closed, lock
from besluit.voting.models import Ballot, Poll, RegisterEntry, SecretTally, weight_to_micro


def cast_paper_round(
    poll_pk: int, member_ids: Sequence[int], totals: dict[str, tuple[Decimal, int]], *, now=None
) -> list[Ballot]:
    """Count a secret poll's paper ballots: the tellers' totals per option (weight,
    members), and the members who handed one in, recorded as having voted (never how).

    The same locks as a batch of voting.casting; the totals must add up to those members'
    frozen weights and number. One log leaf per paper ballot, marked ``paper``, with
    only a random code, like every secret ballot. The caller checks who may do this
    (attendance.services.paper, after two tellers signed the totals off).
    """
    with transaction.atomic():
        poll = Poll.objects.select_related("meeting__association").get(pk=poll_pk)
        locked = lock(poll.pk)
        poll.status, poll.closes_at = locked.status, locked.closes_at
        at = now or timezone.now()
        if refusal := closed(poll, at):
            raise Conflict(refusal)
        if not poll.is_secret:
            raise ValidationFailed(_("Paper ballots of a named poll are entered one by one."))
        weights = dict(
            RegisterEntry.objects.filter(poll=poll, member_id__in=member_ids).values_list(
                "member_id", "weight"
            )
        )
        if missing := set(member_ids) - set(weights):
            raise ValidationFailed(
                _("%(n)s member(s) are not in this poll's register.") % {"n": len(missing)}
            )
        voted = Ballot.objects.filter(poll=poll, member_id__in=member_ids).count()
        if voted:
            raise Conflict(
                _("%(n)s of these members have voted in this poll already.") % {"n": voted}
            )
        options = {o.key: o for o in poll.options.all()}
        if unknown := set(totals) - set(options):
            raise ValidationFailed(
                _("Unknown options: %(options)s.") % {"options": ", ".join(sorted(unknown))}
            )
        weight = sum((w for w, _n in totals.values()), Decimal(0))
        count = sum(n for _w, n in totals.values())
        if count != len(member_ids) or weight != sum(weights.values(), Decimal(0)):
            raise ValidationFailed(
                _(
                    "The totals (%(count)s ballots, weight %(weight)s) do not match the "
                    "members who handed in a ballot (%(members)s, weight %(member_weight)s)."
                )
                % {
                    "count": count,
                    "weight": weight,
                    "members": len(member_ids),
                    "member_weight": sum(weights.values(), Decimal(0)),
                }
            )
        ballots = [Ballot(poll=poll, member_id=m, cast_at=at, on_paper=True) for m in member_ids]
        events = [
            vote_log.ballot_event(
                poll, ballot_id=b.public_id, member_code="", option_key="", at=at, paper=True
            )
            for b in ballots
        ]
        receipts = vote_log.append_batch(poll, events, at, state=locked.log) if events else []
        for ballot, receipt in zip(ballots, receipts, strict=True):
            ballot.log_index = receipt["index"]
        Ballot.objects.bulk_create(ballots)
        for key, (w, n) in totals.items():
            # One update per signed-off round of the tellers, never per ballot. An
            # encrypted poll has no rows until its first paper round; its decryption
            # adds these totals to the decrypted ones (voting.trustees.paper_totals).
            SecretTally.objects.get_or_create(poll=poll, option=options[key])
            SecretTally.objects.filter(poll=poll, option=options[key]).update(
                weight_micro=F("weight_micro") + weight_to_micro(w), members=F("members") + n
            )
        if events:
            hooks.emit(hooks.BallotsAccepted(poll=poll, count=len(events)))
    return ballots
