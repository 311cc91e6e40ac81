import datetime as dt
from typing import Any

from ninja import Field, Schema


class ContactOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    contacted_on: dt.date
    carer: int = Field(alias="carer_id")
    notes: str
    needs: str
    cases: list[int]

    @staticmethod
    def resolve_cases(obj: Any) -> list[int]:
        return [c.pk for c in obj.cases.all()]


class PairingOut(Schema):
    id: int
    person: int = Field(alias="person_id")
    person_name: str = Field(alias="person.name")
    household: int = Field(alias="person.place_id")
    carer: int = Field(alias="carer_id")
    carer_name: str = Field(alias="carer.name")
    carer_kind: str
    school: int | None = Field(alias="school_id")
    duty: int | None = Field(alias="duty_id")
    start_date: dt.date
    end_date: dt.date | None
    end_reason: str
    note: str


class PairingDetailOut(PairingOut):
    contacts: list[ContactOut]

    @staticmethod
    def resolve_contacts(obj: Any) -> list[Any]:
        return list(obj.contacts.select_related("carer").prefetch_related("cases"))


class PairingIn(Schema):
    person: int
    carer: int
    carer_kind: str = "teacher"
    school: int | None = None
    start_date: dt.date | None = None
    note: str = ""


class ContactIn(Schema):
    kind: str
    contacted_on: dt.date | None = None
    notes: str = ""
    needs: str = ""
    need_category: str | None = None  # a category code: register the need as a case
    need_title: str = ""


class CareGroupRowOut(Schema):
    person: int
    name: str
    household: int
    paired: bool
    carers: list[str]
    last_contact: dt.date | None
    stale: bool


class CareGroupOut(Schema):
    place: int
    school: int | None
    tag: str
    days: int
    total: int
    paired: int
    unpaired: int
    stale: int
    contacts: int
    home_visits: int
    percent: float | None
    rows: list[CareGroupRowOut]
