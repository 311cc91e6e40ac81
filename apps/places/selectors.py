"""Reads of the place tree. Every list starts from the user's scope; a place outside it is 404."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr

from apps.accounts.scoping import get_in_scope, scope_q, scoped
from apps.people.models import Person

from .choices import SPECIAL, PlaceKind
from .filters import PlaceFilter
from .models import SEGMENT, Place, subtree_q


def place_list(user: Any, filters: PlaceFilter | None = None) -> QuerySet[Place]:
    """Places inside the user's scope matching `filters`, in tree order."""
    qs = scoped(Place.objects.all(), user, "")
    if filters is None:
        return qs
    if filters.within is not None:
        qs = qs.subtree(access_place_for_user(user, filters.within))
    return filters.filter(qs)


def access_place_for_user(user: Any, pk: Any) -> Place:
    """The place with this id if it lies inside the user's scope, else Http404."""
    return get_in_scope(scoped(Place.objects.all(), user, ""), pk=pk)


def ancestors_in_scope(user: Any, place: Place) -> QuerySet[Place]:
    """The breadcrumb: the place's ancestors the user may see, top down (one query)."""
    return place.ancestors().filter(scope_q(user, ""))


def ancestor_ids(place: Place) -> list[int]:
    """Ids of the place and every ancestor, read off the materialised path (no query)."""
    return [int(place.path[i : i + SEGMENT]) for i in range(0, len(place.path), SEGMENT)]


@dataclass
class ChildCounts:
    place: Place
    households: int
    residents: int


def _branch(place: Place, field: str = "path") -> Substr:
    """The path prefix naming the child of `place` under which a row lies."""
    return Substr(field, 1, len(place.path) + SEGMENT)


@dataclass
class SubtreeCounts:
    """Households and active residents under a place, keyed by the path of the child they
    lie under."""

    households: dict[str, int]
    residents: dict[str, int]

    @property
    def households_total(self) -> int:
        return sum(self.households.values())

    @property
    def residents_total(self) -> int:
        return sum(self.residents.values())


def subtree_counts(place: Place) -> SubtreeCounts:
    """Two aggregate queries, each one indexed range scan of the subtree grouped by child."""
    households = (
        Place.objects.subtree(place, include_self=False)
        .filter(kind=PlaceKind.HOUSEHOLD)
        .order_by()
        .values_list(_branch(place))
        .annotate(n=Count("pk"))
    )
    residents = (
        Person.objects.filter(subtree_q(place), active=True)
        .order_by()
        .values_list(_branch(place, "place__path"))
        .annotate(n=Count("pk"))
    )
    return SubtreeCounts(dict(households.iterator()), dict(residents.iterator()))


def child_counts(
    place: Place, children: list[Place] | None = None, counts: SubtreeCounts | None = None
) -> list[ChildCounts]:
    """For each child of `place` (or the given page of them): households and residents in its
    subtree. Pass `counts` when the caller already has them."""
    if children is None:
        children = list(tree_children(place))
    counts = counts or subtree_counts(place)
    return [
        ChildCounts(
            child, counts.households.get(child.path, 0), counts.residents.get(child.path, 0)
        )
        for child in children
    ]


def tree_children(place: Place) -> QuerySet[Place]:
    """The children on the main tree (county … household), without special places."""
    return Place.objects.filter(parent=place).exclude(kind__in=SPECIAL).order_by("code")


def special_places(place: Place, limit: int = 100) -> QuerySet[Place]:
    """Stations, contact points, clinics, hospitals and forest zones anywhere under `place`."""
    return (
        Place.objects.subtree(place, include_self=False)
        .filter(kind__in=SPECIAL)
        .select_related("parent")
        .order_by("kind", "code")[:limit]
    )


def household_members(household: Place) -> QuerySet[Person]:
    """Active people of a household with their care tags (two queries)."""
    return (
        Person.objects.filter(place=household, active=True)
        .prefetch_related("care_tags")
        .order_by("id")
    )
