"""Where commitments come from, how they are followed up, and who may do what."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from besluit import access
from besluit.accountability import services as acc
from besluit.accountability.models import Commitment, CommitmentEvent, Demand
from besluit.associations.models import Role
from besluit.errors import Conflict, PermissionDenied, ValidationFailed
from besluit.proposals import services as proposals
from besluit.proposals.models import SubmissionStatus
from besluit.voting import services as voting
from besluit.voting.models import Decision, Poll
from tests import factories
from tests.accountability import helpers

pytestmark = pytest.mark.django_db

Status = Commitment.Status
Kind = CommitmentEvent.Kind


@pytest.fixture
def meeting(association):
    return helpers.meeting_in(association, 30, "Voorjaars-ALV")


@pytest.fixture
def motion(meeting, representative):
    return helpers.submit_motion(representative, meeting)


@pytest.fixture
def commitment(motion, chair):
    proposals.do_set_status(actor=chair, submission=motion, status=SubmissionStatus.TAKEN_OVER)
    return Commitment.objects.get(motion=motion)


# --- sources ------------------------------------------------------------------------


def test_taken_over_by_the_board_creates_a_commitment(commitment, motion):
    assert commitment.source == Commitment.Source.MOTION
    assert commitment.title == motion.title
    assert motion.request in commitment.text
    assert "overgenomen" in commitment.events.get().note


def test_adopted_by_acclamation_creates_a_commitment(motion, chair):
    voting.do_record_acclamation(
        actor=chair, meeting=motion.meeting, subject="Motie aangenomen", motion=motion
    )
    assert Commitment.objects.filter(motion=motion, status=Status.NEW).count() == 1


def test_rejected_held_over_or_withdrawn_motions_create_none(
    meeting, representative, chair, people
):
    rejected = helpers.submit_motion(representative, meeting, title="Een")
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject=Poll.Subject.MOTION, motion=rejected
    )
    helpers.hold_vote(chair, poll, people, "against")
    held = helpers.submit_motion(representative, meeting, title="Twee")
    proposals.do_set_status(actor=chair, submission=held, status=SubmissionStatus.HELD_OVER)
    withdrawn = helpers.submit_motion(representative, meeting, title="Drie")
    proposals.do_withdraw(actor=representative, submission=withdrawn)
    assert not Commitment.objects.exists()


def test_a_corrected_outcome_cancels_and_reopens_the_commitment(commitment, motion, chair):
    proposals.do_set_status(actor=chair, submission=motion, status=SubmissionStatus.REJECTED)
    commitment.refresh_from_db()
    assert commitment.status == Status.CANCELLED and not commitment.is_open
    proposals.do_set_status(actor=chair, submission=motion, status=SubmissionStatus.ADOPTED)
    commitment.refresh_from_db()
    assert commitment.status == Status.NEW
    assert Commitment.objects.filter(motion=motion).count() == 1  # the same one, reopened
    assert [e.kind for e in commitment.events.order_by("pk")] == [
        Kind.CREATED,
        Kind.CHANGED,
        Kind.REOPENED,
    ]


def test_deciding_twice_creates_one_commitment(motion, chair):
    for status in (SubmissionStatus.TAKEN_OVER, SubmissionStatus.ADOPTED):
        proposals.do_set_status(actor=chair, submission=motion, status=status)
    assert Commitment.objects.filter(motion=motion).count() == 1


# --- resolution demands -----------------------------------------------------------------


TEXT = """Inleiding over de formatie.

## Financiële verhoudingen

Gemeenten vragen het nieuwe kabinet daarom:

1. draai de korting op het gemeentefonds van 675 miljoen euro in 2026 terug;
2. herstel de groei van het gemeentefonds door de normeringssystematiek weer volledig toe te
passen;

## Wonen

Bouw 100.000 woningen per jaar.
"""


@pytest.fixture
def proposal(meeting):
    return factories.make_proposal(meeting, text=TEXT)


def test_demands_become_commitments_when_the_proposal_is_adopted(
    proposal, secretariat, chair, people
):
    cut = acc.do_mark_demand(
        actor=secretariat,
        proposal=proposal,
        title="Korting op het gemeentefonds terugdraaien",
        quote="draai de korting op het gemeentefonds van 675 miljoen euro in 2026 terug",
    )
    growth = acc.do_mark_demand(
        actor=secretariat,
        proposal=proposal,
        title="Groei gemeentefonds herstellen",
        # Copied across a line break: whitespace may differ.
        quote="herstel de groei van het gemeentefonds door de normeringssystematiek weer "
        "volledig toe te passen",
    )
    assert cut.theme.name == "Financiële verhoudingen"  # the heading above the passage
    assert growth.position == 2
    assert not Commitment.objects.exists()

    poll = voting.do_create_poll(
        actor=chair, meeting=proposal.agenda_item.meeting, subject="proposal", proposal=proposal
    )
    helpers.hold_vote(chair, poll, people)
    demands = Commitment.objects.filter(source=Commitment.Source.DEMAND).order_by(
        "demand__position"
    )
    assert [c.title for c in demands] == [cut.title, growth.title]
    assert demands[0].theme == cut.theme
    assert demands[0].decision == poll.decision
    assert demands[0].motion is None and "Eis 1" in demands[0].events.get().note

    # Marked after the adoption: its commitment follows at once.
    housing = acc.do_mark_demand(
        actor=secretariat, proposal=proposal, title="Woningbouw", quote="Bouw 100.000 woningen"
    )
    assert housing.commitment.theme.name == "Wonen"
    with pytest.raises(Conflict):
        acc.do_remove_demand(actor=secretariat, demand=housing)


def test_a_rejected_proposal_gives_no_commitments(proposal, secretariat, chair, people):
    acc.do_mark_demand(actor=secretariat, proposal=proposal, title="Woningbouw", quote="Bouw")
    poll = voting.do_create_poll(
        actor=chair, meeting=proposal.agenda_item.meeting, subject="proposal", proposal=proposal
    )
    helpers.hold_vote(chair, poll, people, "against")
    assert not Commitment.objects.exists()


def test_demands_of_a_proposal_adopted_by_acclamation(proposal, secretariat, chair):
    acc.do_mark_demand(actor=secretariat, proposal=proposal, title="Woningbouw", quote="Bouw")
    decision = voting.do_record_acclamation(
        actor=chair,
        meeting=proposal.agenda_item.meeting,
        agenda_item=proposal.agenda_item,
        subject="Resolutie vastgesteld",
    )
    other = voting.do_record_acclamation(
        actor=chair, meeting=proposal.agenda_item.meeting, subject="Notulen vastgesteld"
    )
    with pytest.raises(ValidationFailed):  # not a decision on this proposal's item
        acc.do_create_demand_commitments(actor=secretariat, proposal=proposal, decision=other)
    [c] = acc.do_create_demand_commitments(actor=secretariat, proposal=proposal, decision=decision)
    assert c.decision == decision
    with pytest.raises(Conflict):
        acc.do_create_demand_commitments(actor=secretariat, proposal=proposal, decision=decision)


def test_marking_rules(proposal, secretariat, board):
    with pytest.raises(PermissionDenied):
        acc.do_mark_demand(actor=board, proposal=proposal, title="X", quote="Bouw")
    with pytest.raises(ValidationFailed) as exc:
        acc.do_mark_demand(actor=secretariat, proposal=proposal, title="X", quote="niet in tekst")
    assert exc.value.field == "quote"
    acc.do_mark_demand(actor=secretariat, proposal=proposal, title="X", quote="Bouw")
    with pytest.raises(ValidationFailed):
        acc.do_mark_demand(actor=secretariat, proposal=proposal, title="x", quote="Bouw")
    demand = Demand.objects.get()
    acc.do_remove_demand(actor=secretariat, demand=demand)
    assert not Demand.objects.exists()


# --- follow-up -------------------------------------------------------------------------


def test_every_change_is_in_the_history(commitment, secretariat, board):
    theme = acc.do_create_theme(actor=secretariat, association=commitment.association, name="Geld")
    due = timezone.localdate() + timedelta(days=90)
    acc.do_update_commitment(
        actor=secretariat,
        commitment=commitment,
        title="Nieuwe titel",
        theme=theme,
        owner_committee=None,
        owner_user=board,
        due_date=due,
        update_interval_days=30,
        status=Status.NEW,
    )
    event = commitment.events.order_by("pk").last()
    assert event.kind == Kind.CHANGED
    assert event.actor == secretariat
    assert event.changes["title"][1] == "Nieuwe titel"
    assert event.changes["theme"] == [None, "Geld"]
    assert event.changes["owner_user"] == [None, "bestuurslid"]
    assert event.changes["due_date"][1] == due.isoformat()
    n = commitment.events.count()
    # Saving without a change writes nothing.
    acc.do_update_commitment(
        actor=secretariat,
        commitment=commitment,
        title="Nieuwe titel",
        theme=theme,
        owner_committee=None,
        owner_user=board,
        due_date=due,
        update_interval_days=30,
        status=Status.NEW,
    )
    assert commitment.events.count() == n
    # Not feasible needs a reason.
    kwargs = dict(
        actor=secretariat,
        commitment=commitment,
        title="Nieuwe titel",
        theme=theme,
        owner_committee=None,
        owner_user=board,
        due_date=due,
        update_interval_days=30,
        status=Status.NOT_FEASIBLE,
    )
    with pytest.raises(ValidationFailed):
        acc.do_update_commitment(**kwargs)
    acc.do_update_commitment(**kwargs, note="Het Rijk weigert.")
    commitment.refresh_from_db()
    assert commitment.closed_at is not None and not commitment.is_open


def test_owner_must_belong_to_the_association(commitment, secretariat, association):
    stranger_association = factories.make_association(3, slug="ander")
    stranger = factories.make_user("vreemde", stranger_association, Role.Kind.BOARD)
    with pytest.raises(ValidationFailed):
        acc.do_update_commitment(
            actor=secretariat,
            commitment=commitment,
            title="t",
            theme=None,
            owner_committee=None,
            owner_user=stranger,
            due_date=None,
            update_interval_days=30,
            status=Status.NEW,
        )


def _pdf(name="verslag.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n")


def test_updates_with_links_and_attachments(commitment, board, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    update = acc.do_post_update(
        actor=board,
        commitment=commitment,
        done="Overleg gevoerd.",
        planned="Brief sturen.",
        links="https://example.org/a\n\n  https://example.org/b  ",
        files=[_pdf()],
    )
    assert update.link_list == ["https://example.org/a", "https://example.org/b"]
    [attachment] = update.attachments.all()
    assert attachment.extension == "pdf" and attachment.original_name == "verslag.pdf"
    assert attachment.file.read().startswith(b"%PDF")
    event = commitment.events.order_by("pk").last()
    assert event.kind == Kind.UPDATE and event.update == update
    assert event.changes["status"] == [Status.NEW, Status.IN_PROGRESS]

    with pytest.raises(ValidationFailed):
        acc.do_post_update(actor=board, commitment=commitment, done="", planned="")
    with pytest.raises(ValidationFailed):
        acc.do_post_update(
            actor=board, commitment=commitment, done="x", planned="", links="ftp://x"
        )
    with pytest.raises(ValidationFailed):
        fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf")
        acc.do_post_update(actor=board, commitment=commitment, done="x", planned="", files=[fake])
    with pytest.raises(ValidationFailed):
        acc.do_post_update(
            actor=board,
            commitment=commitment,
            done="x",
            planned="",
            as_of=timezone.localdate() + timedelta(days=1),
        )
    assert commitment.updates.count() == 1


def test_milestones_drive_the_progress(commitment, board):
    one = acc.do_add_milestone(actor=board, commitment=commitment, title="Brief")
    acc.do_add_milestone(actor=board, commitment=commitment, title="Overleg")
    acc.do_add_milestone(actor=board, commitment=commitment, title="Besluit")
    acc.do_set_milestone_done(actor=board, milestone=one, done_on=timezone.localdate())
    commitment.refresh_from_db()
    assert commitment.progress == 33
    with pytest.raises(ValidationFailed):  # progress follows the milestones
        acc.do_post_update(actor=board, commitment=commitment, done="x", planned="", progress=80)
    acc.do_remove_milestone(actor=board, milestone=one)
    commitment.refresh_from_db()
    assert commitment.progress == 0
    assert commitment.events.filter(kind=Kind.MILESTONE).count() == 5


def test_overdue_is_computed_from_the_due_date(commitment):
    today = timezone.localdate()
    commitment.due_date = today - timedelta(days=1)
    assert commitment.is_overdue and commitment.shown_status == "overdue"
    commitment.status = Status.DONE
    assert not commitment.is_overdue
    commitment.status = Status.HELD_OVER
    assert commitment.is_overdue_on(today)
    assert not commitment.is_overdue_on(today - timedelta(days=1))


# --- who may do what ---------------------------------------------------------------------


def test_access_per_role(commitment, association, secretariat, chair, board, representative):
    observer = factories.make_user("waarnemer", association, Role.Kind.OBSERVER)
    owner = factories.make_user("eigenaar", association, Role.Kind.OBSERVER)
    commitment.owner_user = owner
    assert [access.can_follow_up(u, association) for u in (secretariat, chair, board)] == [
        True,
        False,
        True,
    ]
    assert not access.can_follow_up(representative, association)
    assert not access.can_follow_up(observer, association)
    assert access.can_post_progress(owner, commitment)  # the owner, whatever the role
    assert not access.can_post_progress(observer, commitment)
    assert access.can_post_progress(board, commitment)
    with pytest.raises(PermissionDenied):
        acc.do_post_update(actor=representative, commitment=commitment, done="x", planned="")
    with pytest.raises(PermissionDenied):
        acc.do_update_commitment(
            actor=chair,
            commitment=commitment,
            title="t",
            theme=None,
            owner_committee=None,
            owner_user=None,
            due_date=None,
            update_interval_days=30,
            status=Status.NEW,
        )
    with pytest.raises(PermissionDenied):
        acc.do_create_theme(actor=board, association=association, name="Geld")


def test_cancelled_commitments_take_no_updates(commitment, motion, chair, board):
    proposals.do_set_status(actor=chair, submission=motion, status=SubmissionStatus.REJECTED)
    with pytest.raises(Conflict):
        acc.do_post_update(actor=board, commitment=commitment, done="x", planned="")


def test_the_database_keeps_one_commitment_per_motion(commitment, motion):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.create(
            association=commitment.association,
            meeting=commitment.meeting,
            source=Commitment.Source.MOTION,
            motion=motion,
            title="dubbel",
            text="x",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.create(
            association=commitment.association,
            meeting=commitment.meeting,
            source=Commitment.Source.DEMAND,
            motion=motion,
            title="verkeerd",
            text="x",
        )


def test_decision_is_linked_for_motions_adopted_by_vote(motion, chair, people):
    poll = helpers.adopt_by_vote(chair, motion, people)
    assert Commitment.objects.get(motion=motion).decision == Decision.objects.get(poll=poll)
