"""Voting codes (stemcodes): issuing at any scale, and a cheap login with a code."""

import csv
import io
import re

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.sessions.models import Session
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from besluit.accounts import codes
from besluit.accounts.models import User, VotingCode
from besluit.associations.models import Role
from besluit.audit.models import AuditEvent
from besluit.meetings import services as meetings
from besluit.meetings.models import Meeting
from tests import factories

pytestmark = pytest.mark.django_db

NOT_VALID = "Deze stemcode is niet geldig (verkeerd getypt, ingetrokken of vervangen)."


def _capture() -> CaptureQueriesContext:
    """Count from an empty log: the log keeps only the last 9,000 statements, and a test
    that builds 50 members fills it (a full log makes CaptureQueriesContext count wrong)."""
    reset_queries()
    return CaptureQueriesContext(connection)


def _statements(captured) -> list[str]:
    """The statements of a capture, without the savepoints of the test's own transaction."""
    return [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
    ]


def _verb_and_table(sql: str) -> tuple[str, str]:
    """("SELECT", "accounts_votingcode") for a statement: its verb and its main table."""
    outer = sql
    while (inner := re.sub(r"\([^()]*\)", "", outer)) != outer:  # drop (subqueries)
        outer = inner
    return sql.split()[0], re.search(r'(?:FROM|INTO|UPDATE) "(\w+)"', outer).group(1)


def _login(client: Client, code: str):
    return client.post("/stemcode/", {"code": code})


# --- issuing --------------------------------------------------------------------------------


def _association_with(n: int, slug: str):
    association = factories.make_association(n, slug=slug)
    secretariat = factories.make_user(f"secretariaat-{slug}", association, Role.Kind.SECRETARIAT)
    return association, secretariat, factories.make_meeting(association)


def _issue_counts(n: int, slug: str) -> tuple[int, int, int]:
    """Statements to issue all codes, to re-issue them all, and to re-issue one member's."""
    association, secretariat, meeting = _association_with(n, slug)
    counts = []
    with _capture() as first:
        issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    counts.append(len(first))  # now: the next _capture() empties the log it reads from
    assert len(issued) == n
    # Someone logged in with a code: re-issuing ends that session in the same statements.
    assert _login(Client(), issued[0][1]).status_code == 302
    with _capture() as again:
        codes.do_issue_codes(actor=secretariat, meeting=meeting)
    counts.append(len(again))
    member = factories.member(association, 1)
    with _capture() as single:
        codes.do_issue_codes(actor=secretariat, meeting=meeting, members=[member])
    counts.append(len(single))
    return tuple(counts)


def test_issuing_codes_takes_the_same_statements_for_5_and_for_50_members():
    small = _issue_counts(5, "klein")
    large = _issue_counts(50, "groot")
    print(f"issue / re-issue all / re-issue one: {small} statements for 5, {large} for 50")
    assert small == large
    # A fixed handful, not a few per member (185 s for 20,000 members before).
    assert max(large) <= 20


def test_issuing_creates_one_account_and_role_per_member_and_meeting(
    association, secretariat, meeting
):
    issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    members = list(association.members.filter(active=True).order_by("name"))
    assert [m for m, _ in issued] == members
    assert len({c for _, c in issued}) == len(members)
    valid = VotingCode.objects.filter(meeting=meeting, revoked_at__isnull=True)
    assert valid.count() == len(members)
    for member, code in issued:
        row = valid.get(member=member)
        assert row.code_hash != code and row.issued_by == secretariat
        assert row.user.username.startswith("stemcode:")  # a name no person can take
        assert (row.user.code_meeting, row.user.code_member) == (meeting, member)
        assert not row.user.has_usable_password()
        role = Role.objects.get(user=row.user, association=association)
        assert (role.kind, role.member) == (Role.Kind.REPRESENTATIVE, member)
    event = AuditEvent.objects.filter(action="voting_codes.issued").latest("id")
    assert event.actor == secretariat and event.data == {"members": len(members)}
    assert event.object_type == "Meeting" and event.object_id == str(meeting.pk)

    # A second meeting gets accounts of its own: a code is valid for one meeting.
    other = factories.make_meeting(association)
    codes.do_issue_codes(actor=secretariat, meeting=other)
    assert User.objects.filter(code_meeting__isnull=False).count() == 2 * len(members)


def test_reissuing_revokes_the_old_codes_keeps_the_accounts_and_logs_out(
    association, secretariat, meeting
):
    first = dict(codes.do_issue_codes(actor=secretariat, meeting=meeting))
    member, other = factories.member(association, 0), factories.member(association, 1)
    user_ids = dict(VotingCode.objects.filter(meeting=meeting).values_list("member", "user"))
    client, bystander = Client(), Client()
    assert _login(client, first[member]).status_code == 302
    assert _login(bystander, first[other]).status_code == 302

    again = dict(codes.do_issue_codes(actor=secretariat, meeting=meeting, members=[member]))
    assert list(again) == [member]
    # The old code is refused, the new one works; the session of the old one has ended.
    assert client.get(f"/{association.slug}/vergaderingen/{meeting.pk}/live/").status_code == 302
    refused = _login(Client(), first[member])
    assert refused.status_code == 400 and NOT_VALID in refused.content.decode()
    assert _login(Client(), again[member]).status_code == 302
    # Other members keep their code and their session.
    assert bystander.get(f"/{association.slug}/vergaderingen/{meeting.pk}/live/").status_code == 200
    assert _login(Client(), first[other]).status_code == 302
    # Same account and role; one valid code per member.
    rows = VotingCode.objects.filter(meeting=meeting, member=member)
    assert rows.count() == 2 and rows.filter(revoked_at__isnull=True).count() == 1
    assert {r.user_id for r in rows} == {user_ids[member.pk]}
    assert Role.objects.filter(user_id=user_ids[member.pk]).count() == 1

    # Re-issuing all again: every old code revoked, no account or role made twice.
    accounts = User.objects.count()
    roles = Role.objects.count()
    codes.do_issue_codes(actor=secretariat, meeting=meeting)
    assert (User.objects.count(), Role.objects.count()) == (accounts, roles)
    assert VotingCode.objects.filter(meeting=meeting, revoked_at__isnull=True).count() == len(first)
    assert not Session.objects.exists()


def test_revoking_a_code_logs_out_its_session(association, secretariat, meeting):
    issued = dict(codes.do_issue_codes(actor=secretariat, meeting=meeting))
    member = factories.member(association, 2)
    client = Client()
    assert _login(client, issued[member]).status_code == 302
    code = VotingCode.objects.get(meeting=meeting, member=member, revoked_at__isnull=True)
    codes.do_revoke_code(actor=secretariat, code=code)
    assert client.get(f"/{association.slug}/vergaderingen/{meeting.pk}/live/").status_code == 302
    assert _login(Client(), issued[member]).status_code == 400


def test_the_codes_page_hands_out_a_csv(client, association, secretariat, meeting):
    client.force_login(secretariat)
    page = f"/{association.slug}/vergaderingen/{meeting.pk}/stemcodes/"
    assert client.post(page).status_code == 302  # then the page starts the download
    response = client.get(page + "?download=1")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["gemeentecode", "naam", "stemcode", "vergadering"]
    assert len(rows) == 1 + association.members.filter(active=True).count()
    assert _login(Client(), rows[1][2]).status_code == 302


# --- logging in -----------------------------------------------------------------------------


def test_a_code_login_is_one_lookup_and_one_session_write(association, secretariat, meeting):
    issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    member, code = issued[0]
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.get("/stemcode/")
    with _capture() as captured:
        response = _login(client, code.lower().replace("-", " "))
    assert response.status_code == 302
    assert response["Location"] == f"/{association.slug}/vergaderingen/{meeting.pk}/live/"
    statements = _statements(captured)
    print("\n".join(s[:100] for s in statements))
    # 1. SELECT the code by its hash (unique index), with meeting, association, member, user
    # 2. UPDATE the code's last_used_at
    # 3. INSERT the audit event voting_code.login
    # 4. SELECT whether the new session key exists (Django's session store, before creating)
    # 5. INSERT the session, once, with the login and the code in it
    # (not any more: django-axes' SELECTs and access log, the user's last_login, the
    # auth.login audit event and the second-factor check, and a session UPDATE)
    assert [_verb_and_table(s) for s in statements] == [
        ("SELECT", "accounts_votingcode"),
        ("UPDATE", "accounts_votingcode"),
        ("INSERT", "audit_auditevent"),
        ("SELECT", "django_session"),
        ("INSERT", "django_session"),
    ], statements
    # The same, counted raw: 7, as the session's INSERT runs in a transaction.atomic(),
    # which inside the test's own transaction is a SAVEPOINT and its RELEASE.
    assert len(captured) == 7
    session = Session.objects.get()
    data = session.get_decoded()
    row = VotingCode.objects.get(meeting=meeting, member=member)
    assert data["_auth_user_id"] == str(row.user_id)
    assert data[codes.SESSION_CODE_KEY] == row.pk
    assert row.last_used_at is not None
    event = AuditEvent.objects.filter(action="voting_code.login").get()
    assert (event.actor_id, event.ip) == (row.user_id, "198.51.100.7")
    assert event.data == {"member": member.code}
    assert not AccessLog.objects.exists() and not AccessAttempt.objects.exists()
    # The participant page works with that session.
    assert client.get(response["Location"]).status_code == 200


def test_a_code_login_replaces_an_earlier_session(association, secretariat, meeting):
    issued = dict(codes.do_issue_codes(actor=secretariat, meeting=meeting))
    member, other = factories.member(association, 0), factories.member(association, 1)
    client = Client()
    assert _login(client, issued[member]).status_code == 302
    first_key = client.cookies["sessionid"].value
    # Logging in with another code in the same browser: a new session, the old one is gone.
    assert _login(client, issued[other]).status_code == 302
    second = Session.objects.get()
    assert second.session_key != first_key
    assert (
        second.get_decoded()[codes.SESSION_CODE_KEY]
        == VotingCode.objects.get(meeting=meeting, member=other).pk
    )
    # A password login after it starts from scratch too.
    client.force_login(secretariat)
    assert codes.SESSION_CODE_KEY not in client.session


def test_a_code_login_keeps_the_data_of_an_anonymous_session(association, secretariat, meeting):
    issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    client = Client()
    session = client.session
    session["django_language"] = "nl"
    session.save()
    anonymous_key = session.session_key
    assert _login(client, issued[0][1]).status_code == 302
    # A new key (no session fixation), the data kept.
    assert not Session.objects.filter(session_key=anonymous_key).exists()
    data = Session.objects.get().get_decoded()
    assert data["django_language"] == "nl" and "_auth_user_id" in data


@pytest.mark.parametrize("code", ["", "ABCD-EFGH", "not a code at all"])
def test_a_wrong_code_is_refused_with_a_message(association, secretariat, meeting, code):
    codes.do_issue_codes(actor=secretariat, meeting=meeting)
    response = _login(Client(), code)
    assert response.status_code == 400
    assert NOT_VALID in response.content.decode()
    assert not Session.objects.exists()


def test_a_code_of_a_closed_meeting_is_refused(association, secretariat, meeting):
    issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    for status in (Meeting.Status.CONVENED, Meeting.Status.IN_PROGRESS, Meeting.Status.CLOSED):
        meetings.do_set_meeting_status(actor=secretariat, meeting=meeting, status=status)
    response = _login(Client(), issued[0][1])
    assert response.status_code == 400
    assert "De vergadering van deze stemcode is gesloten." in response.content.decode()
    assert not Session.objects.exists()


def test_guessing_codes_is_throttled_per_address(association, secretariat, meeting, settings):
    settings.BESLUIT_CODE_LOGIN_FAILURE_LIMIT = 3
    issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    guesser = Client(REMOTE_ADDR="203.0.113.9", HTTP_COOKIE="django_language=en")
    for i in range(3):
        assert _login(guesser, f"WRONG-{i}").status_code == 400
    # From now on this address is refused without a lookup, even with a valid code.
    with _capture() as captured:
        refused = _login(guesser, issued[0][1])
    assert refused.status_code == 429
    assert "Too many wrong voting codes" in refused.content.decode()
    assert _statements(captured) == []
    assert AuditEvent.objects.filter(action="voting_code.throttled").count() == 1
    # Another address is not affected, and successes do not count as failures.
    other = Client(REMOTE_ADDR="203.0.113.10")
    for _member, code in issued[:4]:
        assert _login(other, code).status_code == 302


@pytest.mark.dbbackend
def test_the_throttle_counts_across_workers_in_redis(association, secretariat, meeting, settings):
    """With REDIS_URL the cache is Redis (settings.py): the count lives there, where
    every worker process reads and increments it."""
    import os

    import redis
    from django.core.cache import caches

    url = os.environ.get("BESLUIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {url} is needed for this test: {exc}")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"besluit-test-{os.getpid()}",
        }
    }
    settings.BESLUIT_CODE_LOGIN_FAILURE_LIMIT = 4
    caches["default"].clear()
    issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    address = "203.0.113.77"
    for i in range(4):
        assert _login(Client(REMOTE_ADDR=address), f"WRONG-{i}").status_code == 400
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    stored = redis.Redis.from_url(url).keys(f"{prefix}:*")
    assert stored, "the failure count is not in Redis"
    assert _login(Client(REMOTE_ADDR=address), issued[0][1]).status_code == 429
    caches["default"].clear()


def test_a_code_login_asks_for_the_second_factor_only_where_a_password_login_would(
    association, secretariat, meeting
):
    """The check of besluit.security's login receiver, folded into the code lookup."""
    from besluit.security import services as security

    issued = dict(codes.do_issue_codes(actor=secretariat, meeting=meeting))
    member, other = factories.member(association, 0), factories.member(association, 1)
    security.do_set_totp_policy(actor=secretariat, association=association, required=True)
    participant = f"/{association.slug}/vergaderingen/{meeting.pk}/live/"
    # A code account is a representative: no second factor, also under a TOTP policy.
    client = Client()
    assert _login(client, issued[member]).status_code == 302
    assert client.session[security.SESSION_FLAG] is False
    assert client.get(participant).status_code == 200
    # Had someone made a code account an officer (the services refuse to: straight into
    # the database), it would have to confirm one.
    account = VotingCode.objects.get(meeting=meeting, member=other).user
    Role.objects.create(user=account, association=association, kind=Role.Kind.CHAIR)
    client = Client()
    assert _login(client, issued[other]).status_code == 302
    assert client.session[security.SESSION_FLAG] is True
    assert client.get(participant)["Location"].startswith("/accounts/tweede-factor/")
