"""The one filter of the place list, shared by the page (`places:list`) and the API."""

from typing import Annotated

from django.db.models import Q
from ninja import FilterLookup, FilterSchema

from .choices import PlaceKind


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
