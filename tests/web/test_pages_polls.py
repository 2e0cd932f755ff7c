"""The poll pages: create, open, vote, participation, close, results; acclamation; decisions."""

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from besluit.accounts.models import User
from besluit.associations import services as assoc
from besluit.associations.models import Role
from besluit.meetings.models import Meeting
from besluit.proposals import services as proposals
from besluit.voting import services as voting
from besluit.voting.models import Ballot, Decision, Poll, RegisterEntry
from tests import factories


def representative_of(association, index, username=None):
    return factories.make_user(
        username or f"rep-{index}",
        association,
        Role.Kind.REPRESENTATIVE,
        member=factories.member(association, index),
    )


def poll_url(poll, name="web:poll"):
    return reverse(name, args=[poll.meeting.association.slug, poll.public_id])


def pct(fraction: Decimal) -> str:
    """What the pct filter shows in English: two decimals and a point."""
    return f"{fraction * 100:.2f}%"


def vote_form(page) -> dict:
    key = re.search(r'name="request_key" value="([0-9a-f]+)"', page.content.decode())
    assert key, "no vote form on the page"
    return {"request_key": key.group(1)}


def test_the_whole_vote_on_a_motion(en, association, meeting, chair, representative):
    slug = association.slug
    motion = proposals.do_submit_motion(
        actor=representative,
        meeting=meeting,
        title="Jeugdzorg",
        considerations="- wachtlijsten.",
        request="te bepleiten.",
    )
    same_member = representative_of(association, 0, "wethouder")
    other = representative_of(association, 1)

    # The chair creates a poll on the motion: the form is prefilled from ?motion=.
    en.force_login(chair)
    create = reverse("web:poll_create", args=[slug, meeting.pk])
    page = en.get(f"{create}?motion={motion.pk}")
    html = page.content.decode()
    assert re.search(rf'<option value="{motion.pk}" selected>', html)
    assert re.search(r'value="motion"[^>]*checked', html)
    response = en.post(
        create,
        {
            "subject": "motion",
            "motion": motion.pk,
            "question": "Stemt u in met de motie?",
            "with_abstain": "on",
            "is_secret": "0",
            "majority": "simple",
            "abstentions": "not_cast",
            "quorum": "0",
        },
    )
    poll = Poll.objects.get()
    assert response.status_code == 302 and response["Location"] == poll_url(poll)
    assert poll.motion == motion and poll.status == Poll.Status.DRAFT

    # Opening takes a confirmation step.
    confirm = en.get(poll_url(poll, "web:poll_open"))
    assert "Open the poll?" in confirm.content.decode()
    poll.refresh_from_db()
    assert poll.status == Poll.Status.DRAFT
    en.post(poll_url(poll, "web:poll_open"))
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN

    # The representative votes with one tap and sees the receipt.
    en.force_login(representative)
    page = en.get(poll_url(poll))
    assert 'class="vote-option vote-option--for" name="option" value="for"' in page.content.decode()
    response = en.post(poll_url(poll, "web:poll_vote"), {**vote_form(page), "option": "for"})
    assert response.status_code == 302
    ballot = Ballot.objects.get(poll=poll)
    html = en.get(response["Location"]).content.decode()
    assert "Your vote has been received." in html
    assert str(ballot.public_id) in html
    assert "besluit-vote-receipt" in html and "<strong>For</strong>" in html
    assert "vote-option--for" not in html  # no second vote (allow_change is off)

    # A second representative of the same member: told so, and no second ballot.
    en.force_login(same_member)
    page = en.get(poll_url(poll))
    html = page.content.decode()
    member = factories.member(association, 0)
    assert f"{member.name} has voted." in html and "vote-option" not in html
    response = en.post(
        poll_url(poll, "web:poll_vote"), {"request_key": uuid.uuid4().hex, "option": "against"}
    )
    assert response.status_code == 409
    assert "has voted in this poll already" in response.content.decode()
    assert "utrecht-alert--error" in response.content.decode()
    assert Ballot.objects.filter(poll=poll).count() == 1

    # A double submit (same request_key) returns the same ballot.
    en.force_login(other)
    form = vote_form(en.get(poll_url(poll)))
    first = en.post(poll_url(poll, "web:poll_vote"), {**form, "option": "against"})
    second = en.post(poll_url(poll, "web:poll_vote"), {**form, "option": "against"})
    assert first.status_code == second.status_code == 302
    assert Ballot.objects.filter(poll=poll).count() == 2
    theirs = Ballot.objects.get(poll=poll, member=factories.member(association, 1))
    html = en.get(second["Location"]).content.decode()
    assert "had been received already" in html and str(theirs.public_id) in html
    # The htmx variant answers with the receipt fragment, the same ballot again.
    fragment = en.post(
        poll_url(poll, "web:poll_vote"), {**form, "option": "against"}, HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 200
    assert str(theirs.public_id) in fragment.content.decode()
    assert "<html" not in fragment.content.decode()

    # Participation while open, as a fragment too.
    html = en.get(poll_url(poll, "web:poll_participation")).content.decode()
    assert "2 of 12 members have voted" in html and 'hx-trigger="every 3s"' in html

    # The chair closes, after a confirmation that says how many voted.
    en.force_login(chair)
    confirm = en.get(poll_url(poll, "web:poll_close")).content.decode()
    assert "2 of 12 members have voted" in confirm
    en.post(poll_url(poll, "web:poll_close"))
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED

    # The result, computed here from the frozen weights.
    weights = dict(RegisterEntry.objects.filter(poll=poll).values_list("member_id", "weight"))
    w_for = weights[factories.member(association, 0).pk]
    w_against = weights[factories.member(association, 1).pk]
    share_for = w_for / (w_for + w_against)
    html = en.get(poll_url(poll)).content.decode()
    verb = "Adopted" if share_for > Decimal("0.5") else "Rejected"
    assert f"{verb} with {pct(share_for)} of the votes cast" in html
    assert pct(w_against / (w_for + w_against)) in html
    assert "2 of 12 members voted" in html
    assert 'class="result-chart__svg"' in html and "result-chart__threshold" in html
    # How each member voted, with the acting person.
    named_table = html.split('id="named-caption"')[1]
    rows = re.findall(
        r"<tr class=\"utrecht-table__row\">\s*<th[^>]*scope=\"row\">([^<]+)</th>"
        r"\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>([^<]*)</td>"
        r"\s*<td[^>]*>([^<]*)</td>",
        named_table,
    )
    named = {name.strip(): (choice.strip(), by.strip()) for name, choice, by in rows}
    assert named[factories.member(association, 0).name] == ("For", "burgemeester")
    assert named[factories.member(association, 1).name] == ("Against", "rep-1")
    assert len(named) == 2
    assert named_table.count("did not vote") == 10
    # Filtered by choice.
    html = en.get(poll_url(poll) + "?choice=against").content.decode()
    assert "1 of 12 member" in html

    # The decision list has the vote with its percentages and turnout.
    html = en.get(reverse("web:decisions", args=[slug, meeting.pk])).content.decode()
    assert poll.title in html and pct(share_for) in html and "Turnout: 2 of 12 members" in html
    # The polls list too.
    html = en.get(reverse("web:polls", args=[slug, meeting.pk])).content.decode()
    assert poll.title in html and "2 of 12" in html


def test_secret_poll_result_shows_no_choices_per_member(en, association, meeting, chair):
    poll = factories.open_poll(
        chair, meeting, subject="free", title="Geheim", alternatives=["A", "B"], is_secret=True
    )
    for i, key in ((0, "option-1"), (1, "option-1"), (2, "option-2")):
        factories.sealed_vote(poll, representative_of(association, i), key)
    factories.close_secret(chair, poll)
    en.force_login(chair)
    html = en.get(poll_url(poll)).content.decode()
    assert "This was a secret vote" in html
    assert "named-caption" not in html and "Cast by" not in html
    for i in range(3):
        assert factories.member(association, i).name not in html
    assert "3 of 12 members voted" in html


def test_written_consultation_shows_who_voted_not_how(en, association, chair):
    meeting = factories.make_meeting(association, kind=Meeting.Kind.WRITTEN)
    poll = factories.open_poll(
        chair,
        meeting,
        subject="free",
        title="Cao",
        alternatives=["Voorstel bestuur", "Gewijzigd voorstel", "Geen van beide"],
        with_abstain=False,
        closes_at=timezone.now() + timedelta(days=7),
    )
    voter = representative_of(association, 0)
    voting.cast_ballot(actor=voter, poll=poll, option_key="option-2")
    observer = factories.make_user("waarnemer", association, Role.Kind.OBSERVER)
    en.force_login(observer)
    html = en.get(poll_url(poll)).content.decode()
    assert "Which members have voted" in html
    voted = factories.member(association, 0)
    row = re.search(rf"<th[^>]*>{voted.name}</th>(.*?)</tr>", html, re.S).group(1)
    assert ">voted<" in row and "Gewijzigd" not in row
    not_voted = factories.member(association, 1)
    row = re.search(rf"<th[^>]*>{not_voted.name}</th>(.*?)</tr>", html, re.S).group(1)
    assert "not yet" in row
    # Filter by province.
    html = en.get(poll_url(poll) + f"?province={voted.province}").content.decode()
    assert voted.name in html and not_voted.name not in html
    # The voter sees the choice of their own member, nobody else does.
    en.force_login(voter)
    html = en.get(poll_url(poll)).content.decode()
    assert "Gewijzigd voorstel</strong>" in html


def test_observer_cannot_vote(en, association, meeting, chair):
    poll = factories.open_poll(
        chair, meeting, subject="free", title="Vraag", alternatives=["A", "B"]
    )
    observer = factories.make_user("waarnemer", association, Role.Kind.OBSERVER)
    en.force_login(observer)
    html = en.get(poll_url(poll)).content.decode()
    assert "vote-option" not in html and "request_key" not in html
    response = en.post(poll_url(poll, "web:poll_vote"), {"option": "option-1"})
    assert response.status_code == 403
    assert "Only a member&#x27;s representative can vote." in response.content.decode()
    assert not Ballot.objects.exists()
    # Nor open or close polls.
    assert en.get(poll_url(poll, "web:poll_close")).status_code == 403
    assert en.post(poll_url(poll, "web:poll_close")).status_code == 403


def test_poll_of_another_association_is_404(en, association, meeting, chair):
    poll = factories.open_poll(
        chair, meeting, subject="free", title="Vraag", alternatives=["A", "B"]
    )
    other = factories.make_association(3, slug="ander")
    stranger = factories.make_user("vreemde", other, Role.Kind.CHAIR)
    en.force_login(stranger)
    assert en.get(poll_url(poll)).status_code == 404
    assert en.get(reverse("web:poll", args=["ander", poll.public_id])).status_code == 404


def test_poll_form_reports_service_refusals(en, association, meeting, chair):
    en.force_login(chair)
    create = reverse("web:poll_create", args=[association.slug, meeting.pk])
    data = {
        "subject": "free",
        "alternatives": "Alleen één",
        "is_secret": "0",
        "majority": "simple",
        "abstentions": "not_cast",
        "quorum": "50",
    }
    response = en.post(create, data)
    assert response.status_code == 200
    assert "Give at least two alternatives." in response.content.decode()
    response = en.post(create, {**data, "alternatives": "Ja\nNee", "with_abstain": "on"})
    poll = Poll.objects.get()
    assert poll.quorum == Decimal("0.5")
    assert [o.label for o in poll.options.all()] == ["Ja", "Nee", "Onthouding"]


def test_acclamation_appears_in_the_decision_list(en, association, meeting, chair):
    en.force_login(chair)
    url = reverse("web:acclamation", args=[association.slug, meeting.pk])
    item = meeting.agenda_items.get(number="04")
    response = en.post(url, {"subject": "Notulen vastgesteld", "text": "", "agenda_item": item.pk})
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.method == Decision.Method.ACCLAMATION
    html = en.get(response["Location"]).content.decode()
    assert "Notulen vastgesteld" in html and "By acclamation" in html
    assert f"{item.number}. {item.title}" in html
    assert "?print=1" in html
    printable = en.get(response["Location"] + "?print=1").content.decode()
    assert "besluit-nav" not in printable and "Notulen vastgesteld" in printable


def test_acclamation_is_for_the_chair(en, meeting, representative):
    en.force_login(representative)
    url = reverse("web:acclamation", args=[meeting.association.slug, meeting.pk])
    assert en.get(url).status_code == 403


# --- query counts -----------------------------------------------------------------


def quick_representative(association, member, username):
    user = User.objects.create(username=username)
    assoc.do_assign_role(
        actor=None,
        user=user,
        association=association,
        kind=Role.Kind.REPRESENTATIVE,
        member=member,
        function="mayor",
    )
    return user


def scenario(n: int, slug: str):
    """An association of n members, a written consultation where every member voted."""
    association = factories.make_association(n, slug=slug, networks={"G4": [0, 1]})
    chair = factories.make_user(f"chair-{slug}", association, Role.Kind.CHAIR)
    meeting = factories.make_meeting(association, kind=Meeting.Kind.WRITTEN)
    poll = factories.open_poll(
        chair,
        meeting,
        subject="free",
        title="Cao",
        alternatives=["A", "B"],
        closes_at=timezone.now() + timedelta(days=7),
    )
    users = []
    for i, member in enumerate(association.members.order_by("code")):
        user = quick_representative(association, member, f"{slug}-{i}")
        users.append(user)
        if i:  # the first one has not voted yet
            voting.cast_ballot(actor=user, poll=poll, option_key=("option-1", "option-2")[i % 2])
    return chair, users[0], poll


def count_queries(client, user, url) -> int:
    client.force_login(user)
    client.get(url)  # warm up (sessions, caches)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_poll_pages_use_a_constant_number_of_queries(en):
    small_chair, small_voter, small = scenario(12, "klein")
    large_chair, large_voter, large = scenario(60, "groot")

    # Open, as the voter who has not voted yet (vote buttons, participation, register).
    open_small = count_queries(en, small_voter, poll_url(small))
    open_large = count_queries(en, large_voter, poll_url(large))
    assert open_small == open_large
    assert open_small <= 12
    assert count_queries(en, small_voter, poll_url(small, "web:poll_participation")) == (
        count_queries(en, large_voter, poll_url(large, "web:poll_participation"))
    )

    voting.do_close_poll(actor=small_chair, poll=small)
    voting.do_close_poll(actor=large_chair, poll=large)
    closed_small = count_queries(en, small_chair, poll_url(small))
    closed_large = count_queries(en, large_chair, poll_url(large))
    assert closed_small == closed_large
    assert closed_small <= 10


def test_participation_fragment_reloads_the_page_when_the_status_changed(en, meeting, chair):
    poll = factories.open_poll(
        chair, meeting, subject="free", title="Vraag", alternatives=["A", "B"]
    )
    en.force_login(chair)
    url = poll_url(poll, "web:poll_participation")
    fresh = en.get(url + "?seen=open", HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in fresh and 'hx-trigger="every 3s"' in fresh.content.decode()
    stale = en.get(url + "?seen=draft", HTTP_HX_REQUEST="true")
    assert stale["HX-Refresh"] == "true"
    voting.do_close_poll(actor=chair, poll=poll)
    closed = en.get(url + "?seen=closed", HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in closed.content.decode()  # polling stops
