"""Checking in, the meeting's quorum gate, and paper ballots in the tally and the bundle."""

import json
from decimal import Decimal

import pytest

from besluit.attendance import selectors
from besluit.attendance import services as attendance
from besluit.attendance.models import Attendance, PaperBallot, PollQuorum
from besluit.audit.models import AuditEvent
from besluit.core import bundle as core_bundle
from besluit.core.sealedbundle import verify_sealed_bundle
from besluit.core.votelog import canonical_decimal
from besluit.errors import Conflict, PermissionDenied, ValidationFailed
from besluit.voting import log as vote_log
from besluit.voting import services as voting
from besluit.voting.models import Ballot, Poll
from tests import factories

from .conftest import m

pytestmark = [pytest.mark.django_db, pytest.mark.dbbackend]  # and on PostgreSQL


def test_checking_in_twice_is_refused_and_a_departure_ends_presence(
    association, meeting, secretariat
):
    attendance.do_check_in(
        actor=secretariat, meeting=meeting, member=m(association, 0), representative="J. Jansen"
    )
    with pytest.raises(Conflict, match="al aangemeld"):
        attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, 0))
    assert Attendance.objects.count() == 1
    found = selectors.presence(meeting)
    assert found.present_members == 1 and found.eligible_members == 12
    attendance.do_check_out(actor=secretariat, meeting=meeting, member=m(association, 0))
    assert selectors.presence(meeting).present_members == 0
    attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, 0))
    assert Attendance.objects.count() == 2
    assert AuditEvent.objects.filter(action="attendance.checked_in").count() == 2


def test_a_closed_meeting_takes_no_arrival_and_no_departure(association, meeting, secretariat):
    attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, 0))
    meeting.status = meeting.Status.CLOSED
    meeting.save(update_fields=["status"])
    for call in (attendance.do_check_out, attendance.do_check_in):
        with pytest.raises(Conflict, match="vergadering is gesloten"):
            call(actor=secretariat, meeting=meeting, member=m(association, 0))
    (kept,) = Attendance.objects.all()
    assert kept.departed_at is None
    assert not AuditEvent.objects.filter(action="attendance.checked_out").exists()


def test_self_check_in_only_when_the_meeting_allows_it(association, meeting, secretariat, reps):
    with pytest.raises(Conflict, match="op afstand"):
        attendance.do_self_check_in(actor=reps[0], meeting=meeting)
    attendance.do_configure_meeting(actor=secretariat, meeting=meeting, remote_check_in=True)
    found = attendance.do_self_check_in(actor=reps[0], meeting=meeting, representative="A. B.")
    assert found.member == m(association, 0) and found.how == Attendance.How.REMOTE
    with pytest.raises(PermissionDenied):
        attendance.do_self_check_in(actor=secretariat, meeting=meeting)


def test_present_and_represented_in_number_and_weight(
    association, meeting, secretariat, rules, reps
):
    attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, 1))
    attendance.do_request_proxy(
        actor=secretariat,
        meeting=meeting,
        grantor=m(association, 0),
        holder=m(association, 1),
        approve=True,
    )
    found = selectors.presence(meeting)
    weights = {r.member.pk: r.weight for r in found.rows}
    assert (found.present_members, found.represented_members) == (1, 1)
    assert found.counted_weight == weights[m(association, 0).pk] + weights[m(association, 1).pk]
    assert found.members_share == Decimal(2) / 12


def test_a_poll_requiring_the_meeting_quorum_opens_only_when_it_is_met(
    association, meeting, secretariat, chair
):
    attendance.do_configure_meeting(
        actor=secretariat,
        meeting=meeting,
        remote_check_in=False,
        quorum_members=Decimal("0.5"),
    )
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject="free", alternatives=["Ja", "Nee"], title="Statuten"
    )
    attendance.do_require_meeting_quorum(actor=chair, poll=poll)
    for i in range(5):
        attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, i))
    assert not selectors.meeting_quorum(meeting).met
    with pytest.raises(Conflict, match="niet gehaald"):
        voting.do_open_poll(actor=chair, poll=poll)
    poll.refresh_from_db()
    assert poll.status == Poll.Status.DRAFT and not poll.register.exists()
    attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, 5))
    voting.do_open_poll(actor=chair, poll=poll)
    check = PollQuorum.objects.get(poll=poll)
    assert check.met and check.members == 6 and check.eligible_members == 12
    with pytest.raises(Conflict):
        attendance.do_require_meeting_quorum(actor=chair, poll=poll, required=False)


def test_a_named_paper_ballot_counts_is_logged_and_shows_in_the_bundle(
    association, meeting, secretariat, chair, reps
):
    poll = factories.open_poll(chair, meeting)
    voting.cast_ballot(actor=reps[0], poll=poll, option_key="option-1")
    with pytest.raises(Conflict, match="digitaal"):
        attendance.do_enter_paper_ballot(
            actor=secretariat,
            poll=poll,
            member=m(association, 0),
            option_key="option-2",
            handed_in_by="J. Jansen",
        )
    with pytest.raises(PermissionDenied):
        attendance.do_enter_paper_ballot(
            actor=chair,
            poll=poll,
            member=m(association, 2),
            option_key="option-2",
            handed_in_by="x",
        )
    receipt = attendance.do_enter_paper_ballot(
        actor=secretariat,
        poll=poll,
        member=m(association, 2),
        option_key="option-2",
        handed_in_by="P. de Vries",
    )
    ballot = Ballot.objects.get(public_id=receipt.ballot_id)
    assert ballot.on_paper and ballot.cast_by == secretariat
    assert PaperBallot.objects.get(ballot=ballot).handed_in_by == "P. de Vries"
    with pytest.raises(Conflict):  # and no digital vote after the paper one
        voting.cast_ballot(actor=reps[2], poll=poll, option_key="option-1")
    poll = voting.do_close_poll(actor=chair, poll=poll)
    assert poll.outcome.voted_members == 2
    bundle = json.loads(vote_log.bundle_bytes(poll))
    assert core_bundle.verify_bundle(vote_log.bundle_bytes(poll)) == []
    papers = [e for e in bundle["log"]["leaves"] if e.get("paper")]
    assert [e["member"] for e in papers] == [m(association, 2).code]


def test_a_secret_paper_round_needs_two_tellers_and_matching_totals(
    association, meeting, secretariat, chair, reps
):
    other = factories.make_user("teller-2", association, "secretariat")
    poll = factories.open_poll(chair, meeting, is_secret=True)
    factories.sealed_vote(poll, reps[0], "option-1")
    with pytest.raises(ValidationFailed, match="alleen versleutelde stemmen"):
        voting.cast_ballot(actor=reps[1], poll=poll, option_key="option-1")
    weights = dict(poll.register.values_list("member_id", "weight"))
    w3, w4 = weights[m(association, 3).pk], weights[m(association, 4).pk]
    with pytest.raises(ValidationFailed):
        attendance.do_enter_paper_ballot(
            actor=secretariat,
            poll=poll,
            member=m(association, 3),
            option_key="option-1",
            handed_in_by="x",
        )
    paper = attendance.do_enter_paper_round(
        actor=secretariat,
        poll=poll,
        members=[m(association, 3), m(association, 4)],
        totals={
            "option-1": {"members": 1, "weight": str(w3)},
            "option-2": {"members": 1, "weight": str(w4 + 1)},  # a counting error
        },
    )
    with pytest.raises(Conflict, match="tweede persoon"):
        attendance.do_sign_paper_round(actor=secretariat, paper=paper)
    with pytest.raises(ValidationFailed, match="kloppen niet"):
        attendance.do_sign_paper_round(actor=other, paper=paper)
    assert Ballot.objects.filter(poll=poll).count() == 1  # nothing changed
    paper.totals["option-2"]["weight"] = str(w4)
    paper.save()
    attendance.do_sign_paper_round(actor=other, paper=paper)
    assert Ballot.objects.filter(poll=poll, on_paper=True).count() == 2
    # Encrypted and paper together: the trustees decrypt the sealed ballot, the
    # tellers' totals are added, and the published bundle proves both.
    poll = factories.close_secret(chair, poll)
    assert poll.outcome.voted_members == 3
    w0 = weights[m(association, 0).pk]
    assert poll.outcome.option("option-1").weight == w0 + w3
    assert poll.outcome.option("option-1").members == 2
    assert poll.outcome.option("option-2").weight == w4
    data = vote_log.bundle_bytes(poll)
    assert verify_sealed_bundle(data) == []
    bundle = json.loads(data)
    assert sum(1 for e in bundle["log"]["leaves"] if e.get("paper")) == 2
    assert bundle["tally"]["paper"]["option-2"] == [canonical_decimal(w4), 1]
    # The tellers' totals are signed: changing them fails the bundle.
    bundle["tally"]["paper"]["option-2"][1] = 2
    assert verify_sealed_bundle(core_bundle.serialize_bundle(bundle))


def test_check_ins_refresh_the_live_screens_coalesced(
    association, meeting, secretariat, monkeypatch, django_capture_on_commit_callbacks
):
    import threading

    from besluit.attendance import announce

    sent, done = [], threading.Event()

    def publish(meeting_id, kind, data):
        sent.append((meeting_id, kind))
        done.set()

    monkeypatch.setattr("besluit.live.services.publish_ephemeral", publish)
    monkeypatch.setattr(announce, "DELAY", 0.2)
    with django_capture_on_commit_callbacks() as callbacks:
        for i in range(3):
            attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, i))
    for callback in callbacks:  # the three commits, back to back
        callback()
    assert done.wait(10)
    assert sent == [(meeting.pk, "attendance")]  # three check-ins, one refresh
