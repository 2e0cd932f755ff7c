"""Throttling that an attacker cannot sidestep: the client address is the peer unless a
configured proxy vouches for another (no forged X-Forwarded-For), passwords are locked
per username from any address, wrong voting codes are counted for the whole code space
as well as per address, and every lock lasts longer than the one before."""

import http.cookiejar
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessAttemptExpiration
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from besluit.accounts import codes
from besluit.audit.models import AuditEvent
from besluit.security import addresses, throttle
from tests import aio
from tests.live.servers import free_port, server_environment
from tests.security import asgi

PASSWORD = "correct horse battery"


def _login(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _failed_login_addresses() -> list[str]:
    return list(
        AuditEvent.objects.filter(action="auth.login_failed")
        .order_by("pk")
        .values_list("ip", flat=True)
    )


# --- the client address ---------------------------------------------------------------------


def test_the_address_rule(settings):
    rule = addresses.client_address
    forged = "203.0.113.66, 198.51.100.7"
    assert settings.BESLUIT_TRUSTED_PROXIES == []  # the default
    assert rule("127.0.0.1", forged) == "127.0.0.1"  # nothing trusted: the peer
    settings.BESLUIT_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    # The right-most address that is not one of our proxies; the left is the client's word.
    assert rule("127.0.0.1", "203.0.113.66, 198.51.100.7, 10.1.2.3") == "198.51.100.7"
    assert rule("127.0.0.1", "10.9.9.9, 10.1.2.3") == "10.9.9.9"  # all ours: the first
    assert rule("127.0.0.1", "nonsense, 10.1.2.3") == "10.1.2.3"
    assert rule("192.0.2.50", forged) == "192.0.2.50"  # not from a proxy: ignored
    assert rule("127.0.0.1", "[2001:db8::5]:443") == "2001:db8::5"


@pytest.mark.django_db(transaction=True)
def test_a_forged_forwarded_for_from_loopback_is_ignored_by_besluit_serve(
    association, secretariat, tmp_path
):
    """`besluit serve` (uvicorn) used to believe X-Forwarded-For from 127.0.0.1: a guesser on
    the same machine, or behind a proxy that passes the header on, chose its address."""
    port = free_port()
    env = server_environment(tmp_path)
    env.pop("BESLUIT_TRUSTED_PROXIES", None)
    command = [sys.executable, "-m", "besluit.cli", "serve", "--workers", "1", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        deadline = time.monotonic() + 30
        while True:
            try:
                page = opener.open(f"{base}/accounts/login/", timeout=2).read().decode()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("besluit serve did not start") from None
                time.sleep(0.2)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        data = urllib.parse.urlencode(
            {"username": "secretariaat", "password": "nope", "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=data, headers={"X-Forwarded-For": "203.0.113.66"}
        )
        assert opener.open(request, timeout=10).status == 200  # the form, with its error
    finally:
        process.terminate()
        process.wait(10)
    assert _failed_login_addresses() == ["127.0.0.1"]


@pytest.mark.django_db(transaction=True)
def test_with_trusted_proxies_the_right_most_untrusted_address_counts(
    association, secretariat, settings
):
    settings.BESLUIT_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    chain = "203.0.113.66, 198.51.100.7, 10.1.2.3"
    # Through the ASGI application (as served), and Django alone (WSGI, the test client).
    csrf = secrets.token_hex(16)
    body = urllib.parse.urlencode(
        {"username": "secretariaat", "password": "nope", "csrfmiddlewaretoken": csrf}
    ).encode()
    answer = asgi.call(
        "POST",
        "/accounts/login/",
        headers=[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", f"csrftoken={csrf}"),
            ("X-Forwarded-For", chain),
        ],
        body=(body,),
    )
    assert answer.status == 200
    _login(Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=chain), "secretariaat", "nope")
    # Not from a proxy: the header is the client's own word.
    _login(Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR=chain), "secretariaat", "nope")
    assert _failed_login_addresses() == ["198.51.100.7", "198.51.100.7", "192.0.2.50"]


def test_the_edge_sees_the_same_address(settings):
    """The ASGI wrapper rewrites the scope that the edge routes read."""
    seen = {}

    async def app(scope, receive, send):
        seen.update(client=scope["client"], scheme=scope["scheme"])

    scope = {
        "type": "http",
        "scheme": "http",
        "client": ("127.0.0.1", 5000),
        "headers": [
            (b"x-forwarded-for", b"203.0.113.66, 198.51.100.7"),
            (b"x-forwarded-proto", b"https"),
        ],
    }
    settings.BESLUIT_TRUSTED_PROXIES = ["127.0.0.1"]
    aio.run(addresses.ClientAddress(app)(scope, None, None))
    assert seen == {"client": ("198.51.100.7", 5000), "scheme": "https"}
    settings.BESLUIT_TRUSTED_PROXIES = []
    aio.run(addresses.ClientAddress(app)(scope, None, None))
    assert seen == {"client": ("127.0.0.1", 5000), "scheme": "http"}


# --- passwords ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_thirty_guesses_from_thirty_addresses_lock_the_username(association, secretariat, settings):
    secretariat.set_password(PASSWORD)
    secretariat.save()
    statuses = [
        _login(Client(REMOTE_ADDR=f"198.51.100.{i}"), "secretariaat", f"guess-{i}").status_code
        for i in range(30)
    ]
    limit = settings.AXES_FAILURE_LIMIT
    assert statuses == [200] * (limit - 1) + [429] * (31 - limit)
    # Even the right password, from an address never seen, waits for the lock to end.
    right = _login(Client(REMOTE_ADDR="192.0.2.200"), "secretariaat", PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in right.client.session


@pytest.mark.django_db
def test_one_address_guessing_many_usernames_is_locked(association, secretariat, settings):
    settings.BESLUIT_LOGIN_ADDRESS_FAILURE_LIMIT = 10
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [_login(guesser, f"user-{i}", "guess").status_code for i in range(12)]
    assert statuses == [200] * 10 + [429] * 2
    assert AuditEvent.objects.filter(action="auth.address_locked", ip="203.0.113.9").count() == 1
    assert _login(Client(REMOTE_ADDR="203.0.113.10"), "user-x", "guess").status_code == 200


@pytest.mark.django_db
def test_each_username_lock_lasts_twice_as_long_as_the_one_before(
    association, secretariat, settings
):
    def lock_length() -> timedelta:
        expirations = AccessAttemptExpiration.objects.filter(
            access_attempt__username="secretariaat"
        )
        return max(e.expires_at for e in expirations) - timezone.now()

    for expected_minutes in (15, 30, 60):
        for i in range(settings.AXES_FAILURE_LIMIT):
            _login(Client(REMOTE_ADDR=f"198.51.100.{i}"), "secretariaat", "nope")
        assert _login(Client(), "secretariaat", "nope").status_code == 429
        assert abs(lock_length() - timedelta(minutes=expected_minutes)) < timedelta(minutes=1)
        # The lock ends (as if the time passed): its attempts and marker expire, its strike stays.
        AccessAttempt.objects.all().delete()
        cache.delete(throttle._USERNAME_LOCKED + "secretariaat")
    assert _login(Client(), "secretariaat", "nope").status_code == 200


# --- voting codes ---------------------------------------------------------------------------


def _code_login(address: str, code: str):
    reader = Client(REMOTE_ADDR=address, HTTP_COOKIE="django_language=en")
    return reader.post("/stemcode/", {"code": code})


@pytest.mark.django_db
def test_sixty_wrong_codes_from_rotating_addresses_are_throttled(
    association, secretariat, meeting, settings
):
    settings.BESLUIT_CODE_SPACE_FAILURE_LIMIT = 40
    issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
    statuses = [
        _code_login(f"198.51.{i // 250}.{i % 250}", f"WRONG-{i}").status_code for i in range(60)
    ]
    assert statuses == [400] * 40 + [429] * 20
    # Meanwhile every code login waits, also a right code from a new address.
    paused = _code_login("192.0.2.1", issued[0][1])
    assert paused.status_code == 429
    assert "logging in with a code is paused for 15 minutes" in paused.content.decode()
    event = AuditEvent.objects.get(action="voting_code.throttled")
    assert event.data["scope"] == "code-space" and event.data["seconds"] == 15 * 60


def test_each_lock_of_a_throttle_lasts_twice_as_long(monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(throttle.time, "time", lambda: clock[0])
    limiter = throttle.Throttle("test")
    locks = []
    for _ in range(5):
        assert [limiter.fail("k", 3) for _ in range(3)][:2] == [0, 0]
        locks.append(limiter.locked("k"))
        assert limiter.fail("k", 3) == 0  # not counted while locked
        clock[0] += locks[-1]  # the lock ends
        cache.delete(limiter._key("lock", "k"))  # as the cache would have let it expire
        assert limiter.locked("k") == 0
    assert [round(s / 60) for s in locks] == [15, 30, 60, 120, 240]


@pytest.mark.dbbackend
@pytest.mark.django_db
def test_the_code_space_counter_lives_in_redis(association, secretariat, meeting, settings):
    """With REDIS_URL the cache is Redis (settings.py): one count for all workers."""
    import redis
    from django.core.cache import caches

    url = os.environ.get("BESLUIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {url} is needed for this test: {exc}")
    prefix = f"besluit-test-throttle-{os.getpid()}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    settings.BESLUIT_CODE_SPACE_FAILURE_LIMIT = 5
    server = redis.Redis.from_url(url)

    def forget() -> None:  # only this test's keys: the database may be shared
        if keys := server.keys(f"{prefix}:*"):
            server.delete(*keys)

    forget()
    try:
        issued = codes.do_issue_codes(actor=secretariat, meeting=meeting)
        for i in range(5):
            assert _code_login(f"198.51.100.{i}", f"WRONG-{i}").status_code == 400
        stored = server.keys(f"{prefix}:*code-space*")
        assert stored, "the code-space count is not in Redis"
        assert _code_login("192.0.2.1", issued[0][1]).status_code == 429
    finally:
        forget()
        caches["default"].close()
