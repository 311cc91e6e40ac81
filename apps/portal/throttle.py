"""A simple per-address limit on resident submissions, kept in the cache (the shared Redis
cache in production, so every web process counts together)."""

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600


def limit() -> int:
    return int(getattr(settings, "PORTAL_SUBMITS_PER_HOUR", 20))


def allow(ip: str | None) -> bool:
    """Count one submission from `ip`; False once the hour's allowance is spent."""
    key = f"portal:submits:{ip or 'unknown'}"
    if cache.add(key, 1, WINDOW_SECONDS):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WINDOW_SECONDS)
        return True
    return count <= limit()
