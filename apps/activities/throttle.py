"""A limit on failed name + phone-suffix check-ins per address and activity, kept in the cache
(the shared Redis cache in production). Only failures count: a community hall's Wi-Fi puts a
whole book fair behind one address, and every successful check-in there must go through, while
guessing names and suffixes produces failures."""

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600


def limit() -> int:
    return int(settings.ACTIVITIES_CHECKIN_FAILURES_PER_HOUR)


def _key(activity_id: int, ip: str | None) -> str:
    return f"activities:checkin-failures:{activity_id}:{ip or 'unknown'}"


def blocked(activity_id: int, ip: str | None) -> bool:
    return int(cache.get(_key(activity_id, ip), 0)) >= limit()


def failed(activity_id: int, ip: str | None) -> None:
    key = _key(activity_id, ip)
    if not cache.add(key, 1, WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, WINDOW_SECONDS)
