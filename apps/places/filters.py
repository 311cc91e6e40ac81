"""The one filter of the place list, shared by the page (`places:list`) and the API; and what
every app's list filter uses to choose a place within the user's scope (`area_choices`,
`ScopedPlaceFilterMixin`)."""

from typing import Annotated, Any

from django import forms
from django.db.models import Q
from ninja import FilterLookup, FilterSchema

from .choices import PlaceKind
from .models import Place


class PlaceFilter(FilterSchema):
    """q: part of the name or the start of the code; within: a place whose subtree to search
    (resolved inside the user's scope by `place_list`, so it is not a plain lookup here)."""

    q: Annotated[str | None, FilterLookup(["name__icontains", "code__startswith"])] = None
    kind: PlaceKind | None = None
    parent: Annotated[int | None, FilterLookup("parent_id")] = None
    within: int | None = None

    def filter_q(self, value: str | None) -> Q:
        value = (value or "").strip()
        return Q(name__icontains=value) | Q(code__startswith=value) if value else Q()

    def filter_within(self, value: int | None) -> Q:
        return Q()


# Kinds offered in the place drop-down of the filter (the field accepts any place in scope).
AREA_KINDS = (PlaceKind.TOWN, PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND)
AREA_CHOICES_LIMIT = 500


def area_choices(user: Any) -> list[tuple[str, str]]:
    places = Place.objects.visible_to(user).filter(kind__in=AREA_KINDS).order_by("path")
    return [("", "全部")] + [
        (str(p.pk), f"{'　' * max(p.depth - 1, 0)}{p.name}")
        for p in places.only("id", "name", "depth")[:AREA_CHOICES_LIMIT]
    ]


class ScopedPlaceFilterMixin:
    """A `place` field taking the id of any place within the user's scope (its subtree), and
    the split of the fields into those always shown and those folded away on a phone."""

    user: Any
    cleaned_data: dict[str, Any]
    #: names of the fields always shown; the others fold under "更多条件"
    primary: tuple[str, ...] = ()

    def primary_fields(self) -> list[Any]:
        return [f for f in self if not self.primary or f.name in self.primary]  # type: ignore[attr-defined]

    def more_fields(self) -> list[Any]:
        return [f for f in self if self.primary and f.name not in self.primary]  # type: ignore[attr-defined]

    def more_in_use(self) -> bool:
        return any(f.value() or f.errors for f in self.more_fields())

    def clean_place(self) -> Place | None:
        place_id = self.cleaned_data.get("place")
        if place_id is None:
            return None
        place = Place.objects.visible_to(self.user).filter(pk=place_id).first()
        if place is None:
            raise forms.ValidationError("地点不存在或不在您的管辖范围内")
        return place
