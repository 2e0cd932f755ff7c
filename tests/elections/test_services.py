"""Elections through the services: candidacies, rounds, ballots, count, seats, record."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import override

from besluit.core.elections import record as core_record
from besluit.elections import publish
from besluit.elections import services as el
from besluit.elections.models import (
    Candidacy,
    Election,
    ElectionBallot,
    Membership,
    PooledChoice,
    Round,
)
from besluit.errors import Conflict, PermissionDenied, ValidationFailed

from . import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(secretariat, association):
    return h.body(secretariat, association)


def test_nomination_consent_withdrawal_and_voordracht(chair, board, secretariat, meeting, body):
    e = h.election(chair, meeting, body)
    rep = h.reps(meeting.association, 1)[0]
    by_board = el.do_nominate(actor=board, election=e, name="A. de Vries", by_board=True)
    by_member = el.do_nominate(actor=rep, election=e, name="B. Jansen", function="wethouder")
    assert by_board.recommended and not by_member.recommended
    assert by_member.nominated_by_member == rep.roles.get().member
    assert not by_board.stands  # no consent yet
    el.do_consent(actor=secretariat, candidacy=by_board, accept=True)
    el.do_consent(actor=secretariat, candidacy=by_member, accept=True)
    el.do_recommend(actor=board, candidacy=by_member, recommended=True)
    el.do_withdraw(actor=secretariat, candidacy=by_board)
    assert [c.name for c in el.standing_candidates(e)] == ["B. Jansen"]
    with pytest.raises(PermissionDenied):
        el.do_consent(actor=rep, candidacy=by_member, accept=False)  # not the candidate


def test_a_nomination_after_the_deadline_is_refused_in_dutch_and_nothing_stored(
    chair, board, meeting, body
):
    e = h.election(chair, meeting, body)
    later = e.nomination_deadline + timedelta(minutes=1)
    with override("nl"), pytest.raises(Conflict) as exc:
        el.do_nominate(actor=board, election=e, name="Te Laat", by_board=True, now=later)
    assert "termijn voor kandidaatstellingen" in exc.value.message
    assert not Candidacy.objects.exists()


def test_a_late_nomination_waits_for_the_chair_when_the_rules_say_so(chair, board, meeting, body):
    e = h.election(chair, meeting, body, late_nominations="chair_admits")
    later = e.nomination_deadline + timedelta(minutes=1)
    c = el.do_nominate(actor=board, election=e, name="Na Komer", by_board=True, now=later)
    assert c.is_late and not c.admitted
    el.do_admit_late(actor=chair, candidacy=c)
    c.refresh_from_db()
    assert c.admitted


def test_a_candidate_who_did_not_accept_is_not_on_the_ballot(
    chair, board, secretariat, meeting, body
):
    e = h.election(chair, meeting, body, seats=1)
    h.stand(e, ["A", "B"], by=board, secretariat=secretariat)
    el.do_nominate(actor=board, election=e, name="Zonder Instemming", by_board=True)
    rnd = el.do_open_round(actor=chair, election=e)
    assert rnd.candidates == ["k1", "k2"]
    rep = h.reps(meeting.association, 1)[0]
    with override("nl"), pytest.raises(ValidationFailed) as exc:
        el.do_cast(actor=rep, election=e, choice=["k1", "k3"])
    assert "doet niet mee" in exc.value.message
    assert not ElectionBallot.objects.exists() and not PooledChoice.objects.exists()


@pytest.mark.parametrize(
    ("choice", "dutch"),
    [
        ({"k1": 1, "k2": 1}, "dezelfde plaats"),
        ({"k1": 1, "k3": 3}, "ontbreekt"),
        (["k1", "k1"], "meer dan eens"),
        (["k9"], "doet niet mee"),
        ([], "geen kandidaat"),
    ],
)
def test_bad_rankings_are_refused_in_dutch_and_store_nothing(
    chair, board, secretariat, meeting, body, choice, dutch
):
    e = h.election(chair, meeting, body, seats=2)
    h.stand(e, ["A", "B", "C"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    rep = h.reps(meeting.association, 1)[0]
    with override("nl"), pytest.raises(ValidationFailed) as exc:
        el.do_cast(actor=rep, election=e, choice=choice)
    assert dutch in exc.value.message
    assert not ElectionBallot.objects.exists() and not PooledChoice.objects.exists()


def test_too_many_approvals_are_refused(chair, board, secretariat, meeting, body):
    e = h.election(chair, meeting, body, method="approval", seats=2)
    h.stand(e, ["A", "B", "C"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    rep = h.reps(meeting.association, 1)[0]
    with override("nl"), pytest.raises(ValidationFailed) as exc:
        el.do_cast(actor=rep, election=e, choice=["k1", "k2", "k3"])
    assert "Kies ten hoogste 2" in exc.value.message
    assert not ElectionBallot.objects.exists()


def test_one_ballot_per_member_per_round_in_the_database(chair, board, secretariat, meeting, body):
    e = h.election(chair, meeting, body, seats=2)
    h.stand(e, ["A", "B", "C"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    rep = h.reps(meeting.association, 1)[0]
    ballot = el.do_cast(actor=rep, election=e, choice=["k1"])
    with pytest.raises(Conflict):
        el.do_cast(actor=rep, election=e, choice=["k2"])
    with pytest.raises(IntegrityError), transaction.atomic():
        ElectionBallot.objects.create(
            round=ballot.round, member=ballot.member, cast_at=timezone.now()
        )


def test_a_secret_round_stores_no_link_from_member_to_choice(
    chair, board, secretariat, meeting, body
):
    e = h.election(chair, meeting, body, seats=2)
    h.stand(e, ["A", "B", "C"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    for rep in h.reps(meeting.association, 3):
        el.do_cast(actor=rep, election=e, choice=["k2", "k1"])
    ballots = list(ElectionBallot.objects.values("choice", "cast_by"))
    assert ballots == [{"choice": None, "cast_by": None}] * 3
    (pooled,) = PooledChoice.objects.all()
    assert json.loads(pooled.choice) == ["k2", "k1"] and pooled.members == 3
    assert not any(f.name in ("member", "cast_at") for f in PooledChoice._meta.fields)


def test_stv_election_counts_weighted_ballots_and_makes_memberships(
    chair, board, secretariat, meeting, body
):
    e = h.election(chair, meeting, body, seats=2, secret=False)
    h.stand(e, ["Anna", "Bert", "Cor"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    voters = h.reps(meeting.association, 6)
    for i, rep in enumerate(voters):
        el.do_cast(actor=rep, election=e, choice=["k1", "k3"] if i % 3 else ["k2", "k3"])
    rnd = el.do_close_round(actor=chair, election=e)
    e.refresh_from_db()
    assert e.status == Election.Status.DECIDED
    assert rnd.result["outcome"] == "elected" and len(rnd.result["elected"]) == 2
    assert rnd.seed == core_record.lot_seed(rnd.nonce, el.round_ballots(rnd)).hex()
    seats = Membership.objects.filter(body=body)
    assert {m.name for m in seats} == {
        c.name for c in e.candidacies.all() if c.key in rnd.result["elected"]
    }
    assert all(m.ends_on == e.term_ends for m in seats)
    # Named: every member's ranking is stored and published.
    assert ElectionBallot.objects.filter(choice__isnull=False).count() == 6


def test_two_rounds_when_nobody_has_a_majority(chair, board, secretariat, meeting, body):
    e = h.election(chair, meeting, body, method="two_round", seats=1)
    h.stand(e, ["A", "B", "C"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    voters = h.reps(meeting.association, 3)
    for rep, choice in zip(voters, ["k1", "k2", "k3"], strict=True):
        el.do_cast(actor=rep, election=e, choice=choice)
    first = el.do_close_round(actor=chair, election=e)
    if first.result["outcome"] == "elected":  # one member's weight may be a majority alone
        pytest.skip("the weights gave a majority in round 1")
    assert first.result["outcome"] == "second_round"
    second = el.do_open_round(actor=chair, election=e)
    assert second.number == 2 and sorted(second.candidates) == sorted(first.result["runoff"])
    el.do_cast(actor=voters[0], election=e, choice=second.candidates[0])
    closed = el.do_close_round(actor=chair, election=e)
    assert closed.result["elected"] == [second.candidates[0]]


def test_unopposed_candidates_are_declared_elected_when_allowed(
    chair, board, secretariat, meeting, body
):
    e = h.election(chair, meeting, body, seats=2)
    h.stand(e, ["A", "B"], by=board, secretariat=secretariat)
    with pytest.raises(Conflict):
        el.do_open_round(actor=chair, election=e)
    rnd = el.do_declare_unopposed(actor=chair, election=e)
    assert rnd.result["outcome"] == "unopposed"
    assert Membership.objects.filter(body=body).count() == 2


def test_the_published_record_recounts_and_detects_tampering(
    chair, board, secretariat, meeting, body
):
    e = h.election(chair, meeting, body, seats=2)
    h.stand(e, ["A", "B", "C", "D"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    for i, rep in enumerate(h.reps(meeting.association, 8)):
        el.do_cast(actor=rep, election=e, choice=[["k1", "k2"], ["k3"], ["k4", "k1"]][i % 3])
    el.do_close_round(actor=chair, election=e)
    e.refresh_from_db()
    data = json.loads(publish.bundle_bytes(e))
    assert core_record.verify_election_bundle(data) == []
    assert all("member" not in b for b in data["rounds"][0]["ballots"])
    data["rounds"][0]["ballots"][0]["weight"] = str(
        Decimal(data["rounds"][0]["ballots"][0]["weight"]) + 50
    )
    problems = core_record.verify_election_bundle(data)
    assert any("signature" in p for p in problems)
    assert any("seed" in p for p in problems)


def test_nothing_is_accepted_after_the_close(chair, board, secretariat, meeting, body):
    e = h.election(chair, meeting, body, seats=2)
    h.stand(e, ["A", "B", "C"], by=board, secretariat=secretariat)
    el.do_open_round(actor=chair, election=e)
    voters = h.reps(meeting.association, 2)
    el.do_cast(actor=voters[0], election=e, choice=["k1"])
    el.do_close_round(actor=chair, election=e)
    with pytest.raises(Conflict):
        el.do_cast(actor=voters[1], election=e, choice=["k2"])
    assert Round.objects.get().ballots.count() == 1


def test_the_decision_list_records_who_was_elected(chair, board, secretariat, meeting, body):
    from besluit.voting.models import Decision

    e = h.election(chair, meeting, body, seats=2)
    h.stand(e, ["Anna", "Bert"], by=board, secretariat=secretariat)
    el.do_declare_unopposed(actor=chair, election=e)
    (decision,) = Decision.objects.filter(meeting=meeting)
    assert decision.method == Decision.Method.ACCLAMATION
    assert decision.text == (
        "Gekozen zonder tegenkandidaat als lid van Bestuur: Anna, Bert; "
        "zittingstermijn 01-01-2027 tot en met 31-12-2030."
    )
