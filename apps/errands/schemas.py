import datetime as dt

from ninja import Field, Schema


class StepOut(Schema):
    id: int
    position: int
    name: str
    office: str
    status: str
    done_at: dt.datetime | None
    helper: int | None = Field(alias="helper_id")
    resident: int | None = Field(alias="resident_id")
    note: str


class ErrandOut(Schema):
    case: int = Field(alias="pk")
    number: str
    title: str
    status: str
    place: int = Field(alias="place_id")
    assignee: int | None = Field(alias="assignee_id")
    steps_total: int
    steps_done: int


class ErrandDetailOut(Schema):
    case: int = Field(alias="pk")
    number: str
    title: str
    status: str
    place: int = Field(alias="place_id")
    assignee: int | None = Field(alias="assignee_id")
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj: object) -> list[object]:
        return list(obj.errand_steps.order_by("position"))  # type: ignore[attr-defined]


class StepLine(Schema):
    name: str
    office: str = ""


class AddStepsIn(Schema):
    template: str | None = None  # a template code
    steps: list[StepLine] = []


class CompleteStepIn(Schema):
    note: str = ""
    helper: int | None = None  # a person id; default the account's own person


class ErrandResolveIn(Schema):
    note: str = ""


class TemplateOut(Schema):
    code: str
    name: str
    category: int | None = Field(alias="category_id")
    steps: list[StepLine]
