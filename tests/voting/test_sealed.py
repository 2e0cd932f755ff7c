"""Encrypted secret polls end to end in Python: ceremony, sealed ballots, close, decryption."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from besluit.associations.models import Role
from besluit.audit.models import AuditEvent
from besluit.core import voting as core
from besluit.errors import Conflict, PermissionDenied, ValidationFailed
from besluit.voting import encrypted, trustees
from besluit.voting import services as voting
from besluit.voting.models import (
    Ballot,
    Election,
    Poll,
    RegisterEntry,
    RequestKey,
    SealedBallot,
    SecretTally,
)
from tests import factories
from tests.voting import sealedkit

pytestmark = [pytest.mark.dbbackend, pytest.mark.django_db]


@pytest.fixture
def people(association):
    users = [
        factories.make_user(name, association, Role.Kind.BOARD)
        for name in ("trustee-a", "trustee-b", "trustee-c")
    ]
    reps = [
        (
            factories.make_user(
                f"rep{i}",
                association,
                Role.Kind.REPRESENTATIVE,
                member=factories.member(association, i),
            ),
            factories.member(association, i),
        )
        for i in range(8)
    ]
    return users, reps


def test_two_of_three_trustees_decrypt_the_weighted_totals(chair, meeting, people):
    users, reps = people
    election, keepers = sealedkit.ceremony(chair, meeting, users, 2)
    assert election.status == Election.Status.READY and len(election.public_key) == 64
    poll = sealedkit.secret_poll(chair, meeting)
    assert poll.election_id == election.pk and poll.sealed == {"decimals": 0}
    choices = [0, 1, 0, 2, 0, 1, 1, 0]  # for, against, abstain by option position
    for (user, member), choice in zip(reps, choices, strict=True):
        receipt = sealedkit.vote(poll, user, member, choice)
        assert (
            len(receipt.tracker) == 64
            and receipt.log_receipt["event"]["tracker"] == receipt.tracker
        )
    poll = voting.do_close_poll(actor=chair, poll=poll)
    assert poll.status == Poll.Status.CLOSED and poll.result is None
    assert poll.sealed["ballots"] == 8

    w, c = keepers[0].tally_share(poll)
    poll = trustees.do_submit_tally_share(actor=users[0], poll=poll, weights=w, counts=c)
    assert poll.result is None  # one share of two: nothing
    w, c = keepers[2].tally_share(poll)
    poll = trustees.do_submit_tally_share(actor=users[2], poll=poll, weights=w, counts=c)

    weights = dict(RegisterEntry.objects.filter(poll=poll).values_list("member_id", "weight"))
    keys = [o.key for o in poll.options.all()]
    expected = core.tally(
        register=[core.Voter(m, Decimal(wt), frozenset()) for m, wt in weights.items()],
        ballots=[core.Ballot(m.pk, keys[ch]) for (_, m), ch in zip(reps, choices, strict=True)],
        options=poll.core_options(),
        rule=poll.rule,
    )
    result = poll.outcome
    for key in keys:
        assert result.option(key).weight == expected.option(key).weight
        assert result.option(key).members == expected.option(key).members
    assert result.outcome == expected.outcome
    assert poll.decision.outcome == expected.outcome.value
    assert poll.log.closing_checkpoint is not None


def test_nothing_stored_links_a_member_to_an_ordering_or_a_choice(chair, meeting, people):
    users, reps = people
    sealedkit.ceremony(chair, meeting, users, 2)
    poll = sealedkit.secret_poll(chair, meeting)
    for (user, member), choice in zip(reps[:4], [0, 1, 2, 0], strict=True):
        sealedkit.vote(poll, user, member, choice)
    rows = list(Ballot.objects.filter(poll=poll))
    assert len(rows) == 4
    for row in rows:
        assert row.option_id is None and row.cast_by_id is None and row.request_key == ""
        assert row.log_index is None and row.cast_at == poll.opened_at
        assert row.pk >= 2**48  # random, not the next number
    fields = {f.name for f in SealedBallot._meta.get_fields()}
    assert fields == {"id", "poll", "tracker", "voter", "weight_units", "data"}
    assert not SecretTally.objects.filter(poll=poll).exists()
    assert not RequestKey.objects.filter(poll=poll).exists()


def test_one_ballot_per_member_retries_and_refusals(chair, meeting, people, association):
    users, reps = people
    sealedkit.ceremony(chair, meeting, users, 2)
    poll = sealedkit.secret_poll(chair, meeting)
    user, member = reps[0]
    first = sealedkit.vote(poll, user, member, 1, key="K" * 30)
    again = sealedkit.vote(poll, user, member, 0, key="K" * 30)  # the same request, retried
    assert again.replayed and again.tracker == first.tracker
    with pytest.raises(Conflict, match="heeft al gestemd in deze stemming"):
        sealedkit.vote(poll, user, member, 0)
    # Another member's ballot copied: its binding is not this member's.
    other_user, other = reps[1]
    data, key = sealedkit.seal(poll, member, 0)
    with pytest.raises(ValidationFailed, match=r"option_proof_invalid|sum_proof_invalid"):
        encrypted.cast_sealed(
            poll.pk, encrypted.SealedRequest(user_id=other_user.pk, ballot=data, request_key=key)
        )
    # A flipped byte, a short request key, a plaintext ballot: refused, nothing stored.
    data, key = sealedkit.seal(poll, other, 0)
    bad = bytearray(data)
    bad[100] ^= 1
    with pytest.raises(ValidationFailed):
        encrypted.cast_sealed(
            poll.pk,
            encrypted.SealedRequest(user_id=other_user.pk, ballot=bytes(bad), request_key=key),
        )
    with pytest.raises(ValidationFailed, match="request_key_invalid"):
        encrypted.cast_sealed(
            poll.pk, encrypted.SealedRequest(user_id=other_user.pk, ballot=data, request_key="k")
        )
    with pytest.raises(ValidationFailed, match="alleen versleutelde stemmen"):
        voting.cast_ballot(actor=other_user, poll=poll, option_key="for")
    outsider = factories.make_user("buiten", association, Role.Kind.BOARD)
    with pytest.raises(PermissionDenied):
        sealedkit.vote(poll, outsider, other, 0)
    assert SealedBallot.objects.filter(poll=poll).count() == 1
    assert Ballot.objects.filter(poll=poll).count() == 1
    voting.do_close_poll(actor=chair, poll=poll)
    with pytest.raises(Conflict, match="gesloten"):
        sealedkit.vote(poll, other_user, other, 0)


def test_a_server_held_share_never_decrypts_alone(chair, meeting, people):
    users, reps = people
    election, keepers = sealedkit.ceremony(chair, meeting, users[:2], 2, server=True)
    assert election.trustee_count == 3 and election.status == Election.Status.READY
    poll = sealedkit.secret_poll(chair, meeting)
    for (user, member), choice in zip(reps[:3], [0, 0, 1], strict=True):
        sealedkit.vote(poll, user, member, choice)
    poll = voting.do_close_poll(actor=chair, poll=poll)
    assert poll.tally_shares.count() == 1 and poll.result is None  # the server's, alone
    w, c = keepers[1].tally_share(poll)
    poll = trustees.do_submit_tally_share(actor=users[1], poll=poll, weights=w, counts=c)
    assert poll.outcome.option("for").members == 2


def test_a_wrong_decryption_share_is_refused_and_names_the_trustee(chair, meeting, people):
    users, reps = people
    _, keepers = sealedkit.ceremony(chair, meeting, users, 2)
    poll = sealedkit.secret_poll(chair, meeting)
    sealedkit.vote(poll, *reps[0], 0)
    poll = voting.do_close_poll(actor=chair, poll=poll)
    w, c = keepers[0].tally_share(poll)
    bad = bytearray(w)
    bad[-1] ^= 1
    with pytest.raises(ValidationFailed, match="ontsleuteldeel van trustee-a is geweigerd"):
        trustees.do_submit_tally_share(actor=users[0], poll=poll, weights=bytes(bad), counts=c)
    with pytest.raises(PermissionDenied):
        trustees.do_submit_tally_share(actor=reps[0][0], poll=poll, weights=w, counts=c)
    assert poll.tally_shares.count() == 0
    # Audited, and shown to the chair and the trustees (not to a representative).
    event = AuditEvent.objects.get(action="poll.tally_share_refused")
    assert event.actor == users[0] and event.data["trustee"] == 1
    assert [r["name"] for r in trustees.refused_shares(poll)] == ["trustee-a"]
    slug = meeting.association.slug
    pages = {
        "web:trustees": (chair, True),
        "web:trustee_desk": (users[1], True),
    }
    for name, (user, shown) in pages.items():
        client = Client()
        client.force_login(user)
        html = client.get(reverse(name, args=[slug, meeting.pk])).content.decode()
        assert ("Het deel van trustee-a" in html) is shown, name
        assert "het bewijs klopt niet" in html, name
    client = Client()
    client.force_login(reps[1][0])
    html = client.get(reverse("web:trustees", args=[slug, meeting.pk])).content.decode()
    assert "Het deel van trustee-a" not in html
    # The other two decrypt: the poll is decided without the refused share.
    for keeper, user in ((keepers[1], users[1]), (keepers[2], users[2])):
        w, c = keeper.tally_share(poll)
        poll = trustees.do_submit_tally_share(actor=user, poll=poll, weights=w, counts=c)
    assert poll.outcome.voted_members == 1 and poll.outcome.option("for").members == 1
    # The trustee whose share was refused may still send a valid one: nothing was kept,
    # but the poll is decided now.
    with pytest.raises(Conflict, match="al ontsleuteld"):
        trustees.do_submit_tally_share(actor=users[0], poll=poll, weights=w, counts=c)


def test_a_secret_poll_waits_for_the_trustees_key(chair, meeting, people):
    users, _ = people
    trustees.do_create_election(actor=chair, meeting=meeting, trustees=users, threshold=2)
    with pytest.raises(Conflict, match="stembeheerders hebben de stemsleutel nog niet klaar"):
        sealedkit.secret_poll(chair, meeting)


def test_a_voting_code_session_casts_a_sealed_ballot(chair, meeting, people, association, client):
    from besluit.accounts import codes

    users, _ = people
    sealedkit.ceremony(chair, meeting, users, 2)
    poll = sealedkit.secret_poll(chair, meeting)
    secretariat = factories.make_user("secr", association, Role.Kind.SECRETARIAT)
    member, code = codes.do_issue_codes(actor=secretariat, meeting=meeting)[9]
    assert client.post("/stemcode/", {"code": code}).status_code == 302
    page = client.get(f"/{association.slug}/stemmingen/{poll.public_id}/")
    assert b"data-sealed-vote" in page.content and member.code.encode() in page.content
    data, key = sealedkit.seal(poll, member, 1)
    url = f"/{association.slug}/stemmingen/{poll.public_id}/stem/versleuteld/"
    answer = client.post(url, {"ballot": data.hex(), "request_key": key})
    assert answer.status_code == 201, answer.content
    assert answer.json()["receipt"]["tracker"] == answer.json()["tracker"]
    again = client.post(url, {"ballot": data.hex(), "request_key": key})
    assert again.status_code == 200 and again.json()["replayed"]
    refused = client.post(url, {"ballot": data.hex(), "request_key": sealedkit.request_key()})
    assert refused.status_code == 400 and refused["Content-Type"] == "application/problem+json"
    assert client.get("/controleer-uw-stem/").status_code == 200


def test_the_live_page_offers_the_sealed_vote(chair, meeting, people, association, client):
    users, reps = people
    sealedkit.ceremony(chair, meeting, users, 2)
    sealedkit.secret_poll(chair, meeting)
    client.force_login(reps[0][0])
    page = client.get(f"/{association.slug}/vergaderingen/{meeting.pk}/live/")
    assert page.status_code == 200
    assert (
        b"data-sealed-vote" in page.content
        and b"Een geheime stemming vraagt JavaScript" in page.content
    )


def test_the_api_takes_a_sealed_ballot(chair, meeting, people, association, client):
    from besluit.accounts.models import ApiToken

    users, reps = people
    sealedkit.ceremony(chair, meeting, users, 2)
    poll = sealedkit.secret_poll(chair, meeting)
    user, member = reps[2]
    token = ApiToken.issue(user, "test")[1]
    data, key = sealedkit.seal(poll, member, 2)
    url = f"/api/v1/polls/{poll.public_id}/sealed-ballots"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = {"ballot": data.hex(), "requestKey": key}
    answer = client.post(url, body, content_type="application/json", **auth)
    assert answer.status_code == 201, answer.content
    assert answer.json()["tracker"] == SealedBallot.objects.get(poll=poll).tracker
    again = client.post(url, body, content_type="application/json", **auth)
    assert again.status_code == 200 and again.json()["replayed"]
    bad = dict(body, requestKey=sealedkit.request_key())
    refused = client.post(url, bad, content_type="application/json", **auth)
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("application/problem+json")
    plain = client.post(
        f"/api/v1/polls/{poll.public_id}/ballots",
        {"option": "for"},
        content_type="application/json",
        **auth,
    )
    assert plain.status_code == 400 and "alleen versleutelde stemmen" in plain.json()["detail"]


def test_without_javascript_the_page_offers_what_the_association_allows(
    chair, meeting, people, association, client, secretariat
):
    """The sealed vote needs JavaScript: the <noscript> text says so and offers the
    alternative this meeting allows (a paper ballot in the hall, when it meets in one);
    a voting-code login sees the same page."""
    import re

    from besluit.accounts import codes

    users, reps = people
    sealedkit.ceremony(chair, meeting, users, 2)
    poll = sealedkit.secret_poll(chair, meeting)
    url = f"/{association.slug}/stemmingen/{poll.public_id}/"

    def noscript() -> str:
        html = client.get(url).content.decode()
        return re.search(r"<noscript>(.*?)</noscript>", html, re.S)[1]

    client.force_login(reps[0][0])
    text = noscript()
    assert "Een geheime stemming vraagt JavaScript." in text
    assert 'data-alternative="paper"' in text and meeting.location in text
    # No proxy is offered: a proxy holder cannot cast a sealed ballot for another member
    # yet (voting.encrypted takes the sender's own member only).
    assert 'data-alternative="proxy"' not in text
    meeting.location = ""
    meeting.is_digital = True
    meeting.save()
    assert 'data-alternative="none"' in noscript()
    # A voting code's session: the same page, the same sealed vote.
    client.logout()
    code = codes.do_issue_codes(actor=secretariat, meeting=meeting)[9][1]
    assert client.post("/stemcode/", {"code": code}).status_code == 302
    html = client.get(url).content.decode()
    assert "data-sealed-vote" in html and "data-no-javascript" in html
