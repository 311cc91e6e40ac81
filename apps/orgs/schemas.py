"""API shapes of organisations and compound coverage."""

from datetime import date

from ninja import Schema


class OrganisationFilterParams(Schema):
    """Query parameters of GET /api/orgs/: the fields of `OrganisationFilter`."""

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


class OrganisationDetailOut(OrganisationOut):
    children: list[int]
    members: list[MemberOut]


class CompoundCoverageOut(Schema):
    place: int | None
    compounds: int
    with_party_org: int
    with_owner_committee: int
    with_pmc: int
    with_property_service: int
    party_members_in_owner_committees: int
    shares: dict[str, float]
