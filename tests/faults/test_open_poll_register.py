"""Changing weights, members or representatives while a poll is open does not change it."""

import io
from datetime import date
from decimal import Decimal

import pytest

from besluit import verify
from besluit.associations import services as assoc
from besluit.associations.models import Member, Role
from besluit.errors import PermissionDenied
from besluit.voting import log as vote_log
from besluit.voting import services as voting
from besluit.voting.models import Poll, RegisterEntry
from tests import factories

pytestmark = [pytest.mark.dbbackend, pytest.mark.django_db]


def _frozen(poll) -> dict[str, tuple[Decimal, str, str]]:
    return {
        e.member.code: (Decimal(e.weight), e.province, e.networks)
        for e in RegisterEntry.objects.filter(poll=poll).select_related("member")
    }


@pytest.mark.parametrize("secret", [False, True], ids=["named", "secret"])
def test_register_changes_during_an_open_poll_leave_it_alone(secret, tmp_path):
    association = factories.make_association(12, networks={"G4": [0, 1]})
    meeting = factories.make_meeting(association)
    chair = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    secretariat = factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)
    reps = [
        factories.make_user(
            f"r{i}", association, Role.Kind.REPRESENTATIVE, member=factories.member(association, i)
        )
        for i in range(6)
    ]
    poll = factories.open_poll(
        chair, meeting, subject="free", alternatives=["A", "B"], is_secret=secret
    )
    before = _frozen(poll)
    eligible = (poll.eligible_members, Decimal(poll.eligible_weight))
    _vote(poll, reps[0], "option-1")

    # 1. Weights: a new rule in force since before the meeting, and an override.
    assoc.do_set_weight_rule(
        actor=secretariat,
        association=association,
        valid_from=date(2001, 1, 1),
        kind="equal",
    )
    assoc.do_override_weight(
        actor=secretariat,
        member=factories.member(association, 1),
        weight=Decimal("99"),
        reason="test",
    )
    # 2. Members: a new one imported, one made inactive, networks changed.
    csv = factories.register_csv(14).decode().splitlines()
    assoc.do_import_members(
        actor=secretariat, association=association, data=("\n".join(csv) + "\n").encode()
    )
    Member.objects.filter(pk=factories.member(association, 2).pk).update(active=False)
    assoc.do_set_networks(actor=secretariat, member=factories.member(association, 3), codes=["P10"])
    # 3. Representatives: one removed, one added for a member, one for the new member.
    Role.objects.filter(user=reps[4]).delete()
    newcomer = Member.objects.get(association=association, code="GM1013")
    new_rep = factories.make_user("nieuw", association, Role.Kind.REPRESENTATIVE, member=newcomer)
    extra = factories.make_user(
        "extra", association, Role.Kind.REPRESENTATIVE, member=factories.member(association, 1)
    )

    poll = Poll.objects.get(pk=poll.pk)
    assert _frozen(poll) == before
    assert (poll.eligible_members, Decimal(poll.eligible_weight)) == eligible

    # The frozen register decides who votes, with the frozen weight.
    with pytest.raises(PermissionDenied, match="staat niet in het stemregister"):
        _vote(poll, new_rep, "option-1", member=newcomer)
    with pytest.raises(PermissionDenied):  # no longer a representative
        _vote(poll, reps[4], "option-1", member=factories.member(association, 4))
    _vote(poll, extra, "option-2")  # member 1, frozen weight
    _vote(poll, reps[2], "option-2")  # inactive since opening
    if secret:
        poll = factories.close_secret(chair, poll)
    else:
        poll = voting.do_close_poll(actor=chair, poll=poll)
    result = poll.outcome
    frozen = {code: w for code, (w, _, _) in before.items()}
    codes = [factories.member(association, i).code for i in range(3)]
    assert result.voted_members == 3
    assert result.option("option-2").weight == frozen[codes[1]] + frozen[codes[2]]
    assert result.eligible_weight == eligible[1]
    assert result == voting.compute_result(poll)

    # The bundle's register is the frozen one, and it verifies.
    path = tmp_path / "bundle.json"
    path.write_bytes(vote_log.bundle_bytes(poll))
    out = io.StringIO()
    assert verify.main([str(path)], out=out) == 0, out.getvalue()
    print(f"{len(before)} frozen entries unchanged after 3 kinds of register change; 3 ballots")


def _vote(poll, user, key, *, member=None):
    """A ballot as the member's device sends it: encrypted for a secret poll."""
    if poll.is_secret:
        member = member or user.roles.get(kind=Role.Kind.REPRESENTATIVE).member
        return factories.sealed_vote(poll, user, key, member=member)
    return voting.cast_ballot(actor=user, poll=poll, option_key=key)
