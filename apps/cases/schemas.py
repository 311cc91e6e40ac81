"""API shapes of cases. Outputs carry the reporter's phone masked only."""

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from apps.core.schemas import CodedErrorOut  # noqa: F401  (re-exported for the router)


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent_code: str | None = Field(None, alias="parent.code")
    response_amount: int
    response_unit: str
    resolve_amount: int
    resolve_unit: str
    default_level: str
    materials: list[str] = Field(alias="materials_list")
    form_fields: list[dict[str, Any]]


class CaseFilterParams(Schema):
    """Query parameters of GET /api/v1/cases/: the fields of `CaseFilter`."""

    q: str | None = None
    status: str | None = None
    kind: str | None = None
    source: str | None = None
    priority: str | None = None
    level: str | None = None
    category: str | None = None
    place: int | None = None
    overdue: bool | None = None
    supervised: bool | None = None
    mine: bool | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    measure: str | None = None


class CaseIn(Schema):
    category: str = Field(description="事项类别代码")
    place: int
    title: str
    description: str = ""
    kind: str = "need"
    source: str = "api"
    priority: str = "normal"
    reporter: int | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    persons: list[int] = []
    lng: float | None = None
    lat: float | None = None
    attributes: dict[str, Any] = {}


class DuplicateOut(Schema):
    id: int
    number: str
    title: str
    status: str
    score: float
    reasons: str


class SuggestionOut(Schema):
    kind: str
    kind_label: str
    name: str
    score: float
    parts: dict[str, float]
    reasons: str
    dispatchable: bool
    note: str
    data: dict[str, int]


class HotIssueOut(Schema):
    area: int
    area_name: str
    title: str
    keywords: list[str]
    categories: list[str]
    size: int
    open_count: int
    first_at: dt.datetime
    last_at: dt.datetime
    cases: list[int]


class RatingIn(Schema):
    rating: str = Field(description="satisfied 满意 / basic 基本满意 / unsatisfied 不满意")
    comment: str = ""


class TransitionIn(Schema):
    action: str
    note: str = ""
    data: dict[str, Any] = {}


class CaseOut(Schema):
    id: int
    number: str
    kind: str
    source: str
    category: str = Field(alias="category.code")
    category_name: str = Field(alias="category.name")
    place: int = Field(alias="place_id")
    place_name: str = Field(alias="place.name")
    lng: float | None
    lat: float | None
    title: str
    description: str
    priority: str
    status: str
    level: str
    handling_unit: int = Field(alias="handling_unit_id")
    assignee: int | None = Field(alias="assignee_id")
    department: int | None = Field(alias="department_id")
    reporter_name: str
    reporter_phone_masked: str
    respond_by: dt.datetime | None
    resolve_by: dt.datetime | None
    responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    rating: str
    supervised: bool
    merged_into: int | None = Field(alias="merged_into_id")
    reopen_count: int
    extension_state: str
    lamp: str
    created_at: dt.datetime

    @staticmethod
    def resolve_lamp(obj: Any) -> str:
        return obj.lamp()


class CaseCreatedOut(CaseOut):
    """The answer to a create: also the tracking token (for the resident's link) and the open
    cases that may be the same matter."""

    tracking_token: str
    possible_duplicates: list[DuplicateOut] = []


class EventOut(Schema):
    at: dt.datetime
    actor: str = Field(alias="actor_label")
    action: str
    from_status: str
    to_status: str
    note: str
    data: dict[str, Any]


class CaseDetailOut(CaseOut):
    events: list[EventOut] = Field(alias="timeline")
    allowed_actions: list[str]


class CountOut(Schema):
    code: str | None = None
    name: str | None = None
    n: int


class PeriodOut(Schema):
    period: dt.date
    n: int


class KpiOut(Schema):
    place: int
    date_from: dt.date
    date_to: dt.date
    total: int
    due_to_respond: int
    responded_in_time: int
    resolved: int
    resolved_on_time: int
    rated: int
    satisfied: int
    overdue: int
    person_times: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    on_time_rate: float | None
    mean_response_hours: float | None
    mean_handling_hours: float | None
    by_category: list[CountOut]
    by_source: list[CountOut]
    by_kind: list[CountOut]
    by_status: list[CountOut]
    by_period: list[PeriodOut]
