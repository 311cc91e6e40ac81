"""Reads on activities, always starting from the user's scope (the activity's place)."""

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from apps.accounts.scoping import get_in_scope
from apps.places.models import Place, subtree_q

from .choices import ActivityStatus, ParticipantRole, SignupStatus
from .filters import ActivityFilter
from .models import Activity, ActivityPhoto, Participation


def visible_activities(user: Any) -> QuerySet[Activity]:
    """Activities whose place lies within the user's scope."""
    return Activity.objects.visible_to(user)


def with_counts(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    """Each activity with its registered (seats: participants only), waiting and present counts
    (one query)."""
    return qs.annotate(
        n_seats=Count(
            "participations",
            filter=Q(
                participations__status=SignupStatus.REGISTERED,
                participations__role=ParticipantRole.PARTICIPANT,
            ),
            distinct=True,
        ),
        n_registered=Count(
            "participations",
            filter=Q(participations__status=SignupStatus.REGISTERED),
            distinct=True,
        ),
        n_waiting=Count(
            "participations",
            filter=Q(participations__status=SignupStatus.WAITLISTED),
            distinct=True,
        ),
        n_present=Count(
            "participations",
            filter=Q(participations__checked_in_at__isnull=False),
            distinct=True,
        ),
    )


def activity_list(user: Any, filters: ActivityFilter | None = None) -> QuerySet[Activity]:
    qs = visible_activities(user)
    if filters is not None:
        qs = filters.filter(qs)
    return with_counts(qs.select_related("place")).order_by("-start_at", "-id")


def access_activity_for_user(user: Any, pk: Any) -> Activity:
    """The activity if it lies within the user's scope; 404 otherwise."""
    qs = visible_activities(user).select_related("place", "created_by")
    return get_in_scope(qs, pk=pk)


def access_participation_for_user(user: Any, pk: Any) -> Participation:
    qs = Participation.objects.visible_to(user).select_related("activity__place", "person")
    return get_in_scope(qs, pk=pk)


def access_photo_for_user(user: Any, pk: Any) -> ActivityPhoto:
    qs = ActivityPhoto.objects.visible_to(user)
    return get_in_scope(qs, pk=pk)


def participants(activity: Activity) -> QuerySet[Participation]:
    """Everyone on the activity's lists: registered first, then waiting (in order), then
    cancelled."""
    return (
        activity.participations.select_related("person", "person__place", "service_hours")
        .annotate(is_volunteer=Count("person__volunteer"))
        .order_by("status", "signed_up_at", "id")
    )


def my_participations(user: Any) -> QuerySet[Participation]:
    if not user.is_authenticated or not user.person_id:
        return Participation.objects.none()
    return (
        Participation.objects.filter(person_id=user.person_id)
        .exclude(status=SignupStatus.CANCELLED)
        .select_related("activity__place")
        .order_by("-activity__start_at")
    )


def open_for_signup(user: Any) -> QuerySet[Activity]:
    """Upcoming activities in the user's scope that residents and volunteers may join."""
    return with_counts(
        visible_activities(user)
        .filter(
            status=ActivityStatus.PUBLISHED,
            self_signup=True,
            end_at__gt=timezone.now(),
        )
        .select_related("place")
    ).order_by("start_at", "id")


# Calendar ---------------------------------------------------------------------------------


@dataclass
class Day:
    date: dt.date
    in_month: bool
    activities: list[Activity] = field(default_factory=list)


@dataclass
class Month:
    year: int
    month: int
    weeks: list[list[Day]]
    previous: str
    next: str

    @property
    def days_with_activities(self) -> list[Day]:
        return [d for w in self.weeks for d in w if d.in_month and d.activities]


def parse_month(value: str | None, today: dt.date) -> tuple[int, int]:
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        if 1 <= month <= 12 and 2000 <= year <= 2100:
            return year, month
    except ValueError:
        pass
    return today.year, today.month


def month_calendar(user: Any, year: int, month: int) -> Month:
    """The month grid (weeks from Monday) with the visible activities of each day, by local
    start date; one query."""
    first = dt.date(year, month, 1)
    weeks_dates = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    grid_start, grid_end = weeks_dates[0][0], weeks_dates[-1][-1]
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(grid_start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(grid_end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    by_day: dict[dt.date, list[Activity]] = defaultdict(list)
    rows = visible_activities(user).filter(start_at__gte=start, start_at__lt=end)
    for activity in rows.select_related("place").order_by("start_at", "id"):
        by_day[timezone.localtime(activity.start_at).date()].append(activity)
    weeks = [[Day(d, d.month == month, by_day.get(d, [])) for d in week] for week in weeks_dates]
    prev_month = first - dt.timedelta(days=1)
    next_month = first + dt.timedelta(days=32)
    return Month(
        year,
        month,
        weeks,
        f"{prev_month.year}-{prev_month.month:02d}",
        f"{next_month.year}-{next_month.month:02d}",
    )


# Figures ----------------------------------------------------------------------------------


def _period_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def held_in(place: Place, date_from: dt.date, date_to: dt.date) -> QuerySet[Activity]:
    """Activities (not cancelled) at a place of the subtree that started in the period (local
    dates, both ends included) and have started by now."""
    start, end = _period_bounds(date_from, date_to)
    return Activity.objects.filter(
        subtree_q(place),
        status=ActivityStatus.PUBLISHED,
        start_at__gte=start,
        start_at__lt=end,
        start_at__lte=timezone.now(),
    )


@dataclass(frozen=True)
class Figures:
    held: int
    attendance: int
    online: int
    walk_ins: int

    @property
    def served(self) -> int:
        return self.attendance + self.walk_ins + self.online


def figures(place: Place, date_from: dt.date, date_to: dt.date) -> Figures:
    """活动场次, 参与人次 (people checked in), 线上观看人次, 现场未登记人次 for a subtree and
    period, in two queries."""
    held = held_in(place, date_from, date_to)
    sums = held.aggregate(n=Count("id"), online=Sum("online_viewers"), walk_ins=Sum("walk_ins"))
    attendance = Participation.objects.filter(
        activity__in=held.values("id"), checked_in_at__isnull=False
    ).count()
    return Figures(sums["n"], attendance, sums["online"] or 0, sums["walk_ins"] or 0)
