"""Per-address limits on what residents may do without an account, kept in the cache (the
shared Redis cache in production, so every web process counts together): submissions (the
portal's reports, the volunteer sign-up), and lookups of a case by its number and the phone's
last four digits (which must not be guessable by trying). Shared by the apps that take
anonymous input, so it stands in core."""

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600
# Per hour and address: the setting that holds each bucket's allowance (config/settings.py).
LIMITS = {"submits": "PORTAL_SUBMITS_PER_HOUR", "lookups": "PORTAL_LOOKUPS_PER_HOUR"}


def limit(bucket: str = "submits") -> int:
    return int(getattr(settings, LIMITS[bucket]))


def allow(ip: str | None, bucket: str = "submits") -> bool:
    """Count one use of `bucket` from `ip`; False once the hour's allowance is spent."""
    key = f"portal:{bucket}:{ip or 'unknown'}"
    if cache.add(key, 1, WINDOW_SECONDS):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WINDOW_SECONDS)
        return True
    return count <= limit(bucket)
