"""Reads of 林长制, every list starting from `visible_to(user)`."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from apps.cases.choices import OPEN_STATUSES
from apps.duties.models import Duty
from apps.places.choices import PlaceKind
from apps.places.models import Place

from .choices import FOREST_LEVELS, PatrolStatus, TaskStatus
from .models import ForestEvent, Patrol, PatrolTask, Planting, Signboard


def zones(user: Any) -> QuerySet[Place]:
    return Place.objects.visible_to(user).filter(kind=PlaceKind.FOREST_ZONE)


TARGET_KINDS = (PlaceKind.COUNTY, PlaceKind.TOWN, PlaceKind.FOREST_ZONE)


def target_places(user: Any) -> QuerySet[Place]:
    """The places a planting target may be set for: the county, townships and zones in the
    account's scope (tree order)."""
    return Place.objects.visible_to(user).filter(kind__in=TARGET_KINDS).order_by("path")


def my_zones(user: Any) -> QuerySet[Place]:
    """The zones the account's person holds a forest duty on (else every zone in scope)."""
    if user.person_id:
        held = Duty.objects.current().filter(
            person_id=user.person_id, kind__in=[k.value for k in FOREST_LEVELS]
        )
        mine = zones(user).filter(pk__in=held.values("place_id"))
        if mine.exists():
            return mine
    return zones(user)


def my_tasks(user: Any, on: dt.date | None = None) -> QuerySet[PatrolTask]:
    on = on or timezone.localdate()
    if not user.person_id:
        return PatrolTask.objects.none()
    return (
        PatrolTask.objects.visible_to(user)
        .filter(person_id=user.person_id, period_start__lte=on)
        .filter(due_date__gte=on - dt.timedelta(days=7))
        .select_related("zone", "patrol")
        .order_by("status", "due_date")
    )


def open_patrol(user: Any) -> Patrol | None:
    return (
        Patrol.objects.filter(leader=user, status__in=[PatrolStatus.ACTIVE, PatrolStatus.PAUSED])
        .select_related("zone")
        .first()
    )


def patrols(user: Any) -> QuerySet[Patrol]:
    return Patrol.objects.visible_to(user).select_related("zone", "leader")


def events(user: Any, open_only: bool = False) -> QuerySet[ForestEvent]:
    qs = ForestEvent.objects.visible_to(user).select_related("zone", "case", "case__category")
    if open_only:
        qs = qs.filter(case__status__in=list(OPEN_STATUSES))
    return qs


def signboards(user: Any) -> QuerySet[Signboard]:
    return Signboard.objects.visible_to(user).select_related("zone")


def plantings(user: Any) -> QuerySet[Planting]:
    return Planting.objects.visible_to(user).select_related("place")


def zone_people(zone: Place) -> list[Duty]:
    order = {k.value: n for n, k in enumerate(reversed(FOREST_LEVELS))}
    rows = list(
        Duty.objects.current()
        .filter(place=zone, kind__in=[k.value for k in FOREST_LEVELS])
        .select_related("person")
    )
    return sorted(rows, key=lambda d: (order.get(d.kind, 9), d.person.name))


def task_figures(user: Any, start: dt.date, end: dt.date) -> dict[str, dict[str, int]]:
    """Patrol tasks due in [start, end] by level: due, done, missed (巡林率 = done ÷ due)."""
    from django.db.models import Count, Q

    rows = (
        PatrolTask.objects.visible_to(user)
        .filter(due_date__gte=start, due_date__lte=end)
        .values("level")
        .annotate(
            due=Count("id"),
            done=Count("id", filter=Q(status=TaskStatus.DONE)),
            missed=Count("id", filter=Q(status=TaskStatus.MISSED)),
        )
    )
    return {r["level"]: {"due": r["due"], "done": r["done"], "missed": r["missed"]} for r in rows}
