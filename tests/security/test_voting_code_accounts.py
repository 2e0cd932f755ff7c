"""Voting codes (stemcodes) are credentials for one member in one meeting, nothing more.

Issue 12, items 1 and 4: another association's secretariat pre-created the account a
code would log in as and voted with it; a code voted in another meeting, after its
meeting closed, and its session lasted two weeks.
"""

import importlib
import json
import secrets
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, authenticate
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.utils import timezone

from besluit.accounts import codes
from besluit.accounts import services as accounts
from besluit.accounts.models import ApiToken, User, VotingCode, hash_secret
from besluit.associations import services as assoc
from besluit.associations.models import Role
from besluit.edge import auth as edge_auth
from besluit.edge import ballots as edge_ballots
from besluit.errors import PermissionDenied, ValidationFailed
from besluit.meetings import services as meetings
from besluit.meetings.models import Meeting
from besluit.voting import casting
from besluit.voting import services as voting
from besluit.voting.casting.kept import open_polls
from besluit.voting.models import Ballot
from besluit.web import selectors
from besluit.web.forms.associations import PersonForm
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "een-wachtwoord-dat-b-kent"


def _open_poll(chair, meeting):
    poll = voting.do_create_poll(
        actor=chair,
        meeting=meeting,
        subject="proposal",
        proposal=factories.make_proposal(meeting),
    )
    return voting.do_open_poll(actor=chair, poll=poll)


def _code_client(code: str) -> Client:
    client = Client()
    assert client.post("/stemcode/", {"code": code}).status_code == 302
    return client


def _password_login(client: Client, username: str):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def _api_vote(client: Client, poll, option: str = "for"):
    return client.post(
        f"/api/v1/polls/{poll.public_id}/ballots",
        {"option": option},
        content_type="application/json",
    )


def _assert_problem(response, status: int) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"


@pytest.fixture
def other_association(db):
    """Association B, whose secretariat knows the password of an observer it made."""
    b = factories.make_association(3, slug="b")
    return b, factories.make_user("secretariaat-b", b, Role.Kind.SECRETARIAT)


# --- item 1: a code's account is made for that code, and is no person's account ---------


def test_another_associations_pre_created_account_never_votes_for_our_member(
    association, secretariat, chair, meeting, other_association
):
    b, b_secretariat = other_association
    member = factories.member(association, 0)
    # B's secretariat makes observers in B named as A's code accounts used to be named,
    # and one with any other name, each with a password it knows.
    old_name = f"stemcode-{meeting.pk}-{member.code.lower()}"
    squatters = [
        accounts.do_create_person(
            actor=b_secretariat,
            association=b,
            username=name,
            password=PASSWORD,
            kind=Role.Kind.OBSERVER,
        ).user
        for name in (old_name, "stemcode-anything")
    ]
    # Even a code row of A's meeting that points at a foreign account (as the old issuing
    # could leave behind) does not make the issuing reuse that account.
    VotingCode.objects.create(
        meeting=meeting,
        member=member,
        code_hash="0" * 64,
        issued_at=timezone.now(),
        revoked_at=timezone.now(),
        user=squatters[0],
    )

    issued = dict(codes.do_issue_codes(actor=secretariat, meeting=meeting))
    poll = _open_poll(chair, meeting)

    account = VotingCode.objects.get(meeting=meeting, member=member, revoked_at=None).user
    assert account not in squatters and account.is_code_account
    assert (account.code_meeting, account.code_member) == (meeting, member)
    assert not account.has_usable_password()
    for squatter in squatters:
        assert not Role.objects.filter(user=squatter, association=association).exists()
        squatter_client = Client()
        assert _password_login(squatter_client, squatter.username).status_code == 302
        refused = _api_vote(squatter_client, poll)  # A's poll is not even visible to it
        assert refused.status_code in (403, 404)
        assert refused["Content-Type"] == "application/problem+json"
    # The real code works, for its member.
    response = _api_vote(_code_client(issued[member]), poll)
    assert response.status_code == 201, response.content
    assert Ballot.objects.get(poll=poll).member == member


def test_issuing_again_reuses_only_the_account_it_made(association, secretariat, meeting):
    member = factories.member(association, 1)
    codes.do_issue_codes(actor=secretariat, meeting=meeting, members=[member])
    made = VotingCode.objects.get(meeting=meeting, member=member).user
    codes.do_issue_codes(actor=secretariat, meeting=meeting, members=[member])
    assert set(VotingCode.objects.filter(member=member).values_list("user", flat=True)) == {made.pk}
    # Another meeting: another account, with another random name.
    other = factories.make_meeting(association)
    codes.do_issue_codes(actor=secretariat, meeting=other, members=[member])
    theirs = VotingCode.objects.get(meeting=other, member=member).user
    assert theirs != made and theirs.username != made.username


def test_a_code_account_cannot_log_in_with_a_password(association, secretariat, meeting):
    issued = dict(codes.do_issue_codes(actor=secretariat, meeting=meeting))
    member = factories.member(association, 0)
    account = VotingCode.objects.get(meeting=meeting, member=member).user
    account.set_password(PASSWORD)  # someone set one by hand
    account.save()
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username=account.username, password=PASSWORD) is None
    client = Client()
    response = _password_login(client, account.username)
    assert response.status_code == 200 and SESSION_KEY not in client.session
    # A session that claims a password login for a code account is worth nothing.
    forged = Client()
    forged.force_login(account, backend="besluit.accounts.backends.PersonBackend")
    live = f"/{association.slug}/vergaderingen/{meeting.pk}/live/"
    assert forged.get(live).status_code == 302
    # The code still works (the password changed its session hash, not its code).
    assert _code_client(issued[member]).get(live).status_code == 200


@pytest.mark.parametrize("name", ["stemcode:abc", "stemcode:Q3v-9kTz_a1B2c3D4e5F6g7H"])
def test_a_code_account_name_cannot_be_created_by_hand(association, secretariat, name):
    with pytest.raises(CommandError, match="username"):
        call_command("createuser", name, "--password", PASSWORD)
    with pytest.raises(ValidationFailed) as refused:
        accounts.do_create_person(
            actor=secretariat,
            association=association,
            username=name,
            password=PASSWORD,
            kind=Role.Kind.OBSERVER,
        )
    assert refused.value.field == "username"
    form = PersonForm(
        {"username": name, "password": PASSWORD, "kind": Role.Kind.OBSERVER},
        association=association,
    )
    assert not form.is_valid() and "username" in form.errors
    assert not User.objects.filter(username=name).exists()


def test_createuser_never_gives_a_code_account_a_password(association, secretariat, meeting):
    codes.do_issue_codes(actor=secretariat, meeting=meeting)
    account = User.objects.filter(code_meeting=meeting).first()
    with pytest.raises(CommandError):
        call_command("createuser", account.username, "--password", PASSWORD)
    account.refresh_from_db()
    assert not account.has_usable_password()


def test_code_accounts_are_not_among_the_people_nor_editable(
    client, association, secretariat, meeting
):
    codes.do_issue_codes(actor=secretariat, meeting=meeting)
    account = User.objects.filter(code_meeting=meeting).first()
    assert not selectors.people(association).filter(user__code_meeting__isnull=False).exists()
    member = factories.member(association, 0)
    assert not selectors.representatives(member).filter(user__code_meeting__isnull=False)
    client.force_login(secretariat)
    page = client.get(f"/{association.slug}/mensen/")
    assert page.status_code == 200
    assert "stemcode" not in page.content.decode().lower()
    # No one can hand a code account another role.
    with pytest.raises(ValidationFailed):
        assoc.do_assign_role(
            actor=secretariat, user=account, association=association, kind=Role.Kind.CHAIR
        )


def test_a_code_account_gets_no_api_token_and_one_made_by_hand_is_refused(
    secretariat, two_meetings
):
    account = User.objects.get(code_meeting__isnull=False, code_member=two_meetings["member"])
    with pytest.raises(ValueError):
        ApiToken.issue(account, "t")
    raw = "bsl_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=account, name="t", key_hash=hash_secret(raw))
    response = Client().post(
        f"/api/v1/polls/{two_meetings['own'].public_id}/ballots",
        {"option": "for"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    _assert_problem(response, 401)
    assert edge_auth.resolve([edge_auth.Credential("token", raw)]) == [None]


# --- item 4: a code votes in its own meeting, while it lasts ---------------------------------


@pytest.fixture
def two_meetings(association, secretariat, chair, meeting):
    """A code of meeting 1, a poll open in meeting 1 and one in meeting 2 (a written
    consultation of the same association)."""
    second = factories.make_meeting(association, kind=Meeting.Kind.WRITTEN)
    member = factories.member(association, 0)
    code = dict(codes.do_issue_codes(actor=secretariat, meeting=meeting))[member]
    return {
        "code": code,
        "member": member,
        "own": _open_poll(chair, meeting),
        "other": _open_poll(chair, second),
        "second": second,
    }


def test_a_code_of_meeting_1_cannot_vote_in_meeting_2_by_form_or_api(association, two_meetings):
    t = two_meetings
    client = _code_client(t["code"])
    slug = association.slug
    form = client.post(
        f"/{slug}/stemmingen/{t['other'].public_id}/stem/", {"option": "for", "request_key": "k"}
    )
    assert form.status_code == 403
    _assert_problem(_api_vote(client, t["other"]), 403)
    # Past the page guard too: the ballot rule itself refuses it.
    account = User.objects.get(code_meeting__isnull=False, code_member=t["member"])
    with pytest.raises(PermissionDenied):
        voting.cast_ballot(actor=account, poll=t["other"], option_key="for")
    assert not Ballot.objects.filter(poll=t["other"]).exists()
    # Its own meeting's poll takes it, by form and by API.
    voted = client.post(
        f"/{slug}/stemmingen/{t['own'].public_id}/stem/", {"option": "for", "request_key": "k"}
    )
    assert voted.status_code == 302 and voted["Location"].endswith("#vote")
    assert _api_vote(client, t["own"], "against").status_code in (200, 201, 409)
    assert Ballot.objects.get(poll=t["own"]).member == t["member"]


def test_a_code_of_meeting_1_cannot_vote_in_meeting_2_through_the_edges_batches(
    association, representative, two_meetings
):
    """The edge's two stages as its batcher runs them: senders resolved in one batch,
    then the ballots cast in one; the code's ballot in the other meeting is refused."""
    t = two_meetings
    client = _code_client(t["code"])
    person = Client()
    person.force_login(representative)
    credentials = [
        edge_auth.Credential("session", client.cookies["sessionid"].value),
        edge_auth.Credential("session", person.cookies["sessionid"].value),
    ]
    senders = edge_ballots.who_sent(None, credentials)
    assert None not in senders
    outcomes = edge_ballots.write_batch(
        t["other"].public_id, [casting.BallotRequest(uid, "for") for uid in senders]
    )
    assert isinstance(outcomes[0], PermissionDenied) and outcomes[0].status == 403
    assert isinstance(outcomes[1], casting.Receipt)  # a person's vote is not affected
    own = edge_ballots.write_batch(t["own"].public_id, [casting.BallotRequest(senders[0], "for")])
    assert isinstance(own[0], casting.Receipt) and own[0].member_code == t["member"].code


def test_after_the_meeting_is_closed_a_code_session_cannot_vote(
    association, secretariat, two_meetings, meeting
):
    t = two_meetings
    client = _code_client(t["code"])
    account = User.objects.get(code_meeting=meeting, code_member=t["member"])
    for status in (Meeting.Status.CONVENED, Meeting.Status.IN_PROGRESS, Meeting.Status.CLOSED):
        meetings.do_set_meeting_status(actor=secretariat, meeting=meeting, status=status)
    # The poll was left open; the code's account no longer represents anyone in it.
    with pytest.raises(PermissionDenied):
        voting.cast_ballot(actor=account, poll=t["own"], option_key="for")
    response = _api_vote(client, t["own"])
    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/problem+json"
    # And the session has ended.
    assert SESSION_KEY not in client.session
    assert not Ballot.objects.filter(poll=t["own"]).exists()


def test_a_poll_kept_by_the_writer_still_refuses_a_code_once_its_meeting_closed(
    association, secretariat, two_meetings, meeting
):
    """The edge's writer keeps an open poll, with its meeting, from one batch to the next
    (voting.casting.kept.open_polls); whether the meeting has closed since is read by each
    batch's query, not from that copy."""
    t = two_meetings
    _code_client(t["code"])
    account = User.objects.get(code_meeting=meeting, code_member=t["member"])
    other = factories.make_user(
        "wethouder-b",
        association,
        Role.Kind.REPRESENTATIVE,
        member=factories.member(association, 1),
    )
    first = casting.cast_batch(t["own"].pk, [casting.BallotRequest(other.pk, "for")])
    assert isinstance(first[0], casting.Receipt)
    assert open_polls[t["own"].pk].meeting.status != Meeting.Status.CLOSED
    for status in (Meeting.Status.CONVENED, Meeting.Status.IN_PROGRESS, Meeting.Status.CLOSED):
        meetings.do_set_meeting_status(actor=secretariat, meeting=meeting, status=status)
    refused = casting.cast_batch(t["own"].pk, [casting.BallotRequest(account.pk, "for")])
    assert isinstance(refused[0], PermissionDenied), refused
    assert not Ballot.objects.filter(poll=t["own"], member=t["member"]).exists()


def test_after_revocation_a_code_session_cannot_vote(association, secretariat, two_meetings):
    t = two_meetings
    client = _code_client(t["code"])
    session_key = client.cookies["sessionid"].value
    row = VotingCode.objects.get(member=t["member"], revoked_at=None)
    kept = Session.objects.get(session_key=session_key)
    codes.do_revoke_code(actor=secretariat, code=row)
    assert not Session.objects.filter(session_key=session_key).exists()  # ended on revoke
    _assert_problem(_api_vote(client, t["own"]), 401)
    # Had the session survived (another session store), the ballot rule still refuses.
    kept.save()
    with pytest.raises(PermissionDenied):
        voting.cast_ballot(actor=row.user, poll=t["own"], option_key="for")
    outcomes = edge_ballots.write_batch(
        t["own"].public_id,
        [
            casting.BallotRequest(u, "for")
            for u in edge_ballots.who_sent(None, [edge_auth.Credential("session", session_key)])
        ],
    )
    assert isinstance(outcomes[0], PermissionDenied)
    assert _api_vote(client, t["own"]).status_code in (401, 403)
    assert not Ballot.objects.filter(poll=t["own"]).exists()


@pytest.mark.parametrize("hours", [None, 3])
def test_a_code_session_lasts_a_meeting_day(settings, two_meetings, hours):
    if hours is not None:
        settings.BESLUIT_CODE_SESSION_HOURS = hours
    expected = timedelta(hours=hours or 12)
    before = timezone.now()
    client = _code_client(two_meetings["code"])
    stored = Session.objects.get(session_key=client.cookies["sessionid"].value)
    assert before + expected - timedelta(minutes=1) <= stored.expire_date
    assert stored.expire_date <= timezone.now() + expected
    assert client.session.get_expiry_age() <= expected.total_seconds()


def test_a_code_session_may_only_open_its_meetings_voting_pages(association, two_meetings, meeting):
    t = two_meetings
    client = _code_client(t["code"])
    slug = association.slug
    for allowed in (
        f"/{slug}/vergaderingen/{meeting.pk}/live/",
        f"/{slug}/vergaderingen/{meeting.pk}/live/polls/",
        f"/{slug}/stemmingen/{t['own'].public_id}/",
        f"/api/v1/polls/{t['own'].public_id}",
    ):
        assert client.get(allowed).status_code == 200, allowed
    for page in (
        f"/{slug}/",
        f"/{slug}/vergaderingen/{meeting.pk}/",
        f"/{slug}/vergaderingen/{t['second'].pk}/live/",
        f"/{slug}/stemmingen/{t['other'].public_id}/",
        f"/{slug}/mensen/",
    ):
        assert client.get(page).status_code == 403, page
    # Nothing else as the member: no motion through the API either.
    motion = client.post(
        "/api/v1/motions",
        {"meeting": meeting.pk, "title": "Motie", "text": "Verzoekt het bestuur"},
        content_type="application/json",
    )
    _assert_problem(motion, 403)
    _assert_problem(client.get(f"/api/v1/polls/{t['other'].public_id}"), 403)
    # Logging out stays possible.
    assert client.post("/accounts/logout/").status_code == 302
    assert SESSION_KEY not in client.session


def test_a_password_session_is_not_limited(client, representative, two_meetings, association):
    """The guard is for code sessions only: a person's session carries no code."""
    client.force_login(representative)
    assert client.session[BACKEND_SESSION_KEY] == "besluit.accounts.backends.PersonBackend"
    assert HASH_SESSION_KEY in client.session
    assert client.get(f"/{association.slug}/").status_code == 200
    assert _api_vote(client, two_meetings["other"]).status_code == 201


def post(base, poll, body, headers):
    """As tests.edge.test_edge_ballots.post: a ballot to a running server."""
    request = urllib.request.Request(
        f"{base}/api/v1/polls/{poll}/ballots",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, json.loads(exc.read())


@pytest.mark.dbbackend
@pytest.mark.django_db(transaction=True)
def test_a_code_of_meeting_1_is_refused_in_meeting_2_by_the_edge_server(settings, tmp_path):
    """The same through a real server: the edge resolves the code's session and its
    batch refuses the ballot in the other meeting, with a problem."""
    from tests.live.servers import server

    association = factories.make_association(5, slug="edge-codes")
    secretariat = factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)
    chair = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    first = factories.make_meeting(association)
    second = factories.make_meeting(association, kind=Meeting.Kind.WRITTEN)
    member = factories.member(association, 0)
    code = dict(codes.do_issue_codes(actor=secretariat, meeting=first))[member]
    own, other = _open_poll(chair, first), _open_poll(chair, second)
    session = _code_client(code).cookies["sessionid"].value
    csrf = secrets.token_hex(16)
    headers = {"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf}
    with server(data_dir=tmp_path) as base:
        status, response_headers, body = post(base, other.public_id, {"option": "for"}, headers)
        assert status == 403, body
        assert response_headers["Content-Type"] == "application/problem+json"
        status, _, body = post(base, own.public_id, {"option": "for"}, headers)
        assert status == 201 and body["member"] == member.code, body
        # Its meeting's live stream opens at the edge; another meeting's does not (nor
        # would it mark the member present there).
        events = f"{base}/live/meetings/{{}}/events"
        cookie = {"Cookie": headers["Cookie"]}
        with urllib.request.urlopen(
            urllib.request.Request(events.format(first.pk), headers=cookie), timeout=30
        ) as stream:
            assert stream.status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(
                urllib.request.Request(events.format(second.pk), headers=cookie), timeout=30
            )
        assert refused.value.code == 403
        assert refused.value.headers["Content-Type"] == "application/problem+json"
    assert not Ballot.objects.filter(poll=other).exists()


def test_upgrading_stops_trusting_a_pre_created_code_account(association):
    """Migration accounts.0004 (its function, on accounts as the old issuing left them: the
    SQLite pass builds the schema without migrations): an account the old issuing made
    becomes a code account; one it took over by name loses the member's role and its
    codes."""
    from django.apps import apps
    from django.contrib.auth.hashers import make_password

    upgrade = importlib.import_module("besluit.accounts.migrations.0004_mark_code_accounts")
    b = factories.make_association(2, slug="b")
    meeting = factories.make_meeting(association)
    made, taken = factories.member(association, 0), factories.member(association, 1)

    def legacy(member, password, extra_role=None):
        user = User.objects.create(
            username=f"stemcode-{meeting.pk}-{member.code.lower()}", password=password
        )
        Role.objects.create(
            user=user, association=association, kind=Role.Kind.REPRESENTATIVE, member=member
        )
        if extra_role:
            Role.objects.create(user=user, association=b, kind=extra_role)
        VotingCode.objects.create(
            meeting=meeting,
            member=member,
            user=user,
            code_hash=secrets.token_hex(32),
            issued_at=timezone.now(),
        )
        return user.pk

    honest = legacy(made, "!" + secrets.token_hex(20))
    squatter = legacy(taken, make_password(PASSWORD), extra_role=Role.Kind.OBSERVER)
    upgrade.forwards(apps, None)

    account = User.objects.get(pk=honest)
    assert (account.code_meeting, account.code_member) == (meeting, made)
    assert account.username.startswith("stemcode:")
    assert VotingCode.objects.get(user=account).revoked_at is None
    assert account.roles.get().member == made
    other = User.objects.get(pk=squatter)
    assert not other.is_code_account and other.has_usable_password()
    assert VotingCode.objects.get(user=other).revoked_at is not None
    assert list(other.roles.values_list("association__slug", "kind")) == [("b", "observer")]
