"""A motion split into parts: one commitment per adopted part."""

import pytest

from besluit.accountability import services as acc
from besluit.accountability.models import Commitment, MotionPart, Outcome, PartPoll
from besluit.errors import Conflict, PermissionDenied, ValidationFailed
from besluit.proposals.models import SubmissionStatus
from besluit.voting import services as voting
from besluit.voting.models import Poll
from tests.accountability import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def motion(association, representative):
    meeting = helpers.meeting_in(association, 30, "Voorjaars-ALV")
    item = meeting.agenda_items.get(number="07")
    return helpers.submit_motion(representative, meeting, agenda_item=item)


def test_parse_parts():
    assert acc.parse_parts("a) eerst dit\n\nb) dan dat") == [
        ("deel a", "eerst dit"),
        ("deel b", "dan dat"),
    ]
    assert acc.parse_parts("eerst dit\r\n\r\n2. dan\ndat") == [
        ("deel 1", "eerst dit"),
        ("deel 2", "dan\ndat"),
    ]


def test_split_motion_parts_decided_differently_give_one_commitment_per_adopted_part(
    motion, chair, people
):
    parts = acc.do_split_motion(
        actor=chair,
        motion=motion,
        parts=[
            ("deel a", "het Rijk te vragen de korting op het gemeentefonds terug te draaien"),
            ("deel b", "een landelijke actiedag te organiseren"),
            ("deel c", "de leden twee keer per jaar te informeren"),
        ],
    )
    a, b, c = parts

    # Part a: adopted by vote; part b: rejected by vote; part c: by acclamation.
    poll_a = acc.do_create_part_poll(actor=chair, part=a)
    assert poll_a.subject == Poll.Subject.AGENDA_ITEM
    assert poll_a.agenda_item == motion.agenda_item
    assert poll_a.question == a.text
    assert "deel a" in poll_a.title
    assert PartPoll.objects.get(poll=poll_a).part == a
    helpers.hold_vote(chair, poll_a, people, "for")
    a.refresh_from_db()
    assert a.outcome == Outcome.ADOPTED

    poll_b = acc.do_create_part_poll(actor=chair, part=b)
    helpers.hold_vote(chair, poll_b, people, "against")
    b.refresh_from_db()
    assert b.outcome == Outcome.REJECTED
    motion.refresh_from_db()
    assert motion.status == SubmissionStatus.ADMITTED  # part c is still open

    acc.do_adopt_part_by_acclamation(actor=chair, part=c)
    motion.refresh_from_db()
    assert motion.status == SubmissionStatus.ADOPTED  # partly adopted counts as adopted

    commitments = Commitment.objects.filter(motion=motion).order_by("part__position")
    assert [x.source for x in commitments] == [Commitment.Source.MOTION_PART] * 2
    assert [x.part for x in commitments] == [a, c]
    assert commitments[0].text == a.text
    assert "(deel a)" in commitments[0].title
    assert commitments[0].decision == poll_a.decision
    # No commitment for the whole motion, none for the rejected part.
    assert not Commitment.objects.filter(source=Commitment.Source.MOTION, motion=motion).exists()
    assert not Commitment.objects.filter(part=b).exists()


def test_all_parts_rejected_rejects_the_motion(motion, chair, people):
    a, b = acc.do_split_motion(actor=chair, motion=motion, parts=[("a", "x"), ("b", "y")])
    for part in (a, b):
        helpers.hold_vote(chair, acc.do_create_part_poll(actor=chair, part=part), people, "against")
    motion.refresh_from_db()
    assert motion.status == SubmissionStatus.REJECTED
    assert not Commitment.objects.filter(motion=motion).exists()


def test_no_quorum_leaves_the_part_pending(motion, chair, people):
    a, _b = acc.do_split_motion(actor=chair, motion=motion, parts=[("a", "x"), ("b", "y")])
    poll = acc.do_create_part_poll(actor=chair, part=a)
    poll.quorum = 1  # everyone must vote: they will not
    poll.save(update_fields=["quorum"])
    helpers.hold_vote(chair, poll, people[:2])
    a.refresh_from_db()
    assert a.outcome == Outcome.PENDING
    # The chair may hold the vote again.
    poll2 = acc.do_create_part_poll(actor=chair, part=a)
    helpers.hold_vote(chair, poll2, people)
    a.refresh_from_db()
    assert a.outcome == Outcome.ADOPTED


def test_split_rules(motion, chair, representative, people):
    with pytest.raises(PermissionDenied):
        acc.do_split_motion(actor=representative, motion=motion, parts=[("a", "x"), ("b", "y")])
    with pytest.raises(ValidationFailed):
        acc.do_split_motion(actor=chair, motion=motion, parts=[("a", "x")])
    with pytest.raises(ValidationFailed):
        acc.do_split_motion(actor=chair, motion=motion, parts=[("a", "x"), ("A", "y")])
    # Before any vote the split can be changed.
    acc.do_split_motion(actor=chair, motion=motion, parts=[("a", "x"), ("b", "y")])
    parts = acc.do_split_motion(actor=chair, motion=motion, parts=[("1", "x"), ("2", "y")])
    assert [p.label for p in MotionPart.objects.filter(motion=motion)] == ["1", "2"]
    poll = acc.do_create_part_poll(actor=chair, part=parts[0])
    with pytest.raises(Conflict):
        acc.do_create_part_poll(actor=chair, part=parts[0])  # one vote at a time
    with pytest.raises(Conflict):
        acc.do_split_motion(actor=chair, motion=motion, parts=[("a", "x"), ("b", "y")])
    voting.do_open_poll(actor=chair, poll=poll)
    with pytest.raises(Conflict):
        acc.do_adopt_part_by_acclamation(actor=chair, part=parts[0])


def test_a_motion_voted_as_a_whole_cannot_be_split(motion, chair, people):
    helpers.adopt_by_vote(chair, motion, people)
    with pytest.raises(Conflict):
        acc.do_split_motion(actor=chair, motion=motion, parts=[("a", "x"), ("b", "y")])


def test_motion_without_agenda_item_is_voted_under_item_08(association, representative, chair):
    meeting = helpers.meeting_in(association, 30, "ALV")
    motion = helpers.submit_motion(representative, meeting)
    a, _b = acc.do_split_motion(actor=chair, motion=motion, parts=[("a", "x"), ("b", "y")])
    poll = acc.do_create_part_poll(actor=chair, part=a)
    assert poll.agenda_item.number == "08"


def test_a_part_adopted_by_acclamation_keeps_its_outcome(motion, chair, people):
    a, _b = acc.do_split_motion(actor=chair, motion=motion, parts=[("a", "x"), ("b", "y")])
    poll = acc.do_create_part_poll(actor=chair, part=a)  # prepared, not opened
    acc.do_adopt_part_by_acclamation(actor=chair, part=a)
    helpers.hold_vote(chair, poll, people, "against")  # opened and closed anyway
    a.refresh_from_db()
    assert a.outcome == Outcome.ADOPTED
    assert Commitment.objects.filter(part=a).count() == 1
