"""Who is connected to a meeting's live stream right now (present in the hall or online)."""

import threading
import time

from django.conf import settings

TTL_SECONDS = 60
_local: dict[int, dict[int, float]] = {}
_lock = threading.Lock()
_redis = None


def _client():
    global _redis
    if _redis is None:
        import redis

        _redis = redis.Redis.from_url(settings.REDIS_URL)
    return _redis


def touch(meeting_id: int, user_id: int) -> None:
    now = time.time()
    if settings.REDIS_URL:
        _client().zadd(f"besluit:presence:{meeting_id}", {str(user_id): now})
        return
    with _lock:
        _local.setdefault(meeting_id, {})[user_id] = now


def touch_many(meeting_id: int, user_ids: set[int]) -> None:
    """The heartbeat's refresh of everyone with an open stream: one call."""
    now = time.time()
    if settings.REDIS_URL:
        _client().zadd(f"besluit:presence:{meeting_id}", {str(u): now for u in user_ids})
        return
    with _lock:
        _local.setdefault(meeting_id, {}).update(dict.fromkeys(user_ids, now))


def leave(meeting_id: int, user_id: int) -> None:
    if settings.REDIS_URL:
        _client().zrem(f"besluit:presence:{meeting_id}", str(user_id))
        return
    with _lock:
        _local.get(meeting_id, {}).pop(user_id, None)


def present(meeting_id: int) -> set[int]:
    cutoff = time.time() - TTL_SECONDS
    if settings.REDIS_URL:
        key = f"besluit:presence:{meeting_id}"
        client = _client()
        client.zremrangebyscore(key, 0, cutoff)
        return {int(u) for u in client.zrangebyscore(key, cutoff, "+inf")}
    with _lock:
        seen = _local.get(meeting_id, {})
        return {u for u, at in seen.items() if at >= cutoff}
