"""Reads of the place tree. Every list starts from the user's scope; a place outside it is 404."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    CharField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Concat, LPad

from apps.accounts.scoping import get_in_scope
from apps.people.models import Person

from .choices import SPECIAL, PlaceKind
from .filters import PlaceFilter
from .models import SEGMENT, Place, subtree_q


def place_list(user: Any, filters: PlaceFilter | None = None) -> QuerySet[Place]:
    """Places inside the user's scope matching `filters`, in tree order."""
    qs = Place.objects.visible_to(user)
    if filters is None:
        return qs
    if filters.within is not None:
        qs = qs.filter(subtree_q(access_place_for_user(user, filters.within), ""))
    return filters.filter(qs)


def access_place_for_user(user: Any, pk: Any) -> Place:
    """The place with this id if it lies inside the user's scope, else Http404."""
    return get_in_scope(Place.objects.visible_to(user), pk=pk)


def ancestors_in_scope(user: Any, place: Place) -> QuerySet[Place]:
    """The breadcrumb: the place's ancestors the user may see, top down (one query)."""
    return place.ancestors().visible_to(user)


def ancestor_ids(place: Place) -> list[int]:
    """Ids of the place and every ancestor, read off the materialised path (no query)."""
    return [int(place.path[i : i + SEGMENT]) for i in range(0, len(place.path), SEGMENT)]


@dataclass
class ChildCounts:
    place: Place
    households: int
    residents: int


def subtree_totals(place: Place) -> tuple[int, int]:
    """Households and active residents anywhere under `place`: two indexed range counts."""
    households = Place.objects.subtree(place).filter(kind=PlaceKind.HOUSEHOLD).count()
    residents = Person.objects.filter(subtree_q(place), active=True).count()
    return households, residents


def children_with_counts(place: Place) -> QuerySet[Place]:
    """The children of `place` on the main tree, each annotated with `households` and
    `residents` (active people) in its subtree.

    One query: the children, each with two correlated COUNT subqueries over the child's path
    range, so every count is one indexed range scan and nothing is grouped or sorted. The
    range's upper end is the parent's path followed by the child's id plus one, the same bound
    `path_upper` computes in Python.
    """
    households = Place.objects.filter(in_outer_child(place), kind=PlaceKind.HOUSEHOLD)
    residents = Person.objects.filter(in_outer_child(place, "place"), active=True)
    return tree_children(place).annotate(
        households=count_subquery(households), residents=count_subquery(residents)
    )


def child_rows(places: Iterable[Place]) -> list[ChildCounts]:
    """Rows of `children_with_counts` as typed records."""
    return [ChildCounts(c, getattr(c, "households", 0), getattr(c, "residents", 0)) for c in places]


def child_counts(place: Place) -> list[ChildCounts]:
    return child_rows(children_with_counts(place))


def in_outer_child(parent: Place, prefix: str = "") -> Q:
    """Q for rows whose place (`prefix`, "" for Place itself) lies under the outer query's
    row, a child of `parent`: the range [child.path, parent.path + segment(child.id + 1)),
    which is `path_upper(child.path)` written in SQL."""
    upper = Concat(
        Value(parent.path),
        LPad(Cast(OuterRef("pk") + 1, CharField()), SEGMENT, Value("0")),
        output_field=CharField(),
    )
    field = f"{prefix}__path" if prefix else "path"
    return Q(**{f"{field}__gte": OuterRef("path"), f"{field}__lt": upper})


def count_subquery(qs: QuerySet[Any]) -> Subquery:
    """COUNT(*) of `qs` as a scalar subquery (no GROUP BY)."""
    return Subquery(
        qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


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


def community_choices() -> list[tuple[Any, Any]]:
    """Communities grouped by town, for the select of a form a resident fills in."""
    groups: dict[str, list[tuple[int, str]]] = {}
    rows = Place.objects.filter(kind=PlaceKind.COMMUNITY).select_related("parent").order_by("path")
    for place in rows:
        groups.setdefault(place.parent.name if place.parent_id else "", []).append(
            (place.pk, place.name)
        )
    return [("", "请选择社区/村"), *groups.items()]
