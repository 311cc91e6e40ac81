"""API shapes of organisations and compound coverage."""

from datetime import date

from ninja import Schema

from . import selectors


class OrganisationFilterParams(Schema):
    """Query parameters of GET /api/v1/orgs/: the fields of `OrganisationFilter`."""

    name: str | None = None
    kind: str | None = None
    place: int | None = None


class OrganisationIn(Schema):
    kind: str
    name: str
    place: int
    parent: int | None = None
    credit_code: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    founded_on: date | None = None


class OrganisationOut(Schema):
    id: int
    kind: str
    kind_display: str
    name: str
    place: int
    place_name: str
    parent: int | None
    credit_code: str
    contact_name: str
    contact_phone_masked: str
    founded_on: date | None
    active: bool

    @staticmethod
    def resolve_kind_display(obj) -> str:  # type: ignore[no-untyped-def]
        return obj.get_kind_display()

    @staticmethod
    def resolve_place(obj) -> int:  # type: ignore[no-untyped-def]
        return obj.place_id

    @staticmethod
    def resolve_place_name(obj) -> str:  # type: ignore[no-untyped-def]
        return obj.place.name

    @staticmethod
    def resolve_parent(obj) -> int | None:  # type: ignore[no-untyped-def]
        return obj.parent_id


class MemberOut(Schema):
    person: int
    name: str
    role: str
    role_display: str
    is_party_member: bool

    @staticmethod
    def resolve_person(obj) -> int:  # type: ignore[no-untyped-def]
        return obj.person_id

    @staticmethod
    def resolve_name(obj) -> str:  # type: ignore[no-untyped-def]
        return obj.person.name

    @staticmethod
    def resolve_role_display(obj) -> str:  # type: ignore[no-untyped-def]
        return obj.get_role_display()

    @staticmethod
    def resolve_is_party_member(obj) -> bool:  # type: ignore[no-untyped-def]
        return hasattr(obj.person, "party_member")


class OrganisationDetailOut(OrganisationOut):
    children: list[int]
    members: list[MemberOut]

    @staticmethod
    def resolve_children(obj, context) -> list[int]:  # type: ignore[no-untyped-def]
        user = context["request"].user
        return [c.pk for c in selectors.organisation_children(user, obj)]

    @staticmethod
    def resolve_members(obj) -> list:  # type: ignore[no-untyped-def]
        return list(selectors.organisation_members(obj))


class CompoundCoverageOut(Schema):
    place: int | None
    compounds: int
    with_party_org: int
    with_owner_committee: int
    with_pmc: int
    with_property_service: int
    party_members_in_owner_committees: int
    shares: dict[str, float]
