"""The accountability demo: complete, in every status, loaded once."""

import pytest
from django.utils import timezone

from besluit.accountability import selectors
from besluit.accountability.models import Commitment, Report
from besluit.accountability.reminders import due_reminders
from besluit.accountability.views.common import labels
from besluit.associations.models import Association
from besluit.demo.accountability import load_accountability_demo
from besluit.meetings.models import Meeting
from besluit.proposals.models import Motion

pytestmark = pytest.mark.django_db


def test_accountability_demo(demo_world, client):
    vvvg = Association.objects.get(slug="vvvg")
    # load_demo includes it; calling it again changes nothing.
    assert load_accountability_demo(vvvg) is False

    commitments = list(Commitment.objects.filter(association=vvvg))
    statuses = {c.shown_status for c in commitments}
    for status in ("new", "in_progress", "held_over", "done", "not_feasible", "overdue"):
        assert status in statuses, status
    sources = {c.source for c in commitments}
    assert sources == {"motion", "motion_part", "demand"}
    assert {c.meeting.title for c in commitments} == {"Najaars-ALV 2025", "Voorjaars-ALV 2026"}
    for title in ("Najaars-ALV 2025", "Voorjaars-ALV 2026"):
        assert Meeting.objects.get(association=vvvg, title=title).status == "closed"

    # The report on the autumn agenda: item 08, two versions, the Omgevingswet motion
    # proposed as carried out (which a member's motion in that meeting contests).
    report = Report.objects.get(meeting__title="Najaars-ALV 2026")
    assert report.status == Report.Status.PUBLISHED and report.version == 2
    assert report.agenda_item.number == "08"
    assert "Omgevingswet" in report.agenda_item.explanation
    assert report.clusters.count() == 1
    decided = Report.objects.get(meeting__title="Voorjaars-ALV 2026")
    assert decided.status == Report.Status.DECIDED

    # The timelines read in order: submitted first, then pre-advice, vote, follow-up.
    motion = Motion.objects.get(title="Compensatie van de uitvoeringskosten van de Omgevingswet")
    items = selectors.motion_timeline(motion, labels=labels)
    assert [i.at for i in items] == sorted(i.at for i in items)
    kinds = [i.kind for i in items]
    assert kinds[:3] == ["submitted", "pre_advice", "vote"]
    assert "decided" in kinds and kinds.count("reported") == 2
    assert all(i.at <= timezone.now() for i in items)

    # Owners have something to be reminded of.
    assert due_reminders(timezone.localdate(), vvvg)

    # The pages work on the demo data.
    assert client.get("/vvvg/verantwoording/").status_code == 200
    assert client.get(f"/vvvg/verantwoording/rapportages/{report.pk}/").status_code == 200
    page = client.get(f"/vvvg/verantwoording/moties/{motion.meeting_id}/{motion.number}/")
    assert page.status_code == 200

    # Loading again changes nothing.
    n = Commitment.objects.count()
    assert load_accountability_demo(vvvg) is False
    assert Commitment.objects.count() == n
