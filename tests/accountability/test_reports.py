"""Accountability reports: composing, the agenda, and how the meeting's vote is carried out."""

from datetime import timedelta

import pytest
from django.utils import timezone

from besluit.accountability import services as acc
from besluit.accountability import services as reports
from besluit.accountability.models import Commitment, Outcome, Report, ReportEntry
from besluit.errors import Conflict, PermissionDenied, ValidationFailed
from besluit.meetings import services as meetings
from besluit.proposals import services as proposals
from besluit.proposals.models import SubmissionStatus
from besluit.voting import services as voting
from tests.accountability import helpers

pytestmark = pytest.mark.django_db

Status = Commitment.Status
P = ReportEntry.Proposal


@pytest.fixture
def first(association):
    return helpers.meeting_in(association, 20, "Voorjaars-ALV")


@pytest.fixture
def second(association):
    return helpers.meeting_in(association, 60, "Najaars-ALV")


@pytest.fixture
def commitments(first, representative, chair):
    out = []
    for title in ("Jeugdzorg", "Omgevingswet", "Kleine gemeenten"):
        motion = helpers.submit_motion(representative, first, title=title)
        proposals.do_set_status(actor=chair, submission=motion, status=SubmissionStatus.ADOPTED)
        out.append(Commitment.objects.get(motion=motion))
    return out


def _report(secretariat, meeting, commitments, proposals_=None):
    report = reports.do_create_report(actor=secretariat, meeting=meeting, commitments=commitments)
    for entry, proposal in zip(
        report.entries.order_by("position"), proposals_ or [P.KEEP_OPEN] * 9, strict=False
    ):
        reports.do_update_entry(
            actor=secretariat,
            entry=entry,
            actions_taken=f"Gedaan voor {entry.commitment.title}.",
            actions_planned="",
            proposal=proposal,
        )
    return report


def test_a_rejected_proposal_keeps_the_commitment_open(
    secretariat, chair, second, commitments, people
):
    c = commitments[0]
    report = _report(secretariat, second, [c], [P.CARRIED_OUT])
    reports.do_publish_report(actor=secretariat, report=report)
    poll = reports.do_create_report_poll(actor=chair, report=report)
    helpers.hold_vote(chair, poll, people, "against")
    c.refresh_from_db()
    entry = report.entries.get()
    assert entry.outcome == Outcome.REJECTED
    assert c.status == Status.IN_PROGRESS and c.is_open
    # It can be reported on again, at the next meeting.
    assert Commitment.objects.filter(reports.reportable(c.association), pk=c.pk).exists()


def test_no_quorum_decides_nothing(secretariat, chair, second, commitments, people):
    report = _report(secretariat, second, commitments[:1])
    reports.do_publish_report(actor=secretariat, report=report)
    poll = reports.do_create_report_poll(actor=chair, report=report)
    poll.quorum = 1
    poll.save(update_fields=["quorum"])
    helpers.hold_vote(chair, poll, people[:1])
    assert report.entries.get().outcome == Outcome.PENDING
    assert Report.objects.get(pk=report.pk).status == Report.Status.PUBLISHED
    # Another vote is possible.
    reports.do_create_report_poll(actor=chair, report=report)


def test_whole_report_vote_skips_motions_voted_separately(
    secretariat, chair, second, commitments, people
):
    jeugd, omgeving, klein = commitments
    report = _report(secretariat, second, commitments, [P.CARRIED_OUT, P.KEEP_OPEN, P.CARRIED_OUT])
    reports.do_publish_report(actor=secretariat, report=report)
    separate_entry = report.entries.get(commitment=omgeving)
    separate = reports.do_create_report_poll(actor=chair, report=report, entry=separate_entry)
    with pytest.raises(Conflict):
        reports.do_create_report_poll(actor=chair, report=report, entry=separate_entry)
    whole = reports.do_create_report_poll(actor=chair, report=report)
    assert "Omgevingswet" not in whole.question
    assert whole.question.count("\n- ") == 2

    helpers.hold_vote(chair, whole, people)
    for c in commitments:
        c.refresh_from_db()
    assert jeugd.status == Status.DONE and klein.status == Status.DONE
    assert omgeving.status == Status.NEW  # not decided yet
    assert Report.objects.get(pk=report.pk).status == Report.Status.PUBLISHED

    helpers.hold_vote(chair, separate, people, "against")
    omgeving.refresh_from_db()
    assert omgeving.status == Status.IN_PROGRESS
    assert Report.objects.get(pk=report.pk).status == Report.Status.DECIDED
    with pytest.raises(Conflict):
        reports.do_create_report_poll(actor=chair, report=report)


def test_carried_out_keeps_not_feasible_and_closes_it(
    secretariat, board, chair, second, commitments
):
    c = commitments[0]
    acc.do_update_commitment(
        actor=board,
        commitment=c,
        title=c.title,
        theme=None,
        owner_committee=None,
        owner_user=None,
        due_date=c.due_date,
        update_interval_days=90,
        status=Status.NOT_FEASIBLE,
        note="Het Rijk werkt niet mee.",
    )
    report = reports.do_create_report(actor=secretariat, meeting=second, commitments=[c])
    entry = report.entries.get()
    assert entry.proposal == P.CARRIED_OUT  # prefilled from the status
    reports.do_update_entry(
        actor=secretariat,
        entry=entry,
        actions_taken="Niet uitvoerbaar gebleken.",
        actions_planned="",
        proposal=P.CARRIED_OUT,
    )
    reports.do_publish_report(actor=secretariat, report=report)
    reports.do_decide_by_acclamation(actor=chair, report=report)
    c.refresh_from_db()
    assert c.status == Status.NOT_FEASIBLE
    event = c.events.order_by("pk").last()
    assert event.changes["closed"] == [None, Status.NOT_FEASIBLE]
    assert event.report_entry == entry


def test_publishing(secretariat, second, commitments, association):
    report = reports.do_create_report(actor=secretariat, meeting=second)
    with pytest.raises(ValidationFailed):  # empty
        reports.do_publish_report(actor=secretariat, report=report)
    reports.do_add_entries(actor=secretariat, report=report, commitments=commitments[:2])
    with pytest.raises(ValidationFailed) as exc:  # actions not written
        reports.do_publish_report(actor=secretariat, report=report)
    assert len(exc.value.problems) == 2
    for entry in report.entries.all():
        reports.do_update_entry(
            actor=secretariat,
            entry=entry,
            actions_taken="Gedaan.",
            actions_planned="Verder.",
            proposal=P.KEEP_OPEN,
        )
    cluster = reports.do_add_cluster(
        actor=secretariat,
        report=report,
        title="Financiën",
        summary="Twee moties over geld.",
        entries=report.entries.all(),
    )
    reports.do_update_report(
        actor=secretariat, report=report, title=report.title, introduction="Inleiding."
    )
    reports.do_publish_report(actor=secretariat, report=report)
    report.refresh_from_db()
    text = report.agenda_item.explanation
    assert text.startswith("Inleiding.")
    assert "## Financiën" in text and "### Motie" in text
    assert "Gepland:\nVerder." in text
    assert report.versions.get().text == text
    # A second report on the same meeting gets an agenda item of its own.
    other = reports.do_create_report(actor=secretariat, meeting=second, commitments=commitments[2:])
    reports.do_update_entry(
        actor=secretariat,
        entry=other.entries.get(),
        actions_taken="Gedaan.",
        actions_planned="",
        proposal=P.KEEP_OPEN,
    )
    reports.do_publish_report(actor=secretariat, report=other)
    other.refresh_from_db()
    assert other.agenda_item.number == "11"
    assert other.agenda_item.title.startswith("Verantwoording")
    assert cluster.entries.count() == 2


def test_no_commitment_in_two_open_reports(secretariat, second, commitments, association):
    third = helpers.meeting_in(association, 100, "Voorjaars-ALV 2")
    reports.do_create_report(actor=secretariat, meeting=second, commitments=commitments[:1])
    with pytest.raises(Conflict):
        reports.do_create_report(actor=secretariat, meeting=third, commitments=commitments[:1])


def test_the_report_is_fixed_once_the_meeting_starts_or_votes(
    secretariat, chair, second, commitments, people
):
    report = _report(secretariat, second, commitments[:2])
    entry = report.entries.first()
    reports.do_publish_report(actor=secretariat, report=report)
    later = second.starts_at + timedelta(minutes=1)
    with pytest.raises(Conflict):
        reports.do_update_report(
            actor=secretariat, report=report, title="x", introduction="", now=later
        )
    poll = reports.do_create_report_poll(actor=chair, report=report)
    # A poll in preparation does not fix the text yet...
    reports.do_update_entry(
        actor=secretariat,
        entry=entry,
        actions_taken="Aangevuld.",
        actions_planned="",
        proposal=P.KEEP_OPEN,
    )
    # ...but a changed text must be published before the vote is opened.
    with pytest.raises(Conflict):
        reports.do_create_report_poll(actor=chair, report=report, entry=entry)
    reports.do_publish_report(actor=secretariat, report=report)
    voting.do_open_poll(actor=chair, poll=poll)
    with pytest.raises(Conflict):
        reports.do_update_entry(
            actor=secretariat,
            entry=entry,
            actions_taken="Te laat.",
            actions_planned="",
            proposal=P.KEEP_OPEN,
        )


def test_report_permissions(secretariat, board, chair, representative, second, commitments):
    with pytest.raises(PermissionDenied):
        reports.do_create_report(actor=representative, meeting=second)
    report = _report(board, second, commitments[:1])  # the board composes too
    with pytest.raises(PermissionDenied):
        reports.do_publish_report(actor=board, report=report)  # the agenda is the secretariat's
    reports.do_publish_report(actor=secretariat, report=report)
    with pytest.raises(PermissionDenied):
        reports.do_create_report_poll(actor=board, report=report)
    reports.do_create_report_poll(actor=chair, report=report)


def test_reports_only_for_meetings_to_come(secretariat, association):
    past = meetings.do_create_meeting(
        actor=None,
        association=association,
        kind="alv",
        title="Vorig jaar",
        starts_at=timezone.now() - timedelta(days=200),
        location="Utrecht",
        standard_agenda=True,
    )
    with pytest.raises(Conflict):
        reports.do_create_report(actor=secretariat, meeting=past)
