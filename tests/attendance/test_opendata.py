"""Attendance and proxy and paper ballots in the open data (Popolo) and its CSV tables."""

import csv
import io
import json

import pytest

from besluit.attendance import services as attendance
from besluit.meetings import services as meetings
from besluit.opendata import formats, popolo
from besluit.voting import services as voting
from tests import factories
from tests.opendata import validation

from .conftest import m

pytestmark = pytest.mark.django_db


def test_popolo_shows_attendance_and_ballots_by_proxy_and_on_paper(
    association, meeting, secretariat, chair, rules, reps
):
    meetings.do_set_meeting_status(actor=secretariat, meeting=meeting, status="convened")
    attendance.do_check_in(
        actor=secretariat, meeting=meeting, member=m(association, 1), representative="J. Jansen"
    )
    attendance.do_request_proxy(
        actor=secretariat,
        meeting=meeting,
        grantor=m(association, 0),
        holder=m(association, 1),
        approve=True,
    )
    poll = factories.open_poll(
        chair, meeting, subject="proposal", proposal=factories.make_proposal(meeting)
    )
    voting.cast_ballot(
        actor=reps[1], poll=poll, option_key="for", for_member=m(association, 0).code
    )
    attendance.do_enter_paper_ballot(
        actor=secretariat,
        poll=poll,
        member=m(association, 3),
        option_key="against",
        handed_in_by="Griffier",
    )
    voting.do_close_poll(actor=chair, poll=poll)
    export = json.loads(formats.to_json(popolo.export(association, meeting)))
    event = next(e for e in export["events"] if e["classification"] == "alv")
    statuses = {
        a["organization_id"]: (a["status"], a["represented_by"]) for a in event["attendance"]
    }
    assert statuses == {
        m(association, 1).code: ("present", None),
        m(association, 0).code: ("represented", m(association, 1).code),
    }
    assert "J. Jansen" not in json.dumps(export)  # no person's name in the open data
    vote_event = export["vote_events"][0]
    assert (vote_event["proxy_ballots"], vote_event["paper_ballots"]) == (1, 1)
    votes = {v["voter_id"]: v for v in vote_event["votes"]}
    assert votes[m(association, 0).code]["proxy_id"] == m(association, 1).code
    assert votes[m(association, 3).code]["paper"] is True
    assert validation.errors(export) == []
    rows = list(csv.DictReader(io.StringIO(formats.to_csv(export, "attendance").decode())))
    assert {r["organization_id"] for r in rows} == {m(association, 0).code, m(association, 1).code}


def test_the_decision_list_pdf_records_attendance(
    association, meeting, secretariat, rules, settings, tmp_path
):
    from pypdf import PdfReader

    from besluit.texts import books, pdf

    settings.MEDIA_ROOT = tmp_path
    attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, 1))
    attendance.do_request_proxy(
        actor=secretariat,
        meeting=meeting,
        grantor=m(association, 0),
        holder=m(association, 1),
        approve=True,
    )
    data = books.book_data(meeting, decisions=True)
    assert data.attendance[1] == f"Aanwezig: {m(association, 1).name}."
    out = io.BytesIO()
    pdf.decision_list(data, out)
    out.seek(0)
    text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    assert "1 leden aanwezig en 1 vertegenwoordigd bij volmacht" in " ".join(text.split())
