"""A representative follows up its municipality's motions in the browser.

She filters the overdue commitments of motions her municipality submitted or
co-submitted, and opens the timeline of one of them. The page is in whatever language
the catalogue gives, so the test finds things by name, role and class, not by words.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from besluit.accountability import services as acc
from besluit.accountability import services as reports
from besluit.accountability.models import Commitment, ReportEntry
from besluit.associations.models import Role
from besluit.proposals import services as proposals
from besluit.proposals.models import PreAdvice, SubmissionStatus
from tests import factories
from tests.accountability import helpers
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def build():
    association = factories.make_association(12, slug="vvtg", networks={"G4": [0, 1]})
    chair = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    secretariat = factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)
    board = factories.make_user("bestuur", association, Role.Kind.BOARD)
    ours = factories.member(association, 0)
    rep = factories.make_user("burgemeester", association, Role.Kind.REPRESENTATIVE, member=ours)
    other = factories.make_user(
        "wethouder", association, Role.Kind.REPRESENTATIVE, member=factories.member(association, 4)
    )
    voters = helpers.voters(association, range(5, 9))
    meeting = helpers.meeting_in(association, 30, "Voorjaars-ALV")

    jeugd = helpers.submit_motion(rep, meeting, title="Wachtlijsten jeugdzorg")
    proposals.do_set_pre_advice(
        actor=board, submission=jeugd, advice=PreAdvice.MEETING_DECIDES, reason="Oordeel ALV."
    )
    helpers.adopt_by_vote(chair, jeugd, voters)
    co = helpers.submit_motion(other, meeting, title="Statushouders huisvesten", co=[ours])
    on_time = helpers.submit_motion(rep, meeting, title="Kleine kernen versterken")
    theirs = helpers.submit_motion(other, meeting, title="Netcongestie aanpakken")
    for motion in (co, on_time, theirs):
        proposals.do_set_status(actor=chair, submission=motion, status=SubmissionStatus.ADOPTED)

    today = timezone.localdate()
    for motion, due in (
        (jeugd, today - timedelta(days=10)),
        (co, today - timedelta(days=2)),
        (on_time, today + timedelta(days=60)),
        (theirs, today - timedelta(days=5)),
    ):
        c = Commitment.objects.get(motion=motion)
        acc.do_update_commitment(
            actor=secretariat,
            commitment=c,
            title=c.title,
            theme=None,
            owner_committee=None,
            owner_user=board,
            due_date=due,
            update_interval_days=90,
            status=Commitment.Status.NEW,
        )
    acc.do_post_update(
        actor=board,
        commitment=Commitment.objects.get(motion=jeugd),
        done="Uitvraag bij de jeugdregio's gedaan.",
        planned="Werkconferentie in november.",
    )
    return association, ours, jeugd


def test_representative_filters_overdue_commitments_and_opens_a_timeline(new_page):
    association, ours, jeugd = build()
    page = new_page()
    login(page, "burgemeester")

    page.goto(f"/{association.slug}/verantwoording/")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(4)

    # Filter: our municipality (submitter or co-submitter), only overdue ones.
    page.select_option("select[name=member]", ours.code)
    page.check("input[name=overdue]")
    page.locator("form.acc-filters button[type=submit]").click()
    expect(rows).to_have_count(2)
    expect(page).to_have_url(re.compile(rf"member={ours.code}.*overdue=on|overdue=on.*member="))
    titles = sorted(rows.locator("a.acc-commitment-link").all_inner_texts())
    assert titles == ["Statushouders huisvesten", "Wachtlijsten jeugdzorg"]
    for row in rows.all():
        expect(row.locator(".besluit-status--overdue")).to_have_count(1)

    # The same filter survives a reload (the URL carries it) and is in the exports.
    page.reload()
    expect(rows).to_have_count(2)
    csv_link = page.locator("a[href*='toezeggingen.csv']")
    expect(csv_link).to_have_attribute("href", re.compile(rf"member={ours.code}"))

    # Open the timeline of our own motion.
    row = rows.filter(has_text="Wachtlijsten jeugdzorg")
    row.locator("a.acc-timeline-link").click()
    expect(page).to_have_url(
        re.compile(
            rf"/{association.slug}/verantwoording/moties/{jeugd.meeting_id}/{jeugd.number}/$"
        )
    )
    expect(page.locator("h1")).to_contain_text("Wachtlijsten jeugdzorg")
    timeline = page.locator("ol.acc-timeline > li")
    kinds = [
        re.search(r"acc-timeline__item--(\w+)", c).group(1)
        for c in timeline.evaluate_all("items => items.map(i => i.className)")
    ]
    assert kinds[:3] == ["submitted", "pre_advice", "vote"]
    assert "created" in kinds and kinds[-1] == "update"
    expect(page.locator("ol.acc-timeline")).to_contain_text("Uitvraag bij de jeugdregio's gedaan.")
    # The vote links to its poll with the result.
    expect(page.locator(".acc-timeline__item--vote a")).to_have_attribute(
        "href", re.compile(r"/stemmingen/")
    )


def test_pages_have_no_serious_accessibility_problems(new_page):
    association, ours, jeugd = build()
    commitment = Commitment.objects.get(motion=jeugd)
    secretariat = association.roles.get(kind=Role.Kind.SECRETARIAT).user
    later = helpers.meeting_in(association, 70, "Najaars-ALV")
    report = reports.do_create_report(actor=secretariat, meeting=later, commitments=[commitment])
    reports.do_update_entry(
        actor=secretariat,
        entry=report.entries.get(),
        actions_taken="Uitvraag gedaan.",
        actions_planned="",
        proposal=ReportEntry.Proposal.KEEP_OPEN,
    )
    reports.do_publish_report(actor=secretariat, report=report)
    slug = association.slug
    public = (
        f"/{slug}/verantwoording/?member={ours.code}&overdue=on",
        f"/{slug}/verantwoording/moties/{jeugd.meeting_id}/{jeugd.number}/",
        f"/{slug}/verantwoording/toezeggingen/{commitment.pk}/",
        f"/{slug}/verantwoording/rapportages/{report.pk}/",
    )
    page = new_page()
    check(page, public)
    # With the forms the secretariat sees, opened.
    page = new_page()
    login(page, "secretariaat")
    check(page, public, open_details=True)
    check(page, (f"/{slug}/verantwoording/eisen/", f"/{slug}/verantwoording/instellingen/"))


def check(page, paths, open_details=False):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    for path in paths:
        page.goto(path)
        if open_details:
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        results = axe.run(page)
        serious = [
            v for v in results.response["violations"] if v["impact"] in ("serious", "critical")
        ]
        assert not serious, (path, [(v["id"], v["nodes"][0]["html"]) for v in serious])
