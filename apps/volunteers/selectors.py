"""Reads of volunteers, always from the user's scope (outside it: 404)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.scoping import get_in_scope
from apps.cases.models import Case
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q

from .choices import STAR_NAMES, HoursStatus
from .models import (
    AvailabilityException,
    NoShow,
    PointsAccount,
    PointsEntry,
    RewardItem,
    ServiceHours,
    Training,
    Volunteer,
    VolunteerApplication,
)


def star_thresholds() -> tuple[int, ...]:
    return tuple(settings.SERVICES_STAR_THRESHOLDS)


def star_level(approved_hours: Decimal | float, thresholds: tuple[int, ...] = ()) -> int:
    """0 (no star) … 5 (五星): the number of thresholds the approved hours reach."""
    return sum(1 for t in thresholds or star_thresholds() if approved_hours >= t)


def star_name(level: int) -> str:
    return STAR_NAMES[level] or "未达星级"


def volunteers_visible_to(user: Any) -> QuerySet[Volunteer]:
    return Volunteer.objects.visible_to(user).select_related("person__place")


def access_volunteer_for_user(user: Any, pk: int) -> Volunteer:
    return get_in_scope(volunteers_visible_to(user), pk=pk)


def hours_list(user: Any) -> QuerySet[ServiceHours]:
    qs = ServiceHours.objects.select_related("volunteer__person__place", "case")
    return qs.visible_to(user)


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


def volunteer_rows(user: Any) -> QuerySet[Volunteer]:
    """The volunteer list of the user's scope with approved hours, points balance and no-show
    count, each computed in the one query (no per-row queries)."""
    approved = (
        ServiceHours.objects.filter(volunteer=OuterRef("pk"), status=HoursStatus.APPROVED)
        .values("volunteer")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    no_shows = (
        NoShow.objects.filter(volunteer=OuterRef("pk"))
        .values("volunteer")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        volunteers_visible_to(user)
        .annotate(
            approved_hours=Coalesce(
                Subquery(approved), Value(Decimal("0")), output_field=DecimalField()
            ),
            no_show_count=Coalesce(Subquery(no_shows), Value(0)),
            balance=Coalesce(F("points_account__balance"), Value(0)),
        )
        .prefetch_related("skills")
        .order_by("person__name", "id")
    )


def trainings(volunteer: Volunteer) -> list[Training]:
    return list(volunteer.trainings.select_related("recorded_by")[:100])


def training_totals(volunteer: Volunteer) -> dict[str, Decimal]:
    rows = volunteer.trainings.values("kind").annotate(total=Sum("hours"))
    return {r["kind"]: r["total"] for r in rows}


def upcoming_exceptions(volunteer: Volunteer) -> list[AvailabilityException]:
    return list(volunteer.availability_exceptions.filter(on__gte=timezone.localdate())[:50])


def no_shows(volunteer: Volunteer) -> list[NoShow]:
    return list(volunteer.no_shows.select_related("case")[:100])


def applications_visible_to(user: Any) -> QuerySet[VolunteerApplication]:
    qs = VolunteerApplication.objects.select_related("community", "decided_by", "volunteer")
    return qs.visible_to(user).prefetch_related("skills")


def access_application_for_user(user: Any, pk: int) -> VolunteerApplication:
    return get_in_scope(applications_visible_to(user), pk=pk)


def reward_items(community_ids: list[int]) -> QuerySet[RewardItem]:
    return RewardItem.objects.filter(community_id__in=community_ids, active=True).order_by(
        "cost", "id"
    )


def community_of(place: Place) -> Place | None:
    """The community (社区/村) above a place, or None."""
    if place.kind == PlaceKind.COMMUNITY:
        return place
    return next((p for p in place.ancestors() if p.kind == PlaceKind.COMMUNITY), None)


def own_volunteer(user: Any) -> Volunteer | None:
    """The signed-in person's own volunteer record, if they are one."""
    return Volunteer.objects.filter(person_id=user.person_id or 0).first()


def community_by_pk(pk: int | str) -> Place | None:
    """A community (社区/村) chosen on the public registration form, or None."""
    return Place.objects.filter(pk=pk, kind=PlaceKind.COMMUNITY).first()


def application_by_token(token: str) -> VolunteerApplication | None:
    """A self-registration by the token its sender keeps (the status page needs no login)."""
    return VolunteerApplication.objects.select_related("community").filter(form_token=token).first()


def place_under(community: Place, pk: int | str) -> Place:
    """A place inside `community` (where an approved applicant is registered); 404 outside."""
    return get_in_scope(Place.objects.filter(subtree_q(community, "")), pk=pk)


def order_for(user: Any, pk: int | str) -> Case:
    """The order (a case) hours or a no-show are recorded against, within the user's scope."""
    return get_in_scope(Case.objects.visible_to(user), pk=pk)


def reward_item_for(volunteer: Volunteer, pk: int) -> RewardItem:
    """An item of the catalogue of the volunteer's community; 404 for another community's."""
    community = community_of(volunteer.person.place)
    return get_in_scope(
        RewardItem.objects.filter(community_id=community.pk if community else 0), pk=pk
    )


def communities_of(user: Any) -> list[Place]:
    """The communities in the user's scope (the catalogue form's choices)."""
    return list(
        Place.objects.visible_to(user).filter(kind=PlaceKind.COMMUNITY).order_by("path")[:500]
    )


def community_in_scope(user: Any, pk: int | str) -> Place:
    return get_in_scope(Place.objects.visible_to(user).filter(kind=PlaceKind.COMMUNITY), pk=pk)


def catalogue_items(user: Any) -> QuerySet[RewardItem]:
    """The active catalogue items of the user's communities, with how often each was redeemed."""
    return (
        RewardItem.objects.visible_to(user)
        .select_related("community")
        .filter(active=True)
        .annotate(redeemed=Count("redemptions"))
        .order_by("community__path", "cost")
    )


def access_reward_item_for_user(user: Any, pk: int) -> RewardItem:
    return get_in_scope(RewardItem.objects.visible_to(user).select_related("community"), pk=pk)
