"""Reads on organisations and compounds, always starting from the user's scope."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from apps.accounts.scoping import get_in_scope
from apps.duties.choices import DutyKind
from apps.duties.models import Duty
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q

from .choices import PARTY_KINDS, OrgKind, PropertyModel
from .filters import OrganisationFilter
from .models import CompoundProfile, Membership, Organisation


def visible_organisations(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.visible_to(user)


def organisation_list(
    user: Any, filters: OrganisationFilter | None = None
) -> QuerySet[Organisation]:
    qs = visible_organisations(user)
    if filters is not None:
        qs = filters.filter(qs)
    return (
        qs.select_related("place", "parent")
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("place__path", "kind", "name")
    )


def current_memberships() -> QuerySet[Membership]:
    today = timezone.localdate()
    return Membership.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today))


def access_organisation_for_user(user: Any, pk: Any) -> Organisation:
    """The organisation if it lies within the user's scope; 404 otherwise."""
    return get_in_scope(visible_organisations(user).select_related("place", "parent"), pk=pk)


def organisation_children(user: Any, org: Organisation) -> QuerySet[Organisation]:
    return visible_organisations(user).filter(parent=org).select_related("place")


def organisation_members(org: Organisation) -> QuerySet[Membership]:
    return org.memberships.select_related("person__place", "person__party_member").order_by(
        "role", "person__name_initials"
    )


def _has_org(*kinds: str) -> Exists:
    return Exists(Organisation.objects.filter(place=OuterRef("pk"), kind__in=kinds, active=True))


@dataclass(frozen=True)
class CompoundCoverage:
    """Compound-governance figures of an area (P7): how many compounds have each body."""

    compounds: int
    with_party_org: int
    with_owner_committee: int
    with_pmc: int
    with_property_service: int
    party_members_in_owner_committees: int

    def share(self, count: int) -> float:
        return round(100 * count / self.compounds, 1) if self.compounds else 0.0

    @property
    def shares(self) -> dict[str, float]:
        return {
            "with_party_org": self.share(self.with_party_org),
            "with_owner_committee": self.share(self.with_owner_committee),
            "with_pmc": self.share(self.with_pmc),
            "with_property_service": self.share(self.with_property_service),
        }


def visible_compounds(user: Any, place: Place | None = None) -> QuerySet[Place]:
    qs = Place.objects.visible_to(user).filter(kind=PlaceKind.COMPOUND)
    if place is not None:
        qs = qs.filter(pk__in=Place.objects.subtree(place).values("pk"))
    return qs


def compound_coverage(user: Any, place: Place | None = None) -> CompoundCoverage:
    """Two aggregated queries, whatever the number of compounds: one counts compounds by the
    bodies they have, one counts party members sitting on their owner committees."""
    compounds = visible_compounds(user, place)
    figures = compounds.aggregate(
        compounds=Count("pk"),
        with_party_org=Count("pk", filter=_has_org(*PARTY_KINDS)),
        with_owner_committee=Count("pk", filter=_has_org(OrgKind.OWNER_COMMITTEE)),
        with_pmc=Count("pk", filter=_has_org(OrgKind.PMC)),
        with_property_service=Count(
            "pk",
            filter=Q(compound_profile__isnull=False)
            & ~Q(compound_profile__property_model=PropertyModel.NONE),
        ),
    )
    party_members = (
        current_memberships()
        .filter(
            organisation__kind=OrgKind.OWNER_COMMITTEE,
            organisation__active=True,
            organisation__place__in=compounds.values("pk"),
            person__party_member__isnull=False,
        )
        .values("person")
        .distinct()
        .count()
    )
    return CompoundCoverage(party_members_in_owner_committees=party_members, **figures)


@dataclass
class CompoundOverview:
    compound: Place
    profile: CompoundProfile | None
    party_orgs: list[Organisation]
    owner_committees: list[Organisation]
    pmcs: list[Organisation]
    others: list[Organisation]
    party_members: list[Membership]

    @property
    def bodies(self) -> list[list[Organisation]]:
        """The compound's bodies in the order the page shows them."""
        return [self.party_orgs, self.owner_committees, self.pmcs, self.others]


def compound_overview(user: Any, place_id: Any) -> CompoundOverview:
    """A compound's governance: bodies, property model and company, and the party members who
    sit on its bodies. 404 when the compound is outside the user's scope."""
    compound = get_in_scope(visible_compounds(user), pk=place_id)
    profile = (
        CompoundProfile.objects.select_related("property_company").filter(compound=compound).first()
    )
    members = current_memberships().select_related("person__party_member").order_by("role")
    orgs = list(
        Organisation.objects.filter(place=compound)
        .order_by("kind", "name")
        .prefetch_related(Prefetch("memberships", queryset=members, to_attr="current_members"))
    )
    party_members = [
        m for o in orgs for m in o.current_members if hasattr(m.person, "party_member")
    ]
    return CompoundOverview(
        compound=compound,
        profile=profile,
        party_orgs=[o for o in orgs if o.kind in PARTY_KINDS],
        owner_committees=[o for o in orgs if o.kind == OrgKind.OWNER_COMMITTEE],
        pmcs=[o for o in orgs if o.kind == OrgKind.PMC],
        others=[
            o
            for o in orgs
            if o.kind not in PARTY_KINDS and o.kind not in (OrgKind.OWNER_COMMITTEE, OrgKind.PMC)
        ],
        party_members=party_members,
    )


def compound_list(
    user: Any, place: Place | None = None, property_model: str = ""
) -> QuerySet[Place]:
    """The compound register (P7) of the user's scope (or an area of it): each compound with
    its grid, property model and whether it has each body, in one query."""
    qs = visible_compounds(user, place)
    if property_model == PropertyModel.NONE:
        qs = qs.filter(
            Q(compound_profile__isnull=True) | Q(compound_profile__property_model=property_model)
        )
    elif property_model:
        qs = qs.filter(compound_profile__property_model=property_model)
    return (
        qs.select_related("parent", "compound_profile__property_company")
        .annotate(
            has_party_org=_has_org(*PARTY_KINDS),
            has_owner_committee=_has_org(OrgKind.OWNER_COMMITTEE),
            has_pmc=_has_org(OrgKind.PMC),
        )
        .order_by("path")
    )


@dataclass
class CompoundHeads:
    """Building and unit heads (楼栋长, 单元长) of a compound, as current duties."""

    buildings: int
    units: int
    building_heads: list[Duty]
    unit_heads: list[Duty]

    @property
    def buildings_with_head(self) -> int:
        return len({d.place_id for d in self.building_heads})

    @property
    def units_with_head(self) -> int:
        return len({d.place_id for d in self.unit_heads})


def compound_heads(compound: Place) -> CompoundHeads:
    """Current 楼栋长 / 单元长 duties held in the compound, with the number of buildings and
    units they could cover (three queries)."""
    inside = Place.objects.subtree(compound)
    counts = dict(
        inside.filter(kind__in=[PlaceKind.BUILDING, PlaceKind.UNIT])
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    duties = list(
        Duty.objects.current()
        .filter(
            subtree_q(compound),
            kind__in=[DutyKind.BUILDING_HEAD, DutyKind.UNIT_HEAD],
        )
        .select_related("person__party_member", "place__parent")
        .order_by("place__path")
    )
    return CompoundHeads(
        buildings=counts.get(PlaceKind.BUILDING, 0),
        units=counts.get(PlaceKind.UNIT, 0),
        building_heads=[d for d in duties if d.kind == DutyKind.BUILDING_HEAD],
        unit_heads=[d for d in duties if d.kind == DutyKind.UNIT_HEAD],
    )
