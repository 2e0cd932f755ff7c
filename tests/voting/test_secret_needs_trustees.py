"""Every secret poll is encrypted: it opens only when its meeting's trustees have made the
key, the chair sees who they are (or why a secret vote cannot open) before opening, and
no plaintext secret choice is taken. Old plaintext secret polls still show and verify."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from besluit.accounts.models import ApiToken
from besluit.associations.models import Role
from besluit.attendance import services as attendance
from besluit.core import bundle as core_bundle
from besluit.live import queue
from besluit.live.services import do_set_current_item
from besluit.voting import log as vote_log
from besluit.voting import services as voting
from besluit.voting.models import Ballot, Poll, SecretTally
from besluit.voting.services import opening
from besluit.voting.trustees import TrusteesNeeded
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.dbbackend]


def _draft(chair, meeting, **kwargs):
    return voting.do_create_poll(
        actor=chair,
        meeting=meeting,
        subject="free",
        alternatives=["A", "B"],
        is_secret=True,
        **kwargs,
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_opening_without_trustees_is_refused_with_a_link_to_them(association, meeting, chair):
    poll = _draft(chair, meeting)
    trustees_url = reverse("web:trustees", args=[association.slug, meeting.pk])
    client = _client(chair)
    # Before opening: the poll page and the confirmation say why it cannot open.
    for name in ("web:poll", "web:poll_open"):
        html = client.get(reverse(name, args=[association.slug, poll.public_id])).content.decode()
        assert 'data-trustees-note="missing"' in html and trustees_url in html, name
        assert "deze vergadering heeft geen stembeheerders" in html, name
    answer = client.post(reverse("web:poll_open", args=[association.slug, poll.public_id]))
    page = client.get(answer["Location"]).content.decode()
    assert "kan pas open als deze vergadering stembeheerders heeft" in page
    assert f'href="{trustees_url}"' in page  # the message links to the trustees page
    poll.refresh_from_db()
    assert poll.status == Poll.Status.DRAFT
    assert not SecretTally.objects.filter(poll=poll).exists()
    # The API answers a problem saying the same.
    token = ApiToken.issue(chair, "t")[1]
    response = Client().post(
        f"/api/v1/polls/{poll.public_id}/open", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/trustees-needed")
    assert "stembeheerders" in response.json()["detail"]


def test_a_ceremony_under_way_is_not_enough(association, meeting, chair, board):
    from besluit.voting import trustees

    trustees.do_create_election(actor=chair, meeting=meeting, trustees=[chair, board], threshold=2)
    poll = _draft(chair, meeting)
    with pytest.raises(TrusteesNeeded, match="nog niet klaar") as refused:
        voting.do_open_poll(actor=chair, poll=poll)
    assert refused.value.link[0] == reverse("web:trustees", args=[association.slug, meeting.pk])
    html = _client(chair).get(reverse("web:poll", args=[association.slug, poll.public_id]))
    assert "de stembeheerders maken de stemsleutel nog" in html.content.decode()


def test_with_trustees_the_chair_sees_who_they_are_and_what_absence_means(
    association, meeting, chair
):
    factories.trustees_for(chair, meeting)
    poll = _draft(chair, meeting)
    html = _client(chair).get(reverse("web:poll_open", args=[association.slug, poll.public_id]))
    text = html.content.decode()
    assert 'data-trustees-note="ready"' in text
    assert "Trustee 2" in text and "Trustee 3" in text and "2 van de 3" in text
    assert "blijft de uitslag versleuteld" in text
    # The poll form says so before a poll is even made.
    form = _client(chair).get(reverse("web:poll_create", args=[association.slug, meeting.pk]))
    assert 'data-trustees-note="ready"' in form.content.decode()
    poll = voting.do_open_poll(actor=chair, poll=poll)
    assert poll.election_id is not None and poll.status == Poll.Status.OPEN


def test_the_console_refuses_a_secret_next_vote_without_trustees(association, meeting, chair):
    proposal = factories.make_proposal(meeting)
    do_set_current_item(actor=chair, meeting=meeting, item=proposal.agenda_item)
    entry = queue.vote_queue(proposal.agenda_item)[-1]
    url = reverse("live:open_vote", args=[association.slug, meeting.pk])
    client = _client(chair)
    console = client.get(reverse("live:console", args=[association.slug, meeting.pk]))
    assert console.status_code == 200
    answer = client.post(
        url, {"entry": entry.key, "adjust": "1", "is_secret": "1"}, HTTP_HX_REQUEST="true"
    )
    body = answer.content.decode()
    assert "stembeheerders" in body
    assert reverse("web:trustees", args=[association.slug, meeting.pk]) in body
    assert not Poll.objects.filter(meeting=meeting).exists()  # created and opened, or neither
    factories.trustees_for(chair, meeting)
    client.post(url, {"entry": entry.key, "adjust": "1", "is_secret": "1"}, HTTP_HX_REQUEST="true")
    poll = Poll.objects.get(meeting=meeting)
    assert poll.is_secret and poll.election_id and poll.status == Poll.Status.OPEN


def test_an_old_plaintext_secret_poll_still_shows_and_verifies(
    association, meeting, chair, secretariat, monkeypatch
):
    """A poll closed before every secret poll was encrypted: its totals are SecretTally
    rows (here a paper round's, written the way those polls were), its bundle the poll
    bundle. Made by letting the old opening through once."""
    monkeypatch.setattr(opening, "_election_for", lambda poll: None)
    poll = voting.do_open_poll(actor=chair, poll=_draft(chair, meeting))
    monkeypatch.undo()
    other = factories.make_user("teller-2", association, Role.Kind.SECRETARIAT)
    weights = dict(poll.register.values_list("member_id", "weight"))
    members = [factories.member(association, i) for i in range(3)]
    w = [weights[m.pk] for m in members]
    paper = attendance.do_enter_paper_round(
        actor=secretariat,
        poll=poll,
        members=members,
        totals={
            "option-1": {"members": 2, "weight": str(w[0] + w[1])},
            "option-2": {"members": 1, "weight": str(w[2])},
        },
    )
    attendance.do_sign_paper_round(actor=other, paper=paper)
    poll = voting.do_close_poll(actor=chair, poll=poll)
    assert poll.outcome.option("option-1").members == 2
    assert Ballot.objects.filter(poll=poll).count() == 3
    data = vote_log.bundle_bytes(poll)
    assert core_bundle.verify_bundle(data) == []
    assert json.loads(data)["poll"]["secret"] is True
    html = _client(chair).get(reverse("web:poll", args=[association.slug, poll.public_id]))
    assert html.status_code == 200 and "3 van de 12" in html.content.decode()


def test_an_api_client_encrypts_with_the_django_free_core(association, meeting, chair):
    """What docs/api.md shows a client doing: the election key from the poll, the
    ballot encrypted and proven with besluit.core.ballotcrypto, sent as hex."""
    import secrets

    from besluit.core.ballotcrypto.ballot import encrypt_ballot
    from besluit.core.ballotcrypto.group import Point
    from besluit.core.ballotcrypto.sealed import context_for, voter_binding

    rep = factories.make_user(
        "burgemeester",
        association,
        Role.Kind.REPRESENTATIVE,
        member=factories.member(association, 0),
    )
    poll = factories.open_poll(chair, meeting, is_secret=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(rep, 't')[1]}"}
    api = f"/api/v1/polls/{poll.public_id}"
    data = Client().get(api, **auth).json()
    assert data["electionKey"] == poll.election.public_key
    plain = Client().post(
        f"{api}/ballots", {"option": "option-1"}, content_type="application/json", **auth
    )
    assert plain.status_code == 400 and plain["Content-Type"] == "application/problem+json"
    assert plain.json()["invalidParams"][0]["name"] == "option"
    assert "alleen versleutelde stemmen" in plain.json()["detail"]
    choice = [o["key"] for o in data["options"]].index("option-2")
    request_key = secrets.token_urlsafe(24)
    voter = voter_binding(data["id"], factories.member(association, 0).code, request_key)
    key = Point.decode(bytes.fromhex(data["electionKey"]))
    ballot = encrypt_ballot(context_for(data["id"], voter, key, len(data["options"])), choice)
    body = {"ballot": ballot.to_bytes().hex(), "requestKey": request_key}
    sent = Client().post(f"{api}/sealed-ballots", body, content_type="application/json", **auth)
    assert sent.status_code == 201, sent.content
    assert Ballot.objects.filter(poll=poll).count() == 1
    poll = factories.close_secret(chair, poll)
    assert poll.outcome.option("option-2").members == 1
