from datetime import date
from typing import Any

from ninja import Schema


class DutyOut(Schema):
    id: int
    kind: str
    kind_label: str
    person_id: int
    person_name: str
    place_id: int
    place_name: str
    start_date: date
    end_date: date | None
    note: str

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return obj.person.name

    @staticmethod
    def resolve_place_name(obj: Any) -> str:
        return obj.place.name


class DutyIn(Schema):
    """Fields default to empty so that the action's Chinese messages answer a missing one."""

    person: int
    place: int
    kind: str = ""
    start_date: date | None = None
    end_date: date | None = None
    note: str = ""


class DutyEndIn(Schema):
    end_date: date | None = None


class CoverageRowOut(Schema):
    place_id: int
    place_name: str
    total: int
    covered: int
    uncovered: int
    percent: float | None


class CoverageOut(Schema):
    place_id: int
    place_name: str
    kind: str
    kind_label: str
    total: int
    covered: int
    uncovered: int
    percent: float | None
    children: list[CoverageRowOut]
