import datetime as dt

from ninja import Schema


class FilterParams(Schema):
    place: int | None = None
    kind: str | None = None
    status: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class ParticipantIn(Schema):
    name: str
    capacity: str = ""
    organisation: int | None = None


class ItemIn(Schema):
    title: str
    source: str = "manual"
    cases: list[int] = []
    description: str = ""
    duration: int = 10
    units: list[int] = []


class MeetingIn(Schema):
    kind: str
    title: str
    area: int
    starts_at: dt.datetime
    venue: str = ""
    organisations: list[int] = []
    participants: list[ParticipantIn] = []
    items: list[ItemIn] = []


class HoldIn(Schema):
    present: list[int] = []
    walk_ins: list[ParticipantIn] = []
    minutes: str = ""


class DecisionIn(Schema):
    decision: str
    owner: int | None = None
    lead_unit: int | None = None
    deadline: dt.date | None = None
    category: str | None = None  # category code, for a hand item
    # Hand cases already being handled (已接单, 办理中) to the owner; otherwise they keep
    # their handler and take only the new deadline.
    redispatch: bool = False


class ParticipantOut(Schema):
    id: int
    name: str
    capacity: str
    organisation_id: int | None
    present: bool


class ItemOut(Schema):
    id: int
    order: int
    source: str
    title: str
    duration: int
    cases: list[int]
    units: list[int]
    decision: str
    owner_id: int | None
    lead_unit_id: int | None
    deadline: dt.datetime | None
    decided_at: dt.datetime | None
    solved: bool
    applied: dict[str, list[int]] = {}

    @staticmethod
    def resolve_cases(obj: object) -> list[int]:
        return [c.pk for c in obj.cases.all()]  # type: ignore[attr-defined]

    @staticmethod
    def resolve_units(obj: object) -> list[int]:
        return [u.pk for u in obj.units.all()]  # type: ignore[attr-defined]

    @staticmethod
    def resolve_solved(obj: object) -> bool:
        return bool(getattr(obj, "is_solved", False))


class MeetingOut(Schema):
    id: int
    kind: str
    title: str
    area_id: int
    venue: str
    starts_at: dt.datetime
    status: str


class MeetingDetailOut(MeetingOut):
    minutes: str
    organisations: list[int]
    participants: list[ParticipantOut]
    items: list[ItemOut]


class ProposalOut(Schema):
    key: str
    source: str
    title: str
    cases: list[int]

    @staticmethod
    def resolve_cases(obj: object) -> list[int]:
        return [c.pk for c in obj.cases]  # type: ignore[attr-defined]


class FiguresOut(Schema):
    meetings: int
    attendance: int
    decided: int
    solved: int


class FigureParams(Schema):
    place: int | None = None
    date_from: dt.date
    date_to: dt.date
