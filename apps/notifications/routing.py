"""Who gets a notification through which channel: the users' preferences, the channels that
cover each user's place, and quiet hours. Pure functions over rows loaded in bulk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from .choices import DEFAULT_CHANNELS, PERSONAL_KINDS, ChannelKind, is_urgent
from .models import Channel, Preference, QuietHours


def wanted_kinds(prefs: dict[str, list[str]], kind: str) -> set[str]:
    """Channel kinds one user wants for `kind`: the row for that kind, else the default row,
    else the built-in default."""
    if kind in prefs:
        return set(prefs[kind])
    if "" in prefs:
        return set(prefs[""])
    return {str(k) for k in DEFAULT_CHANNELS}


def preferences_by_user(user_ids: Iterable[int], kind: str) -> dict[int, dict[str, list[str]]]:
    found: dict[int, dict[str, list[str]]] = {}
    rows = Preference.objects.filter(user_id__in=list(user_ids), kind__in=[kind, ""])
    for row in rows.values("user_id", "kind", "channels"):
        found.setdefault(row["user_id"], {})[row["kind"]] = list(row["channels"] or [])
    return found


def covers(channel: Channel, user: Any) -> bool:
    """A channel without a place serves everyone; one with a place serves the accounts whose
    scope lies inside it (materialised paths: an ancestor's path is a prefix)."""
    if channel.place_id is None:
        return True
    scope = getattr(user, "scope", None)
    return scope is not None and scope.path.startswith(channel.place.path)


def reachable(user: Any, kind: str) -> bool:
    """Whether the user has an address for a personal channel (no address, no delivery)."""
    if kind == ChannelKind.EMAIL:
        return bool(user.email)
    if kind == ChannelKind.SMS:
        person = getattr(user, "person", None)
        return bool(person is not None and person.phone_enc)
    return True


def depth(channel: Channel) -> int:
    return len(channel.place.path) if channel.place_id else 0


@dataclass
class Route:
    """For one send: personal deliveries per user and the users each group channel covers."""

    personal: list[tuple[Any, Channel]] = field(default_factory=list)
    group: dict[int, tuple[Channel, list[Any]]] = field(default_factory=dict)


def route(users: list[Any], kind: str, channels: list[Channel]) -> Route:
    usable = [c for c in channels if c.enabled and c.accepts(kind)]
    result = Route()
    if not usable:  # the inbox only: no preference can ask for anything more
        return result
    prefs = preferences_by_user([u.pk for u in users], kind)
    for user in users:
        wanted = wanted_kinds(prefs.get(user.pk, {}), kind)
        mine = [c for c in usable if c.kind in wanted and covers(c, user)]
        for personal_kind in PERSONAL_KINDS:
            # One e-mail and one SMS per person: the channel nearest to the user's place wins.
            candidates = [c for c in mine if c.kind == personal_kind]
            if not reachable(user, personal_kind):
                continue
            if candidates:
                result.personal.append((user, max(candidates, key=depth)))
        for channel in mine:
            if channel.is_group:
                result.group.setdefault(channel.pk, (channel, []))[1].append(user)
    return result


def in_quiet_hours(quiet: QuietHours | None, kind: str, now: datetime) -> datetime | None:
    """When a personal delivery may go: None for now, else the end of the quiet window."""
    if quiet is None or is_urgent(kind) or quiet.start == quiet.end:
        return None
    local = timezone.localtime(now)
    clock = local.time()
    if quiet.start < quiet.end:
        inside = quiet.start <= clock < quiet.end
    else:  # the window wraps past midnight, e.g. 22:00–07:00
        inside = clock >= quiet.start or clock < quiet.end
    if not inside:
        return None
    return next_time(local, quiet.end)


def next_time(local: datetime, at: time) -> datetime:
    candidate = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate
