import random

import pytest

from apps.core.testing.factories import OrganisationFactory, PersonFactory, make_place
from apps.orgs.choices import PARTY_KINDS, OrgKind, PropertyModel
from apps.orgs.models import CompoundProfile, Membership, Organisation
from apps.orgs.selectors import compound_coverage
from apps.people.models import PartyMember
from apps.places.choices import PlaceKind
from apps.places.models import Place


@pytest.fixture
def compounds(world):
    """Twenty compounds over both communities with a random mix of bodies and members."""
    rng = random.Random(7)
    result = []
    for i in range(20):
        grid = world.grid_a if i % 2 else world.grid_b
        compound = make_place(PlaceKind.COMPOUND, f"小区{i}", grid)
        household = make_place(PlaceKind.HOUSEHOLD, f"{i}号", grid)
        for kind in (OrgKind.PARTY_BRANCH, OrgKind.OWNER_COMMITTEE, OrgKind.PMC):
            if rng.random() < 0.6:
                org = OrganisationFactory(kind=kind, place=compound, active=rng.random() < 0.9)
                for _ in range(rng.randint(0, 3)):
                    person = PersonFactory(place=household)
                    if rng.random() < 0.5:
                        PartyMember.objects.create(person=person)
                    Membership.objects.create(organisation=org, person=person)
        if rng.random() < 0.7:
            CompoundProfile.objects.create(
                compound=compound, property_model=rng.choice(PropertyModel.values)
            )
        result.append(compound)
    return result


def brute_force(place: Place) -> dict[str, int]:
    compounds = [
        c for c in Place.objects.filter(kind=PlaceKind.COMPOUND) if c.path.startswith(place.path)
    ]

    def has(compound, kinds):
        return any(
            o.kind in kinds and o.active for o in Organisation.objects.filter(place=compound)
        )

    def served(compound):
        profile = CompoundProfile.objects.filter(compound=compound).first()
        return profile is not None and profile.property_model != PropertyModel.NONE

    party_members = set()
    for compound in compounds:
        for org in Organisation.objects.filter(
            place=compound, kind=OrgKind.OWNER_COMMITTEE, active=True
        ):
            for m in org.memberships.all():
                if PartyMember.objects.filter(person=m.person).exists():
                    party_members.add(m.person_id)
    return {
        "compounds": len(compounds),
        "with_party_org": sum(has(c, PARTY_KINDS) for c in compounds),
        "with_owner_committee": sum(has(c, {OrgKind.OWNER_COMMITTEE}) for c in compounds),
        "with_pmc": sum(has(c, {OrgKind.PMC}) for c in compounds),
        "with_property_service": sum(served(c) for c in compounds),
        "party_members_in_owner_committees": len(party_members),
    }


def figures(coverage) -> dict[str, int]:
    return {k: v for k, v in coverage.__dict__.items()}


class TestCompoundCoverage:
    @pytest.mark.parametrize("area", ["county", "community_a", "community_b", "grid_a"])
    def test_it_matches_brute_force_counts(self, world, compounds, area):
        place = getattr(world, area)
        assert figures(compound_coverage(world.user("admin"), place)) == brute_force(place)

    def test_it_counts_only_the_users_scope(self, world, compounds):
        assert figures(compound_coverage(world.user("community_a"))) == brute_force(
            world.community_a
        )

    def test_it_uses_two_queries_whatever_the_size(
        self, world, compounds, django_assert_num_queries
    ):
        with django_assert_num_queries(2):
            compound_coverage(world.user("admin"), world.county)

    def test_it_gives_shares_in_percent(self, world):
        OrganisationFactory(kind=OrgKind.PARTY_BRANCH, place=world.compound_a)
        coverage = compound_coverage(world.user("community_a"))
        assert coverage.shares["with_party_org"] == 100.0
        assert coverage.shares["with_pmc"] == 0.0
