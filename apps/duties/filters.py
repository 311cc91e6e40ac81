"""The one filter of the duty list, shared by the page (`duties:list`) and the API."""

from typing import Annotated

from django.db.models import Q
from ninja import FilterLookup, FilterSchema

from .choices import DutyKind


class DutyFilter(FilterSchema):
    """place: a place whose subtree to list (resolved inside the user's scope by `duty_list`);
    current: only duties held today (true) or only ended / future ones (false)."""

    kind: DutyKind | None = None
    person: Annotated[int | None, FilterLookup("person_id")] = None
    place: int | None = None
    current: bool | None = None

    def filter_place(self, value: int | None) -> Q:
        return Q()

    def filter_current(self, value: bool | None) -> Q:
        return Q()
