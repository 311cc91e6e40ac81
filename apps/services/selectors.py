"""Reads of volunteer services, always from the user's scope (outside it: 404)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet, Sum

from apps.accounts.scoping import get_in_scope, scoped
from apps.people.models import Volunteer

from .choices import DEFAULT_STAR_THRESHOLDS, STAR_NAMES, HoursStatus
from .models import PointsAccount, PointsEntry, ServiceHours


def star_thresholds() -> tuple[int, ...]:
    return tuple(getattr(settings, "SERVICES_STAR_THRESHOLDS", DEFAULT_STAR_THRESHOLDS))


def star_level(approved_hours: Decimal | float, thresholds: tuple[int, ...] = ()) -> int:
    """0 (no star) … 5 (五星): the number of thresholds the approved hours reach."""
    return sum(1 for t in thresholds or star_thresholds() if approved_hours >= t)


def star_name(level: int) -> str:
    return STAR_NAMES[level] or "未达星级"


def volunteers_visible_to(user: Any) -> QuerySet[Volunteer]:
    return scoped(Volunteer.objects.select_related("person__place"), user, "person__place")


def access_volunteer_for_user(user: Any, pk: int) -> Volunteer:
    return get_in_scope(volunteers_visible_to(user), pk=pk)


def hours_list(user: Any) -> QuerySet[ServiceHours]:
    qs = ServiceHours.objects.select_related("volunteer__person__place", "case")
    return scoped(qs, user, "volunteer__person__place")


def pending_hours_list(user: Any) -> QuerySet[ServiceHours]:
    return hours_list(user).filter(status=HoursStatus.PENDING).order_by("served_on", "id")


def access_hours_for_user(user: Any, pk: int) -> ServiceHours:
    return get_in_scope(hours_list(user), pk=pk)


def approved_hours(volunteer: Volunteer, date_from: Any = None, date_to: Any = None) -> Decimal:
    qs = ServiceHours.objects.filter(volunteer=volunteer, status=HoursStatus.APPROVED)
    if date_from:
        qs = qs.filter(served_on__gte=date_from)
    if date_to:
        qs = qs.filter(served_on__lte=date_to)
    return qs.aggregate(total=Sum("hours"))["total"] or Decimal("0")


@dataclass
class VolunteerSummary:
    volunteer: Volunteer
    approved: Decimal
    pending: Decimal
    star: int
    balance: int
    hours: list[ServiceHours]
    entries: list[PointsEntry]

    @property
    def star_name(self) -> str:
        return star_name(self.star)


def volunteer_summary(volunteer: Volunteer) -> VolunteerSummary:
    totals = {
        row["status"]: row["total"]
        for row in ServiceHours.objects.filter(volunteer=volunteer)
        .values("status")
        .annotate(total=Sum("hours"))
    }
    approved = totals.get(HoursStatus.APPROVED) or Decimal("0")
    account = PointsAccount.objects.filter(volunteer=volunteer).first()
    return VolunteerSummary(
        volunteer=volunteer,
        approved=approved,
        pending=totals.get(HoursStatus.PENDING) or Decimal("0"),
        star=star_level(approved),
        balance=account.balance if account else 0,
        hours=list(
            ServiceHours.objects.filter(volunteer=volunteer).select_related("decided_by")[:200]
        ),
        entries=list(
            PointsEntry.objects.filter(account__volunteer=volunteer).select_related("item")[:200]
        ),
    )
