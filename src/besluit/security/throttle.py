"""Counting failures and locking with back-off: password logins and voting codes.

A ``Throttle`` counts failures per key (an address, a username, or one key for the
whole code space) in the cache, in a window that starts at the first failure. When
a key reaches its limit it is locked, and each lock lasts twice as long as the one
before it within a day (``BASE_LOCK``, ``2 × BASE_LOCK``, ... up to ``MAX_LOCK``).
The cache is Redis when ``REDIS_URL`` is set (one count for all workers), else each
process's memory. The callers pass the limit (a setting); 0 turns a throttle off.

Who uses what:
- a password login: django-axes locks a *username* after ``BESLUIT_LOGIN_FAILURE_LIMIT``
  failures from any address (in the database), its lock time from ``login_cooloff``
  (the same back-off, its strikes counted here); ``AddressThrottleBackend`` locks an
  *address* after ``BESLUIT_LOGIN_ADDRESS_FAILURE_LIMIT`` failures for any usernames;
- a voting code (accounts.codes): per address (``BESLUIT_CODE_LOGIN_FAILURE_LIMIT``)
  and for the whole code space, all addresses together
  (``BESLUIT_CODE_SPACE_FAILURE_LIMIT``), which catches guessing from rotating addresses.
"""

import math
import time
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

WINDOW = 15 * 60  # seconds in which failures are counted
BASE_LOCK = 15 * 60  # the first lock
MAX_LOCK = 24 * 60 * 60
MEMORY = 24 * 60 * 60  # how long earlier locks make the next one longer


def lock_seconds(strikes: int) -> int:
    """The length of the lock number ``strikes`` (1, 2, ...)."""
    return min(BASE_LOCK * 2 ** max(strikes - 1, 0), MAX_LOCK)


class Throttle:
    def __init__(self, name: str):
        self.name = name

    def _key(self, kind: str, key: str) -> str:
        return f"besluit:throttle:{self.name}:{kind}:{key}"

    def locked(self, key: str) -> int:
        """Seconds until ``key`` may try again; 0 when it may now. One cache read."""
        until = cache.get(self._key("lock", key))
        return max(math.ceil(until - time.time()), 0) if until else 0

    def strikes(self, key: str) -> int:
        return cache.get(self._key("strikes", key), 0)

    def fail(self, key: str, limit: int) -> int:
        """Count a failure; returns the seconds of the lock it started, else 0.
        A key already locked is not counted (a flood costs no writes)."""
        if not limit or self.locked(key):
            return 0
        failures = _increment(self._key("failures", key), WINDOW)
        if failures < limit:
            return 0
        strikes = _increment(self._key("strikes", key), MEMORY)
        seconds = lock_seconds(strikes)
        cache.set(self._key("lock", key), time.time() + seconds, seconds)
        cache.delete(self._key("failures", key))
        return seconds


def _increment(key: str, timeout: int) -> int:
    # The window starts at the first failure; add() keeps an existing counter.
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout)
        return 1


LOGIN_ADDRESS = Throttle("login-address")
CODE_ADDRESS = Throttle("code-address")
CODE_SPACE = Throttle("code-space")
CODE_SPACE_KEY = "all"

# django-axes' username locks: their strikes, counted once per lock.
_USERNAME_STRIKES = "besluit:throttle:login-username:strikes:"
_USERNAME_LOCKED = "besluit:throttle:login-username:locked:"


def _username(request) -> str:
    from axes.helpers import get_client_username

    return str(get_client_username(request) or "") if request is not None else ""


def login_cooloff(request) -> timedelta:
    """AXES_COOLOFF_TIME: a username's lock doubles with each earlier lock in a day."""
    strikes = cache.get(_USERNAME_STRIKES + _username(request), 0)
    return timedelta(seconds=lock_seconds(strikes))


def on_username_locked_out(sender, request=None, username=None, **kwargs) -> None:
    """axes' user_locked_out (sent for every refused attempt): one strike per lock, and
    the lock's attempts kept for as long as this lock lasts (axes set their expiry
    before this signal, with the previous lock's length)."""
    from axes.models import AccessAttemptExpiration

    name = str(username or "")
    seconds = lock_seconds(cache.get(_USERNAME_STRIKES + name, 0) + 1)
    if cache.add(_USERNAME_LOCKED + name, 1, seconds):
        _increment(_USERNAME_STRIKES + name, MEMORY)
        AccessAttemptExpiration.objects.filter(access_attempt__username=name).update(
            expires_at=timezone.now() + timedelta(seconds=seconds)
        )


class AddressThrottleBackend:
    """First of AUTHENTICATION_BACKENDS: refuses every password login from an address
    that is locked (its failures are counted by security.signals.on_login_failed).
    django-axes then shows its lockout page (``axes_locked_out``)."""

    def authenticate(self, request, **credentials):
        if request is not None and LOGIN_ADDRESS.locked(request.META.get("REMOTE_ADDR") or "-"):
            request.axes_locked_out = True
            raise PermissionDenied(_("Too many failed logins from this address."))
        return None  # not locked: the next backends decide (no get_user: logs no one in)
