from decimal import Decimal

from ninja import Schema


class ServiceHoursOut(Schema):
    id: int
    served_on: str
    hours: Decimal
    status: str
    case_id: int | None
    activity: str


class VolunteerServiceOut(Schema):
    volunteer_id: int
    name: str
    approved_hours: Decimal
    pending_hours: Decimal
    star: int
    star_name: str
    points: int
    hours: list[ServiceHoursOut]


class ReviewDecisionIn(Schema):
    note: str = ""


class VolunteerListIn(Schema):
    name: str | None = None
    place: int | None = None
    skill: str | None = None
    star: str | None = None
    status: str | None = None


class VolunteerRowOut(Schema):
    id: int
    name: str
    place: str
    status: str
    skills: list[str]
    approved_hours: Decimal
    star: int
    points: int
    no_shows: int
