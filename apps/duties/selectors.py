"""Reads of duties and coverage ("不漏一户": which households, or places, have nobody)."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from apps.accounts.scoping import get_in_scope
from apps.people.models import Person
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q
from apps.places.selectors import (
    access_place_for_user,
    ancestor_ids,
    count_subquery,
    in_outer_child,
)

from .choices import DUTY_TARGET_KINDS, HOUSEHOLD_HOLDER_KINDS, DutyKind
from .filters import DutyFilter
from .models import Duty


def duty_list(user: Any, filters: DutyFilter | None = None) -> QuerySet[Duty]:
    """Duties on places inside the user's scope, newest first."""
    qs = Duty.objects.visible_to(user).select_related("person", "place")
    qs = qs.order_by("-start_date", "-id")
    if filters is None:
        return qs
    if filters.place is not None:
        qs = qs.filter(subtree_q(access_place_for_user(user, filters.place)))
    if filters.current is True:
        qs = qs.filter(pk__in=Duty.objects.current().values("pk"))
    elif filters.current is False:
        qs = qs.exclude(pk__in=Duty.objects.current().values("pk"))
    return filters.filter(qs)


def access_duty_for_user(user: Any, pk: Any) -> Duty:
    return get_in_scope(Duty.objects.visible_to(user).select_related("person", "place"), pk=pk)


def access_person_for_user(user: Any, pk: Any) -> Person:
    """A person registered inside the user's scope, else Http404."""
    return get_in_scope(Person.objects.visible_to(user).select_related("place"), pk=pk)


def duty_holders(place: Place, on: date | None = None) -> QuerySet[Duty]:
    """Who answers for this place today: duties held on it and the grid worker, building and
    unit heads of the places above it (one query)."""
    return (
        Duty.objects.current(on)
        .filter(place_id__in=ancestor_ids(place), kind__in=HOUSEHOLD_HOLDER_KINDS)
        .select_related("person", "place")
        .order_by("-place__depth", "kind", "id")
    )


def candidate_holders(user: Any, area: Place) -> QuerySet[Person]:
    """Party members inside the user's scope and `area`, who may take on a 包联 household."""
    return (
        Person.objects.visible_to(user)
        .filter(subtree_q(area), active=True, party_member__isnull=False)
        .order_by("name_initials", "id")
    )


def holder_area(place: Place, ancestors: list[Place]) -> Place:
    """Where a household's 包联 party members are found: its community, or the highest place
    of `ancestors` (the visible ones) when there is none."""
    communities = [a for a in ancestors if a.kind == PlaceKind.COMMUNITY]
    return communities[-1] if communities else (ancestors[0] if ancestors else place)


def held(kind: str, on: date | None = None) -> Exists:
    """EXISTS: the outer place has a current duty of `kind`."""
    return Exists(Duty.objects.current(on).filter(place=OuterRef("pk"), kind=kind))


def coverage_targets(place: Place, kind: str) -> QuerySet[Place]:
    """The places under `place` (itself included) that a duty of `kind` should cover."""
    return Place.objects.subtree(place).filter(kind__in=DUTY_TARGET_KINDS[kind])


def uncovered(place: Place, kind: str, on: date | None = None) -> QuerySet[Place]:
    """Targets with nobody holding `kind` today: one anti-join (NOT EXISTS)."""
    return (
        coverage_targets(place, kind)
        .filter(~held(kind, on))
        .select_related("parent__parent")
        .order_by("path")
    )


@dataclass
class CoverageRow:
    place: Place
    total: int = 0
    covered: int = 0

    @property
    def uncovered(self) -> int:
        return self.total - self.covered

    @property
    def percent(self) -> float | None:
        return round(100 * self.covered / self.total, 1) if self.total else None


@dataclass
class Coverage:
    place: Place
    kind: str
    total: CoverageRow
    children: list[CoverageRow] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return DutyKind(self.kind).label


def coverage(place: Place, kind: str, on: date | None = None) -> Coverage:
    """Covered / total targets under `place`, per child and in all: one query, where each
    child's figures are two correlated counts over its path range and "covered" is an
    EXISTS on the duty index."""
    on = on or timezone.localdate()
    targets = Place.objects.filter(kind__in=DUTY_TARGET_KINDS[kind])
    in_child = targets.filter(in_outer_child(place))
    rows = (
        Place.objects.filter(parent=place)
        .order_by("code")
        .annotate(
            total=count_subquery(in_child),
            covered=count_subquery(in_child.filter(held(kind, on))),
        )
    )
    children = [CoverageRow(c, getattr(c, "total", 0), getattr(c, "covered", 0)) for c in rows]
    total = CoverageRow(place, sum(r.total for r in children), sum(r.covered for r in children))
    if place.kind in DUTY_TARGET_KINDS[kind]:  # the area is a target itself (a grid, say)
        total.total += 1
        total.covered += Duty.objects.current(on).filter(place=place, kind=kind).exists()
    return Coverage(place, kind, total, [r for r in children if r.total])
