import datetime as dt

from ninja import Field, Schema


class MediatorOut(Schema):
    id: int
    person: int = Field(alias="person_id")
    name: str = Field(alias="person.name")
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    area: int = Field(alias="area_id")
    unit: str
    active: bool


class MediatorIn(Schema):
    person: int
    area: int
    kind: str
    unit: str = ""


class SessionOut(Schema):
    id: int
    held_on: dt.date
    location: str
    participants: str
    notes: str


class MediationOut(Schema):
    id: int
    case: int = Field(alias="case_id")
    case_number: str = Field(alias="case.number")
    case_status: str = Field(alias="case.status")
    place: int = Field(alias="case.place_id")
    parties: list[str]
    mediators: list[int]
    status: str
    agreement: str
    agreed_on: dt.date | None
    failure_reason: str
    referral: str
    referral_note: str
    concluded_at: dt.datetime | None

    @staticmethod
    def resolve_mediators(obj: object) -> list[int]:
        return [m.pk for m in obj.mediators.all()]  # type: ignore[attr-defined]


class MediationDetailOut(MediationOut):
    sessions: list[SessionOut]

    @staticmethod
    def resolve_sessions(obj: object) -> list[object]:
        return list(obj.sessions.all())  # type: ignore[attr-defined]


class MediationIn(Schema):
    case: int
    mediators: list[int]
    parties: list[str]


class SessionIn(Schema):
    held_on: dt.date | None = None
    location: str
    participants: str
    notes: str = ""


class OutcomeIn(Schema):
    agreed: bool
    agreement: str = ""
    agreed_on: dt.date | None = None
    failure_reason: str = ""
    referral: str = ""
    referral_note: str = ""


class ResolveIn(Schema):
    note: str = ""
