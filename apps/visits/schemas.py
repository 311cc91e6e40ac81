import datetime as dt

from ninja import Schema


class VisitTaskOut(Schema):
    id: int
    plan: int
    cycle: int
    occurrence: dt.date
    window_end: dt.date
    place: int
    place_name: str
    assignee: int
    status: str
    priority: int
    done_at: dt.datetime | None
    reason: str

    @staticmethod
    def resolve_plan(obj: object) -> int:
        return obj.plan_id  # type: ignore[attr-defined]

    @staticmethod
    def resolve_cycle(obj: object) -> int:
        return obj.cycle_id  # type: ignore[attr-defined]

    @staticmethod
    def resolve_place(obj: object) -> int:
        return obj.place_id  # type: ignore[attr-defined]

    @staticmethod
    def resolve_place_name(obj: object) -> str:
        return obj.place.name  # type: ignore[attr-defined]

    @staticmethod
    def resolve_assignee(obj: object) -> int:
        return obj.assignee_id  # type: ignore[attr-defined]


class VisitRecordIn(Schema):
    """reached false is 未能入户 and needs a reason; it never counts as done."""

    reached: bool = True
    reason: str = ""
    notes: str = ""
    answers: dict[str, bool] = {}
    lng: float | None = None
    lat: float | None = None


class AssigneeCoverageOut(Schema):
    assignee_id: int
    name: str
    due: int
    done: int
    unreachable: int
    missed: int
    percent: float
    below_target: bool


class CoverageOut(Schema):
    cycle: int
    occurrence: dt.date
    area: int
    targets: int
    due: int
    visited: int
    not_visited: int
    no_holder: int
    percent: float | None
    assignees: list[AssigneeCoverageOut]
