import datetime as dt

from ninja import Schema


class ActivityOut(Schema):
    id: int
    title: str
    kind: str
    place: int
    place_name: str
    address: str
    start_at: dt.datetime
    end_at: dt.datetime
    capacity: int | None
    project: str
    self_signup: bool
    status: str
    online_viewers: int
    walk_ins: int
    registered: int
    seats_taken: int
    waiting: int
    present: int

    @staticmethod
    def resolve_place(obj: object) -> int:
        return obj.place_id  # type: ignore[attr-defined]

    @staticmethod
    def resolve_place_name(obj: object) -> str:
        return obj.place.name  # type: ignore[attr-defined]

    @staticmethod
    def resolve_registered(obj: object) -> int:
        return getattr(obj, "n_registered", 0)

    @staticmethod
    def resolve_seats_taken(obj: object) -> int:
        return getattr(obj, "n_seats", 0)

    @staticmethod
    def resolve_waiting(obj: object) -> int:
        return getattr(obj, "n_waiting", 0)

    @staticmethod
    def resolve_present(obj: object) -> int:
        return getattr(obj, "n_present", 0)


class ActivityIn(Schema):
    title: str
    kind: str
    place: int
    start_at: dt.datetime
    end_at: dt.datetime
    capacity: int | None = None
    address: str = ""
    description: str = ""
    project: str = ""
    self_signup: bool = True
    target_tags: list[int] = []
    organisations: list[int] = []


class ParticipationOut(Schema):
    id: int
    activity: int
    person: int
    person_name: str
    role: str
    status: str
    source: str
    signed_up_at: dt.datetime
    checked_in_at: dt.datetime | None
    checkin_method: str
    service_hours: int | None

    @staticmethod
    def resolve_activity(obj: object) -> int:
        return obj.activity_id  # type: ignore[attr-defined]

    @staticmethod
    def resolve_person(obj: object) -> int:
        return obj.person_id  # type: ignore[attr-defined]

    @staticmethod
    def resolve_person_name(obj: object) -> str:
        return obj.person.name  # type: ignore[attr-defined]

    @staticmethod
    def resolve_service_hours(obj: object) -> int | None:
        return obj.service_hours_id  # type: ignore[attr-defined]


class SignupIn(Schema):
    """person: omit to sign up oneself (the account's person)."""

    person: int | None = None
    role: str = "participant"


class AttendanceIn(Schema):
    person: int
    present: bool = True


class ReachIn(Schema):
    online_viewers: int
    walk_ins: int = 0
    summary: str = ""


class ActivityFiguresOut(Schema):
    place: int
    date_from: dt.date
    date_to: dt.date
    held: int
    attendance: int
    online_viewers: int
    walk_ins: int
    served: int
