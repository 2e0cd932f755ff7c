"""POST /stemcode/ at the edge (besluit.edge.codes): the same login as Django's view.

The edge answers a valid code itself; every other case goes to Django's view with the
body as read, so its answers (the Dutch form error, 429, Django's CSRF page) and the
failure counting are the view's own. Each test says which of the two answered.
"""

import re
import secrets
import urllib.parse

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client

from besluit.accounts import codes
from besluit.accounts.models import VotingCode
from besluit.audit.models import AuditEvent
from besluit.edge import codes as edge_codes
from besluit.meetings import services as meetings
from besluit.meetings.models import Meeting
from besluit.security import services as security
from tests import factories
from tests.security import asgi

pytestmark = pytest.mark.django_db(transaction=True)

NOT_VALID = "Deze stemcode is niet geldig (verkeerd getypt, ingetrokken of vervangen)."


@pytest.fixture
def served(monkeypatch):
    """Which requests the edge answered itself (True) or handed to Django (False)."""
    answered: list[bool] = []
    real = edge_codes.log_in

    def spy(key, requests):
        outcomes = real(key, requests)
        answered.extend(done is not None for done in outcomes)
        return outcomes

    monkeypatch.setattr(edge_codes, "log_in", spy)
    return answered


def post(code, *, csrf="auto", session=None, address="198.51.100.7", token=None):
    """POST /stemcode/ through the ASGI application, as a browser sends the form."""
    csrf = secrets.token_hex(16) if csrf == "auto" else csrf
    fields = {"code": code}
    if csrf is not None:
        fields["csrfmiddlewaretoken"] = token or csrf
    cookies = [f"csrftoken={csrf}"] if csrf else []
    if session:
        cookies.append(f"sessionid={session}")
    headers = [("Content-Type", "application/x-www-form-urlencoded")]
    if cookies:
        headers.append(("Cookie", "; ".join(cookies)))
    body = urllib.parse.urlencode(fields).encode()
    return asgi.call("POST", "/stemcode/", headers=headers, body=(body,), client=(address, 5000))


def cookies_of(answer) -> dict[str, str]:
    found = {}
    for name, value in answer.extra["headers"]:
        if name == "set-cookie":
            key, _, rest = value.partition("=")
            found[key] = rest.split(";")[0]
    return found


def test_a_valid_code_logs_in_at_the_edge_as_djangos_view_does(
    association, secretariat, meeting, served
):
    issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    member, code = issued[0]
    csrf = secrets.token_hex(16)
    answer = post(code.lower().replace("-", " "), csrf=csrf)
    assert served == [True]
    assert answer.status == 302
    assert answer.headers["location"] == f"/{association.slug}/vergaderingen/{meeting.pk}/live/"
    cookies = cookies_of(answer)
    assert cookies["csrftoken"] and cookies["csrftoken"] != csrf  # rotated, as at a login
    attributes = next(v for k, v in answer.extra["headers"] if v.startswith("sessionid="))
    assert "HttpOnly" in attributes and "SameSite=Lax" in attributes
    # A meeting day from the login (BESLUIT_CODE_SESSION_HOURS), a fixed end.
    assert 43_000 < int(re.search(r"Max-Age=(\d+)", attributes)[1]) <= 43_200
    # The session is Django's: the same data as the view stores, and the next pages work.
    row = VotingCode.objects.get(meeting=meeting, member=member)
    data = Session.objects.get(session_key=cookies["sessionid"]).get_decoded()
    assert data["_auth_user_id"] == str(row.user_id)
    assert data["_auth_user_backend"] == codes.CODE_LOGIN_BACKEND
    assert data[codes.SESSION_CODE_KEY] == row.pk
    assert data[security.SESSION_FLAG] is False
    assert row.last_used_at is not None
    event = AuditEvent.objects.get(action="voting_code.login")
    assert (event.actor_id, event.ip, event.data) == (
        row.user_id,
        "198.51.100.7",
        {"member": member.code},
    )
    browser = Client()
    browser.cookies["sessionid"] = cookies["sessionid"]
    assert browser.get(answer.headers["location"]).status_code == 200
    # The code's scope: only its meeting's voting pages.
    assert browser.get(f"/{association.slug}/").status_code == 403


def test_the_data_of_an_anonymous_session_is_kept_under_a_new_key(
    association, secretariat, meeting, served
):
    issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    browser = Client()
    session = browser.session
    session["django_language"] = "nl"
    session.save()
    answer = post(issued[0][1], session=session.session_key)
    assert served == [True] and answer.status == 302
    assert not Session.objects.filter(session_key=session.session_key).exists()
    data = Session.objects.get().get_decoded()
    assert data["django_language"] == "nl" and "_auth_user_id" in data


@pytest.mark.parametrize("code", ["", "ABCD-EFGH", "not a code at all"])
def test_a_wrong_code_gets_djangos_dutch_form_error_and_counts_once(
    association, secretariat, meeting, settings, served, code
):
    settings.BESLUIT_CODE_LOGIN_FAILURE_LIMIT = 2
    issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    answer = post(code)
    assert served == [False]
    assert answer.status == 400
    assert NOT_VALID in answer.body.decode()
    assert not Session.objects.exists()
    # Counted once (not by the edge and again by the view): one more failure locks.
    assert post(issued[0][1]).status == 302
    assert post("WRONG").status == 400
    assert post(issued[1][1]).status == 429


def test_a_revoked_code_and_a_closed_meeting_are_refused_by_djangos_view(
    association, secretariat, meeting, served
):
    issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    codes.do_revoke_code(actor=secretariat, code=VotingCode.objects.get(member=issued[0][0]))
    answer = post(issued[0][1])
    assert answer.status == 400 and NOT_VALID in answer.body.decode()
    for status in (Meeting.Status.CONVENED, Meeting.Status.IN_PROGRESS, Meeting.Status.CLOSED):
        meetings.do_set_meeting_status(actor=secretariat, meeting=meeting, status=status)
    answer = post(issued[1][1])
    assert answer.status == 400
    assert "De vergadering van deze stemcode is gesloten." in answer.body.decode()
    assert served == [False, False]
    assert not Session.objects.exists()
    assert not AuditEvent.objects.filter(action="voting_code.login").exists()


def test_a_throttled_address_is_refused_without_a_lookup(
    association, secretariat, meeting, settings, served
):
    settings.BESLUIT_CODE_LOGIN_FAILURE_LIMIT = 3
    issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    for i in range(3):
        assert post(f"WRONG-{i}", address="203.0.113.9").status == 400
    refused = post(issued[0][1], address="203.0.113.9")
    assert refused.status == 429
    assert refused.headers["retry-after"] == str(codes.THROTTLE_SECONDS)
    assert "Te veel" in refused.body.decode()
    assert AuditEvent.objects.filter(action="voting_code.throttled").count() == 1
    assert served == [False] * 4
    # Another address is not affected.
    assert post(issued[0][1], address="203.0.113.10").status == 302
    assert served[-1] is True


def test_without_a_valid_csrf_token_nothing_happens(association, secretariat, meeting, served):
    issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    assert post(issued[0][1], csrf=None).status == 403
    assert post(issued[0][1], token=secrets.token_hex(16)).status == 403  # another token
    assert served == []  # not even looked up
    assert not Session.objects.exists()
    assert not AuditEvent.objects.filter(action="voting_code.login").exists()
    assert VotingCode.objects.get(member=issued[0][0]).last_used_at is None


def test_a_replayed_login_in_a_logged_in_browser_goes_to_django_and_replaces_the_session(
    association, secretariat, meeting, served
):
    issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    first = post(issued[0][1])
    first_key = cookies_of(first)["sessionid"]
    # The same request again, now with the session it made (a double submit, a replay).
    again = post(issued[0][1], session=first_key)
    assert served == [True, False]  # a logged-in browser: Django's view, as before
    assert again.status == 302
    second_key = cookies_of(again)["sessionid"]
    assert second_key != first_key
    assert list(Session.objects.values_list("session_key", flat=True)) == [second_key]
    assert AuditEvent.objects.filter(action="voting_code.login").count() == 2


def test_a_session_owing_its_second_factor_goes_to_django(
    association, secretariat, meeting, served
):
    issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    browser = Client()
    session = browser.session
    session[security.SESSION_FLAG] = True
    session.save()
    post(issued[0][1], session=session.session_key)
    assert served == [False]


def test_logins_that_arrive_together_take_the_same_statements_for_3_and_for_30():
    """accounts.code_logins: a batch is two reads and one transaction, whatever its size;
    each request gets its own outcome (a wrong code or a logged-in browser: None)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from besluit.accounts.code_logins import CodeLogin, do_code_logins
    from besluit.associations.models import Role

    association = factories.make_association(40, slug="batch")
    secretariat = factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)
    meeting = factories.make_meeting(association)
    issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    logged_in = Client()
    logged_in.force_login(secretariat)
    counts = []
    for batch in (issued[:3], issued[3:33]):
        requests = [CodeLogin(code, "198.51.100.7") for _member, code in batch]
        requests += [
            CodeLogin("WRONG", "198.51.100.7"),
            CodeLogin(batch[0][1], "198.51.100.8", logged_in.session.session_key),
        ]
        with CaptureQueriesContext(connection) as captured:
            outcomes = do_code_logins(requests)
        counts.append(len(captured))
        assert [o is not None for o in outcomes] == [True] * len(batch) + [False, False]
        assert len({o.session_key for o in outcomes if o}) == len(batch)
    assert counts[0] == counts[1], counts
    assert AuditEvent.objects.filter(action="voting_code.login").count() == 33
    assert Session.objects.count() == 33 + 1  # and the secretariat's own


@pytest.fixture(autouse=True)
def _clear_cache():
    yield
    cache.clear()


# --- GET /stemcode/: the form, rendered by Django once and kept (edge.code_form) ----------

TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")


def _masked_secrets(page: str) -> set[str]:
    from django.middleware.csrf import _unmask_cipher_token

    return {_unmask_cipher_token(t) for t in TOKEN.findall(page)}


def test_the_form_is_djangos_page_with_fresh_tokens(association, secretariat, meeting, monkeypatch):
    from besluit.edge import code_form

    renders = []
    real = code_form._render

    async def counted(*args):
        renders.append(1)
        return await real(*args)

    monkeypatch.setattr(code_form, "_render", counted)
    code_form._kept.clear()
    first, second = (asgi.call("GET", "/stemcode/") for _ in range(2))
    assert (first.status, second.status) == (200, 200)
    assert len(renders) == 1  # the second answer came from the kept page
    django = Client().get("/stemcode/")
    assert TOKEN.sub("T", first.body.decode()) == TOKEN.sub("T", django.content.decode())
    assert first.headers["content-security-policy"] == django["Content-Security-Policy"]
    assert first.headers["content-language"] == "nl"
    # Each browser its own secret, in its cookie and in every token of its page.
    secrets_seen = []
    for answer in (first, second):
        cookie = cookies_of(answer)["csrftoken"]
        assert _masked_secrets(answer.body.decode()) == {cookie}
        secrets_seen.append(cookie)
    assert secrets_seen[0] != secrets_seen[1]
    # A browser with a CSRF cookie keeps its secret; the page's token logs it in.
    issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    secret = secrets.token_hex(16)
    page = asgi.call("GET", "/stemcode/", headers=[("Cookie", f"csrftoken={secret}")])
    assert _masked_secrets(page.body.decode()) == {secret}
    token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', page.body.decode())[1]
    assert post(issued[0][1], csrf=secret, token=token).status == 302


def test_a_form_with_the_code_filled_in_or_a_session_is_djangos(
    association, secretariat, meeting, monkeypatch
):
    from besluit.edge import code_form

    renders = []
    monkeypatch.setattr(code_form, "_render", lambda *a: renders.append(1))
    code_form._kept.clear()
    page = asgi.call("GET", "/stemcode/", query="code=ABCD-EFGH")
    assert page.status == 200 and 'value="ABCD-EFGH"' in page.body.decode()
    browser = Client()
    browser.force_login(secretariat)
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    assert asgi.call("GET", "/stemcode/", headers=[("Cookie", cookie)]).status == 200
    assert asgi.call("GET", "/stemcode/", headers=[("Cookie", "django_language=en")]).status == 200
    assert renders == []


def test_a_long_body_goes_to_django_whole(association, secretariat, meeting, served):
    """Over 4 KB (no form of this page is): Django's view gets every byte, in order."""
    issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    csrf = secrets.token_hex(16)
    body = urllib.parse.urlencode(
        {"code": issued[0][1], "csrfmiddlewaretoken": csrf, "pad": "x" * 6000}
    ).encode()
    answer = asgi.call(
        "POST",
        "/stemcode/",
        headers=[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", f"csrftoken={csrf}"),
        ],
        body=(body[:3000], body[3000:5000], body[5000:]),
    )
    assert answer.status == 302  # Django's view logged it in
    assert served == []
    assert Session.objects.count() == 1
