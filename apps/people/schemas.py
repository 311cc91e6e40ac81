"""API shapes of people. Outputs carry masks only; full numbers come from `reveal`."""

from datetime import date

from ninja import Schema

from apps.core.schemas import ErrorOut  # noqa: F401  (re-exported for the routers)

from .choices import RevealField


class CareTagOut(Schema):
    code: str
    name: str


class PersonFilterParams(Schema):
    """Query parameters of GET /api/v1/people/: the fields of `PersonFilter`."""

    name: str | None = None
    initials: str | None = None
    phone_suffix: str | None = None
    id_number: str | None = None
    care_tag: str | None = None
    role: str | None = None
    place: int | None = None
    sex: str | None = None
    age_min: int | None = None
    age_max: int | None = None


class PersonIn(Schema):
    name: str
    place: int
    sex: str = ""
    birth_date: date | None = None
    relation: str = ""
    id_number: str = ""
    phone: str = ""
    care_tags: list[str] = []
    trade: str = ""
    note: str = ""


class PersonPatch(Schema):
    name: str | None = None
    place: int | None = None
    sex: str | None = None
    birth_date: date | None = None
    relation: str | None = None
    id_number: str | None = None
    phone: str | None = None
    care_tags: list[str] | None = None
    trade: str | None = None
    note: str | None = None
    active: bool | None = None


class PersonOut(Schema):
    """A person as lists show it: masks only; the birth date in full only to roles with the
    reveal right (others get `birth_year`, and `birth_date` null: ADR 0016)."""

    id: int
    name: str
    name_initials: str
    sex: str
    birth_date: date | None
    birth_year: int | None
    place: int
    place_name: str
    relation: str
    trade: str
    id_number_masked: str
    phone_masked: str
    care_tags: list[CareTagOut]
    is_party_member: bool
    is_volunteer: bool
    active: bool

    @staticmethod
    def resolve_birth_date(obj, context) -> date | None:  # type: ignore[no-untyped-def]
        user = context["request"].user if context else None
        return obj.birth_date if getattr(user, "can_reveal_personal_data", False) else None

    @staticmethod
    def resolve_birth_year(obj) -> int | None:  # type: ignore[no-untyped-def]
        return obj.birth_date.year if obj.birth_date else None

    @staticmethod
    def resolve_place(obj) -> int:  # type: ignore[no-untyped-def]
        return obj.place_id

    @staticmethod
    def resolve_place_name(obj) -> str:  # type: ignore[no-untyped-def]
        return obj.place.name

    @staticmethod
    def resolve_care_tags(obj) -> list:  # type: ignore[no-untyped-def]
        return list(obj.care_tags.all())

    @staticmethod
    def resolve_is_party_member(obj) -> bool:  # type: ignore[no-untyped-def]
        return hasattr(obj, "party_member")

    @staticmethod
    def resolve_is_volunteer(obj) -> bool:  # type: ignore[no-untyped-def]
        return hasattr(obj, "volunteer")


class RevealOut(Schema):
    field: RevealField
    value: str
