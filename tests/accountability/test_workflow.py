"""From submission to "considered carried out", through two later meetings.

A motion is submitted, advised on and adopted at the first meeting; the board
follows it up; the second meeting holds it over on the board's proposal; the third
considers it carried out. Every step goes through the services the pages call.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from besluit.accountability import selectors
from besluit.accountability import services as acc
from besluit.accountability import services as reports
from besluit.accountability.models import (
    Commitment,
    CommitmentEvent,
    Outcome,
    Report,
    ReportEntry,
)
from besluit.accountability.views.common import labels
from besluit.audit.models import AuditEvent
from besluit.proposals import services as proposals
from besluit.proposals.models import PreAdvice, SubmissionStatus
from besluit.voting.models import Decision
from tests import factories
from tests.accountability import helpers

pytestmark = pytest.mark.django_db

Status = Commitment.Status
P = ReportEntry.Proposal


def test_motion_from_submission_to_carried_out_through_two_meetings(
    association, representative, chair, board, secretariat, people, client
):
    first = helpers.meeting_in(association, 20, "Voorjaars-ALV")
    second = helpers.meeting_in(association, 60, "Najaars-ALV")
    third = helpers.meeting_in(association, 120, "Voorjaars-ALV volgend jaar")
    theme = acc.do_create_theme(actor=secretariat, association=association, name="Sociaal domein")
    committee = acc.do_create_committee(
        actor=secretariat, association=association, name="Commissie Zorg", email="zorg@vng.test"
    )

    # Meeting 1: submitted with a co-submitter, pre-advice, adopted by vote.
    motion = helpers.submit_motion(representative, first, co=[factories.member(association, 1)])
    proposals.do_set_pre_advice(
        actor=board, submission=motion, advice=PreAdvice.MEETING_DECIDES, reason="Oordeel ALV."
    )
    poll = helpers.adopt_by_vote(chair, motion, people)
    motion.refresh_from_db()
    assert motion.status == SubmissionStatus.ADOPTED

    commitment = Commitment.objects.get(motion=motion)
    assert commitment.source == Commitment.Source.MOTION
    assert commitment.status == Status.NEW
    assert commitment.meeting == first
    assert commitment.decision == Decision.objects.get(poll=poll)
    assert commitment.due_date == timezone.localdate() + timedelta(days=365)
    created = commitment.events.get()
    assert created.kind == CommitmentEvent.Kind.CREATED
    assert AuditEvent.objects.filter(action="commitment.created", object_id=str(commitment.pk))

    # The secretariat assigns it; the owner reports progress.
    acc.do_update_commitment(
        actor=secretariat,
        commitment=commitment,
        title=commitment.title,
        theme=theme,
        owner_committee=committee,
        owner_user=board,
        due_date=timezone.localdate() + timedelta(days=200),
        update_interval_days=60,
        status=Status.NEW,
    )
    acc.do_post_update(
        actor=board,
        commitment=commitment,
        done="Brief aan de minister gestuurd; overleg met BZK gepland.",
        planned="Bestuurlijk overleg in het najaar.",
        links="https://example.org/brief-jeugdzorg",
        progress=30,
    )
    commitment.refresh_from_db()
    assert commitment.status == Status.IN_PROGRESS  # a first update starts the work
    assert commitment.progress == 30
    assert commitment.last_update_at is not None

    # Meeting 2: the board proposes to keep the motion open; the meeting agrees.
    report = reports.do_create_report(actor=secretariat, meeting=second)
    [entry] = reports.do_add_entries(actor=secretariat, report=report, commitments=[commitment])
    assert entry.proposal == P.KEEP_OPEN  # still in progress
    assert "Brief aan de minister" in entry.actions_taken  # filled in from the updates
    assert entry.actions_planned == "Bestuurlijk overleg in het najaar."
    version = reports.do_publish_report(actor=secretariat, report=report)
    report.refresh_from_db()
    item = report.agenda_item
    assert item.number == "08" and item.meeting == second
    assert version.number == 1
    assert "Voorstel van het bestuur: aanhouden." in item.explanation
    assert "Meer geld voor de jeugdzorg" in item.explanation

    # Until the meeting the text can change; the agenda gets a new version.
    reports.do_update_entry(
        actor=board,
        entry=entry,
        actions_taken=entry.actions_taken + "\n\nOverleg met BZK gevoerd op 3 oktober.",
        actions_planned=entry.actions_planned,
        proposal=P.KEEP_OPEN,
    )
    report.refresh_from_db()
    assert report.changed_since_published
    reports.do_publish_report(actor=secretariat, report=report)
    item.refresh_from_db()
    assert "3 oktober" in item.explanation
    assert report.versions.count() == 2

    whole = reports.do_create_report_poll(actor=chair, report=report)
    assert whole.agenda_item == item
    assert "aanhouden" in whole.question
    helpers.hold_vote(chair, whole, people)
    entry.refresh_from_db()
    commitment.refresh_from_db()
    report.refresh_from_db()
    assert entry.outcome == Outcome.ADOPTED
    assert entry.decision == Decision.objects.get(poll=whole)
    assert commitment.status == Status.HELD_OVER
    assert commitment.is_open and commitment.closed_at is None
    assert report.status == Report.Status.DECIDED

    # The work goes on; the owner reports it done.
    acc.do_post_update(
        actor=board,
        commitment=commitment,
        done="Het kabinet heeft structureel 500 miljoen toegezegd.",
        planned="",
        progress=100,
        status=Status.DONE,
    )
    commitment.refresh_from_db()
    assert commitment.status == Status.DONE

    # Meeting 3: the board proposes "carried out"; the meeting votes on that motion.
    report2 = reports.do_create_report(actor=secretariat, meeting=third)
    [entry2] = reports.do_add_entries(actor=secretariat, report=report2, commitments=[commitment])
    assert entry2.proposal == P.CARRIED_OUT
    assert "500 miljoen" in entry2.actions_taken
    assert "Brief aan de minister" not in entry2.actions_taken  # reported last time
    reports.do_publish_report(actor=secretariat, report=report2)
    poll = reports.do_create_report_poll(actor=chair, report=report2, entry=entry2)
    helpers.hold_vote(chair, poll, people)
    commitment.refresh_from_db()
    entry2.refresh_from_db()
    assert entry2.outcome == Outcome.ADOPTED
    assert commitment.status == Status.DONE
    assert commitment.closed_at is not None
    assert not commitment.is_open and not commitment.is_overdue

    # A closed commitment cannot be reported on again.
    assert not Commitment.objects.filter(reports.reportable(association), pk=commitment.pk)

    # The whole life in one timeline, in order.
    items = selectors.motion_timeline(motion, labels=labels)
    kinds = [i.kind for i in items]
    assert kinds[0] == "submitted"
    for kind in ("pre_advice", "vote", "created", "changed", "update", "reported", "decided"):
        assert kind in kinds, kind
    assert kinds[-1] == "closed"
    assert kinds.index("vote") < kinds.index("created") <= kinds.index("update")
    assert kinds.count("reported") == 2 and kinds.count("update") == 2
    held = next(i for i in items if i.kind == "decided")
    assert held.badge[0] == "held-over"

    # And as a page, for anyone.
    response = client.get(f"/{association.slug}/verantwoording/moties/{first.pk}/{motion.number}/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Meer geld voor de jeugdzorg", "500 miljoen", "Brief aan de minister"):
        assert text in page


def test_held_over_commitment_shows_in_the_next_report_candidates(
    association, representative, chair, secretariat, people
):
    from besluit.accountability.forms import AddEntriesForm

    first = helpers.meeting_in(association, 20, "ALV 1")
    second = helpers.meeting_in(association, 50, "ALV 2")
    third = helpers.meeting_in(association, 90, "ALV 3")
    motion = helpers.submit_motion(representative, first)
    helpers.adopt_by_vote(chair, motion, people)
    c = Commitment.objects.get(motion=motion)
    report = reports.do_create_report(actor=secretariat, meeting=second, commitments=[c])
    entry = report.entries.get()
    reports.do_update_entry(
        actor=secretariat,
        entry=entry,
        actions_taken="Gesprek gevoerd.",
        actions_planned="",
        proposal=P.KEEP_OPEN,
    )
    reports.do_publish_report(actor=secretariat, report=report)
    reports.do_decide_by_acclamation(actor=chair, report=report)
    c.refresh_from_db()
    assert c.status == Status.HELD_OVER

    next_report = reports.do_create_report(actor=secretariat, meeting=third)
    form = AddEntriesForm(report=next_report)
    assert list(form.fields["commitments"].queryset) == [c]
