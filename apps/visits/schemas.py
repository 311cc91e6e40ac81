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


class VisitCoverageOut(Schema):
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


class PlanOut(Schema):
    id: int
    name: str
    kind: str
    scope: int
    rule: str
    start_date: dt.date
    duty_kinds: list[str]
    checklist: list[str]
    window_days: int
    target_percent: int
    active: bool

    @staticmethod
    def resolve_scope(obj: object) -> int:
        return obj.scope_id  # type: ignore[attr-defined]


class PlanIn(Schema):
    """rule: an RRULE body (the presets: FREQ=WEEKLY;BYDAY=FR, FREQ=MONTHLY;BYMONTHDAY=1,16,
    FREQ=MONTHLY;BYMONTHDAY=1)."""

    name: str
    kind: str
    scope: int
    rule: str = "FREQ=WEEKLY;BYDAY=FR"
    start_date: dt.date
    duty_kinds: list[str]
    checklist: list[str] = []
    window_days: int = 2
    target_percent: int = 100
    active: bool = True


class PlanPatch(Schema):
    name: str | None = None
    kind: str | None = None
    scope: int | None = None
    rule: str | None = None
    start_date: dt.date | None = None
    duty_kinds: list[str] | None = None
    checklist: list[str] | None = None
    window_days: int | None = None
    target_percent: int | None = None
    active: bool | None = None


class FindingIn(Schema):
    """发现隐患 / 发现纠纷 / 登记诉求. deadline: only for hazards (default: the category's
    resolve limit)."""

    category: int
    title: str
    description: str = ""
    deadline: dt.date | None = None


class FindingOut(Schema):
    case: int
    number: str
    kind: str
    rectification: int | None = None
    deadline: dt.date | None = None
    reinspection_task: int | None = None


class ReinspectionIn(Schema):
    rectified: bool
    notes: str = ""
    answers: dict[str, bool] = {}
    new_deadline: dt.date | None = None


class ReinspectionOut(Schema):
    rectification: int
    status: str
    deadline: dt.date
    case_resolved: bool


class PhotoOut(Schema):
    id: int
    url: str
    thumbnail_url: str
    content_type: str
    size: int
    width: int
    height: int

    @staticmethod
    def resolve_url(obj: object) -> str:
        return obj.file.url  # type: ignore[attr-defined]

    @staticmethod
    def resolve_thumbnail_url(obj: object) -> str:
        return obj.thumbnail.url  # type: ignore[attr-defined]


class CycleRowOut(Schema):
    cycle: int
    occurrence: dt.date
    due: int
    visited: int
    unreachable: int
    missed: int
    percent: float | None
