import pytest
from django.urls import reverse

from apps.core.testing.factories import OrganisationFactory, PersonFactory
from apps.orgs.choices import OrgKind
from apps.orgs.models import CompoundProfile, Membership
from apps.people.models import PartyMember


@pytest.fixture
def compound_bodies(world):
    community_committee = OrganisationFactory(
        kind=OrgKind.PARTY_COMMITTEE, name="红门社区党委", place=world.community_a
    )
    branch = OrganisationFactory(
        kind=OrgKind.PARTY_BRANCH,
        name="幸福小区党支部",
        place=world.compound_a,
        parent=community_committee,
    )
    owners = OrganisationFactory(
        kind=OrgKind.OWNER_COMMITTEE, name="幸福小区业委会", place=world.compound_a
    )
    company = OrganisationFactory(
        kind=OrgKind.PROPERTY_COMPANY, name="赣兴物业", place=world.community_a
    )
    CompoundProfile.objects.create(
        compound=world.compound_a, property_model="company", property_company=company
    )
    chair = PersonFactory(name="陈国栋", place=world.household_a)
    PartyMember.objects.create(person=chair, branch=branch)
    Membership.objects.create(organisation=owners, person=chair, role="chair")
    Membership.objects.create(
        organisation=owners, person=PersonFactory(name="周丽", place=world.household_a)
    )
    return {"committee": community_committee, "branch": branch, "owners": owners}


class TestOrganisationList:
    def test_it_filters_by_kind_and_shows_coverage(self, client_as, compound_bodies):
        response = client_as("community_a").get(reverse("orgs:list"), {"kind": "owner_committee"})
        assert [o.name for o in response.context["page"]] == ["幸福小区业委会"]
        coverage = response.context["coverage"]
        assert (
            coverage.compounds,
            coverage.with_party_org,
            coverage.with_owner_committee,
            coverage.with_property_service,
            coverage.party_members_in_owner_committees,
        ) == (1, 1, 1, 1, 1)
        assert "小区治理覆盖" in response.content.decode()

    def test_it_filters_by_place_subtree(self, client_as, world, compound_bodies):
        response = client_as("community_a").get(
            reverse("orgs:list"), {"place": world.compound_a.pk}
        )
        assert {o.name for o in response.context["page"]} == {"幸福小区党支部", "幸福小区业委会"}

    def test_it_uses_a_bounded_number_of_queries(
        self, client_as, world, compound_bodies, django_assert_max_num_queries
    ):
        for i in range(30):
            OrganisationFactory(kind=OrgKind.BUSINESS, name=f"商户{i}", place=world.grid_a)
        client = client_as("community_a")
        with django_assert_max_num_queries(12):
            response = client.get(reverse("orgs:list"))
        assert response.context["page"].paginator.count == 34


class TestOrganisationDetail:
    def test_it_shows_hierarchy_members_and_place(self, client_as, world, compound_bodies):
        response = client_as("community_a").get(
            reverse("orgs:detail", args=[compound_bodies["committee"].pk])
        )
        html = response.content.decode()
        assert [c.name for c in response.context["children"]] == ["幸福小区党支部"]
        assert reverse("places:detail", args=[world.community_a.pk]) in html
        owners = client_as("community_a").get(
            reverse("orgs:detail", args=[compound_bodies["owners"].pk])
        )
        assert [(m.person.name, m.get_role_display()) for m in owners.context["members"]] == [
            ("陈国栋", "主任"),
            ("周丽", "委员"),
        ]


class TestCompoundPage:
    def test_it_shows_the_compounds_governance(self, client_as, world, compound_bodies):
        response = client_as("grid_worker_a").get(
            reverse("orgs:compound", args=[world.compound_a.pk])
        )
        o = response.context["o"]
        assert [org.name for org in o.party_orgs] == ["幸福小区党支部"]
        assert [org.name for org in o.owner_committees] == ["幸福小区业委会"]
        assert o.pmcs == []
        assert o.profile.property_company.name == "赣兴物业"
        assert [m.person.name for m in o.party_members] == ["陈国栋"]
        html = response.content.decode()
        assert "物业公司" in html and "未成立" in html

    def test_it_answers_404_for_a_place_that_is_not_a_compound(self, client_as, world):
        response = client_as("community_a").get(
            reverse("orgs:compound", args=[world.household_a.pk])
        )
        assert response.status_code == 404
