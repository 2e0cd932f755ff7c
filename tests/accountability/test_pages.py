"""The pages: public overview with filters, exports and feed; follow-up forms by role."""

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from besluit.accountability import services as acc
from besluit.accountability import services as reports
from besluit.accountability.models import Commitment, ReportEntry
from besluit.associations.models import Role
from besluit.proposals import services as proposals
from besluit.proposals.models import SubmissionStatus
from besluit.voting import services as voting
from tests import factories
from tests.accountability import helpers

pytestmark = pytest.mark.django_db

Status = Commitment.Status
ATOM = "{http://www.w3.org/2005/Atom}"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def meeting(association):
    return helpers.meeting_in(association, 30, "Voorjaars-ALV")


@pytest.fixture
def data(association, meeting, representative, chair, secretariat):
    """Three commitments: ours (overdue, G4 co-submitter), another member's, a demand."""
    other_rep = factories.make_user(
        "wethouder", association, Role.Kind.REPRESENTATIVE, member=factories.member(association, 5)
    )
    ours = helpers.submit_motion(
        representative, meeting, title="Jeugdzorg", co=[factories.member(association, 1)]
    )
    theirs = helpers.submit_motion(other_rep, meeting, title="Kleine kernen")
    for motion in (ours, theirs):
        proposals.do_set_status(actor=chair, submission=motion, status=SubmissionStatus.ADOPTED)
    theme = acc.do_create_theme(actor=secretariat, association=association, name="Zorg")
    c_ours = Commitment.objects.get(motion=ours)
    acc.do_update_commitment(
        actor=secretariat,
        commitment=c_ours,
        title=c_ours.title,
        theme=theme,
        owner_committee=None,
        owner_user=None,
        due_date=timezone.localdate() - timedelta(days=3),
        update_interval_days=90,
        status=Status.IN_PROGRESS,
    )
    proposal = factories.make_proposal(meeting, text="## Geld\n\nDraai de korting terug.")
    acc.do_mark_demand(
        actor=secretariat, proposal=proposal, title="Korting terug", quote="Draai de korting terug."
    )
    acc.do_create_demand_commitments(
        actor=secretariat,
        proposal=proposal,
        decision=voting.do_record_acclamation(
            actor=chair, meeting=meeting, agenda_item=proposal.agenda_item, subject="Vastgesteld"
        ),
    )
    return {
        "ours": Commitment.objects.get(motion=ours),
        "theirs": Commitment.objects.get(motion=theirs),
        "demand": Commitment.objects.get(source=Commitment.Source.DEMAND),
        "motion": ours,
    }


def url(association, rest=""):
    return f"/{association.slug}/verantwoording/{rest}"


def rows(response) -> set[str]:
    page = response.content.decode()
    return {c.title for c in Commitment.objects.all() if f">{c.title}</a>" in page}


def test_the_overview_is_public_and_filters(association, data, client):
    response = client.get(url(association))
    assert response.status_code == 200
    assert rows(response) == {"Jeugdzorg", "Kleine kernen", "Korting terug"}
    code = factories.member(association, 0).code
    assert rows(client.get(url(association), {"member": code})) == {"Jeugdzorg"}
    # A co-submitter counts as submitting member; a network through its members.
    co_code = factories.member(association, 1).code
    assert rows(client.get(url(association), {"member": co_code})) == {"Jeugdzorg"}
    assert rows(client.get(url(association), {"network": "G4"})) == {"Jeugdzorg"}
    assert rows(client.get(url(association), {"network": "K80"})) == {"Kleine kernen"}
    assert rows(client.get(url(association), {"overdue": "on"})) == {"Jeugdzorg"}
    assert rows(client.get(url(association), {"status": "overdue"})) == {"Jeugdzorg"}
    assert rows(client.get(url(association), {"status": "open", "overdue": "on"})) == {"Jeugdzorg"}
    assert rows(client.get(url(association), {"status": "in_progress", "overdue": "on"})) == {
        "Jeugdzorg"
    }
    assert rows(client.get(url(association), {"status": "new", "overdue": "on"})) == set()
    assert rows(client.get(url(association), {"status": "new"})) == {
        "Kleine kernen",
        "Korting terug",
    }
    theme = data["ours"].theme
    assert rows(client.get(url(association), {"theme": theme.pk})) == {"Jeugdzorg"}
    assert rows(client.get(url(association), {"q": "korting"})) == {"Korting terug"}
    meeting = data["ours"].meeting
    assert len(rows(client.get(url(association), {"meeting": meeting.pk}))) == 3
    # An htmx request gets only the results.
    partial = client.get(url(association), {"overdue": "on"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"Jeugdzorg" in partial.content


def test_overview_query_count_does_not_grow(association, data, client, representative, chair):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(association)).status_code == 200
        return len(queries)

    before = count()
    meeting = data["ours"].meeting
    for title in ("Vier", "Vijf", "Zes"):
        motion = helpers.submit_motion(
            representative, meeting, title=title, co=[factories.member(association, 2)]
        )
        proposals.do_set_status(actor=chair, submission=motion, status=SubmissionStatus.ADOPTED)
    assert count() == before


def test_exports_follow_the_filters(association, data, client):
    response = client.get(url(association, "toezeggingen.csv"), {"overdue": "on"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["title"] for r in table] == ["Jeugdzorg"]
    assert table[0]["overdue"] == "true"
    assert table[0]["co_submitters"] == factories.member(association, 1).code
    assert table[0]["url"].endswith(f"/toezeggingen/{data['ours'].pk}/")

    body = json.loads(client.get(url(association, "toezeggingen.json")).content)
    assert body["count"] == 3
    assert {c["source"] for c in body["commitments"]} == {"motion", "demand"}
    assert body["filters"] == {}
    demand = next(c for c in body["commitments"] if c["source"] == "demand")
    assert demand["motion_number"] is None and demand["theme"] == "Geld"


def test_atom_feed(association, data, client, board):
    acc.do_post_update(
        actor=board, commitment=data["ours"], done="Brief gestuurd.", planned="Overleg."
    )
    response = client.get(url(association, "feed.atom"))
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) >= 4  # three created, one update
    newest = entries[0]
    assert "Progress update" in newest.find(f"{ATOM}title").text or "Voortgang" in (
        newest.find(f"{ATOM}title").text
    )
    summary = newest.find(f"{ATOM}summary")
    assert summary.get("type") == "html" and "Brief gestuurd.<br>" in summary.text
    assert (
        newest.find(f"{ATOM}link")
        .get("href")
        .endswith(
            f"/toezeggingen/{data['ours'].pk}/#event-{data['ours'].events.order_by('pk').last().pk}"
        )
    )
    # The feed follows the filters too.
    only = ET.fromstring(client.get(url(association, "feed.atom"), {"q": "korting"}).content)
    assert all("Korting" in e.find(f"{ATOM}title").text for e in only.findall(f"{ATOM}entry"))


def test_commitment_and_timeline_pages_are_public(association, data, client):
    c = data["ours"]
    page = client.get(url(association, f"toezeggingen/{c.pk}/"))
    assert page.status_code == 200
    assert b"Jeugdzorg" in page.content
    assert b"Post an update" not in page.content and b"Voortgang melden" not in page.content
    motion = data["motion"]
    timeline = client.get(url(association, f"moties/{motion.meeting_id}/{motion.number}/"))
    assert timeline.status_code == 200
    demand = client.get(url(association, f"toezeggingen/{data['demand'].pk}/"))
    assert b"Draai de korting terug." in demand.content
    assert client.get(url(association, "toezeggingen/999999/")).status_code == 404


def test_follow_up_forms(association, data, board, representative, secretariat, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    c = data["theirs"]
    edit = url(association, f"toezeggingen/{c.pk}/wijzigen/")
    post = url(association, f"toezeggingen/{c.pk}/voortgang/")
    assert login(representative).post(edit, {"title": "x"}).status_code == 403
    assert login(representative).post(post, {"done": "x"}).status_code == 403
    assert Client().post(post, {"done": "x"}).status_code == 302  # to the login page

    client = login(board)
    response = client.post(
        edit,
        {
            "title": "Kleine kernen versterken",
            "due_date": "2027-06-30",
            "update_interval_days": "30",
            "status": "not_feasible",
            "note": "",
        },
    )
    assert response.status_code == 400  # a reason is required
    assert b"not feasible" in response.content or b"niet haalbaar" in response.content
    response = client.post(
        edit,
        {
            "title": "Kleine kernen versterken",
            "due_date": "2027-06-30",
            "update_interval_days": "30",
            "status": "in_progress",
        },
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.title == "Kleine kernen versterken" and str(c.due_date) == "2027-06-30"

    pdf = io.BytesIO(b"%PDF-1.4\n%%EOF\n")
    pdf.name = "notitie.pdf"
    response = client.post(
        post,
        {
            "as_of": timezone.localdate().isoformat(),
            "done": "Pilot gestart in drie gemeenten.",
            "planned": "",
            "links": "https://example.org/pilot",
            "progress": "40",
            "status": "",
            "files": [pdf],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    c.refresh_from_db()
    assert c.progress == 40
    attachment = c.updates.get().attachments.get()
    download = Client().get(url(association, f"bijlagen/{attachment.uuid}/"))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    milestones = url(association, f"toezeggingen/{c.pk}/mijlpalen/")
    assert client.post(milestones, {"title": "Evaluatie"}).status_code == 302
    m = c.milestones.get()
    assert client.post(milestones + f"{m.pk}/", {"action": "done"}).status_code == 302
    c.refresh_from_db()
    assert c.progress == 100
    page = Client().get(url(association, f"toezeggingen/{c.pk}/")).content.decode()
    assert "Pilot gestart in drie gemeenten." in page and "Evaluatie" in page


def test_report_pages(association, data, secretariat, chair, representative, client):
    second = helpers.meeting_in(association, 70, "Najaars-ALV")
    admin = login(secretariat)
    response = admin.post(url(association, "rapportages/"), {"meeting": second.pk, "title": ""})
    assert response.status_code == 302
    report = second.accountability_reports.get()
    report_url = url(association, f"rapportages/{report.pk}/")
    # A draft is the board's and the secretariat's business.
    assert client.get(report_url).status_code == 404
    assert b"Najaars-ALV" not in client.get(url(association, "rapportages/")).content

    response = admin.post(
        report_url + "toezeggingen/", {"commitments": [data["ours"].pk, data["demand"].pk]}
    )
    assert response.status_code == 302
    for entry in report.entries.all():
        response = admin.post(
            report_url + f"onderdelen/{entry.pk}/",
            {
                f"entry-{entry.pk}-actions_taken": "Gedaan.",
                f"entry-{entry.pk}-actions_planned": "",
                f"entry-{entry.pk}-proposal": ReportEntry.Proposal.CARRIED_OUT,
                "action": "save",
            },
        )
        assert response.status_code == 302
    response = admin.post(report_url + "clusters/", {"title": "Geld", "entries": []})
    assert response.status_code == 302
    assert admin.post(report_url + "publiceren/", {"agenda_item": ""}).status_code == 302
    report.refresh_from_db()
    assert report.agenda_item.number == "08"

    page = client.get(report_url)
    assert page.status_code == 200 and b"Gedaan." in page.content
    assert login(representative).post(report_url + "stemming/", {}).status_code == 403
    response = login(chair).post(report_url + "stemming/", {"entry": ""})
    assert response.status_code == 302
    poll = report.votes.get().poll
    assert response["Location"].endswith(f"/stemmingen/{poll.public_id}/")


def test_split_and_demand_pages(association, meeting, representative, chair, secretariat):
    motion = helpers.submit_motion(
        representative, meeting, agenda_item=meeting.agenda_items.get(number="07")
    )
    split = url(association, f"moties/{meeting.pk}/{motion.number}/splitsen/")
    assert login(representative).get(split).status_code == 403
    chair_client = login(chair)
    assert chair_client.get(split).status_code == 200
    response = chair_client.post(split, {"parts": "a) eerst\n\nb) dan"})
    assert response.status_code == 302
    part = motion.parts.get(label="deel a")
    response = chair_client.post(
        split.replace("splitsen/", f"delen/{part.pk}/"), {"action": "poll"}
    )
    assert response.status_code == 302
    assert part.part_polls.count() == 1

    proposal = factories.make_proposal(meeting, text="Eis: herstel het fonds.")
    page = url(association, f"eisen/{proposal.pk}/")
    assert login(chair).get(page).status_code == 403
    admin = login(secretariat)
    response = admin.post(page, {"title": "Fonds", "quote": "herstel het fonds"})
    assert response.status_code == 302
    content = admin.get(page).content.decode()
    assert '<mark class="acc-mark" id="demand-1">herstel het fonds' in content
    response = admin.post(page, {"title": "Fout", "quote": "staat er niet"})
    assert response.status_code == 400
    assert admin.get(url(association, "eisen/")).status_code == 200
    assert admin.get(url(association, "instellingen/")).status_code == 200
    response = admin.post(url(association, "instellingen/"), {"form": "theme", "name": "Wonen"})
    assert response.status_code == 302


def test_reports_list_public(association, data, secretariat, client):
    second = helpers.meeting_in(association, 70, "Najaars-ALV")
    report = reports.do_create_report(actor=secretariat, meeting=second, commitments=[data["ours"]])
    reports.do_update_entry(
        actor=secretariat,
        entry=report.entries.get(),
        actions_taken="Gedaan.",
        actions_planned="",
        proposal=ReportEntry.Proposal.KEEP_OPEN,
    )
    reports.do_publish_report(actor=secretariat, report=report)
    assert b"Najaars-ALV" in client.get(url(association, "rapportages/")).content
