"""Login throttling for every way in (/accounts/login/, /admin/login/): three counters with a
time decay, kept in the cache (Redis in production, so every web process counts together).

* per address and account (LOGIN_MAX_FAILURES, default 5): a person who mistypes, or an
  attacker trying one account, is held off that account from that address;
* per address (LOGIN_ADDRESS_MAX_FAILURES, default 20): one address spraying many accounts is
  held off all of them;
* per account (LOGIN_ACCOUNT_MAX_FAILURES, default 50): a guessing attack spread over many
  addresses locks the account itself.

Each counter forgets its failures LOGIN_LOCKOUT_MINUTES after the first, and a hold lasts
LOGIN_LOCKOUT_MINUTES, so nobody can lock an account for good: from one address, an attacker
holds off only that address; locking the account for everyone takes ten times as many failures
from at least three addresses, and it lifts by itself. Counters are keyed by the name typed, not
by a row, so an unknown name is counted and held exactly like a real one (no enumeration).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

PAIR, ADDRESS, ACCOUNT = "pair", "address", "account"


def _limits() -> dict[str, int]:
    return {
        PAIR: settings.LOGIN_MAX_FAILURES,
        ADDRESS: settings.LOGIN_ADDRESS_MAX_FAILURES,
        ACCOUNT: settings.LOGIN_ACCOUNT_MAX_FAILURES,
    }


def _window() -> int:
    return settings.LOGIN_LOCKOUT_MINUTES * 60


def _subjects(username: str, ip: str | None) -> dict[str, str]:
    name = (username or "").strip().casefold()
    address = ip or "unknown"
    return {PAIR: f"{address}|{name}", ADDRESS: address, ACCOUNT: name}


def _key(what: str, kind: str, subject: str) -> str:
    return f"login:{what}:{kind}:{hashlib.sha256(subject.encode()).hexdigest()[:32]}"


def refused(username: str, ip: str | None) -> bool:
    """True while any hold covers this name from this address."""
    keys = [_key("hold", kind, subject) for kind, subject in _subjects(username, ip).items()]
    return bool(cache.get_many(keys))


def record_failure(username: str, ip: str | None) -> list[str]:
    """Count one failure on each counter; return the kinds of hold it started ([] if none)."""
    started = []
    limits = _limits()
    for kind, subject in _subjects(username, ip).items():
        key = _key("failures", kind, subject)
        if cache.add(key, 1, _window()):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, _window())
                count = 1
        if count >= limits[kind]:
            cache.set(_key("hold", kind, subject), 1, _window())
            cache.delete(key)
            started.append(kind)
    return started


def record_success(username: str, ip: str | None) -> None:
    """A right password clears this address's failures on this account (the others decay)."""
    cache.delete(_key("failures", PAIR, _subjects(username, ip)[PAIR]))
