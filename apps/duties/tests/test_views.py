"""Duty pages through the test client: coverage, list, assign and end."""

import random
from datetime import date

import pytest
from django.urls import reverse

from apps.core.models import AuditEvent
from apps.core.testing.factories import DutyFactory, PersonFactory
from apps.duties.models import Duty
from apps.people.models import PartyMember
from apps.places.tests.trees import grow_community

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, world):
    def login(name: str):
        client.force_login(world.user(name))
        return client

    return login


@pytest.fixture
def party_member(world):
    person = PersonFactory(name="党员甲", place=world.household_a)
    PartyMember.objects.create(person=person)
    return person


class TestCoveragePage:
    def test_it_shows_the_figures_and_the_uncovered(self, as_user, world, party_member):
        DutyFactory(person=party_member, place=world.household_a)
        response = as_user("town_staff").get(reverse("duties:coverage"), {"place": world.town.pk})
        assert response.status_code == 200
        html = response.content.decode()
        assert "1 / 2" in html
        assert "50.0%" in html
        assert [p.name for p in response.context["page"]] == ["将军路8号"]

    def test_it_defaults_to_the_account_scope_and_baolian(self, as_user, world):
        response = as_user("community_a").get(reverse("duties:coverage"))
        assert response.context["place"] == world.community_a
        assert response.context["kind"] == "baolian"

    def test_it_covers_place_duties_too(self, as_user, world):
        response = as_user("town_staff").get(
            reverse("duties:coverage"), {"place": world.town.pk, "kind": "grid_worker"}
        )
        assert {p.name for p in response.context["page"]} == {"红门第一网格", "将军第一网格"}

    def test_it_needs_a_bounded_number_of_queries(
        self, as_user, world, django_assert_max_num_queries
    ):
        client = as_user("town_staff")
        url = reverse("duties:coverage")
        with django_assert_max_num_queries(12) as small:
            client.get(url, {"place": world.town.pk})
        rng = random.Random(5)
        for i in range(3):
            grow_community(world.town, f"新{i}社区", rng)
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get(url, {"place": world.town.pk})

    def test_it_exports_the_uncovered_as_csv_and_audits(self, as_user, world):
        response = as_user("community_a").get(reverse("duties:coverage_export"))
        assert response.status_code == 200
        body = response.content.decode("utf-8-sig")
        assert "101室" in body and "将军路8号" not in body
        assert AuditEvent.objects.get(verb="export").changes["rows"] == 1

    def test_it_refuses_an_export_to_a_role_without_it(self, as_user, world):
        response = as_user("grid_worker_a").get(reverse("duties:coverage_export"))
        assert response.status_code == 403


class TestDutyList:
    def test_it_filters_by_kind_place_and_current(self, as_user, world, party_member):
        DutyFactory(person=party_member, place=world.household_a)
        DutyFactory(
            person=party_member, place=world.grid_a, kind="grid_worker", end_date=date(2024, 6, 1)
        )
        client = as_user("community_a")
        page = client.get(reverse("duties:list"), {"kind": "baolian"}).context["page"]
        assert [d.kind for d in page] == ["baolian"]
        page = client.get(reverse("duties:list"), {"current": "false"}).context["page"]
        assert [d.kind for d in page] == ["grid_worker"]
        page = client.get(reverse("duties:list"), {"place": world.unit_a.pk}).context["page"]
        assert [d.place for d in page] == [world.household_a]
        page = client.get(reverse("duties:list"), {"person": party_member.pk}).context["page"]
        assert len(page) == 2

    def test_it_needs_a_bounded_number_of_queries(
        self, as_user, world, party_member, django_assert_max_num_queries
    ):
        client = as_user("community_a")
        DutyFactory(person=party_member, place=world.household_a)
        with django_assert_max_num_queries(10) as small:
            client.get(reverse("duties:list"))
        for i in range(20):
            DutyFactory(
                person=party_member,
                place=world.household_a,
                kind="pairing",
                start_date=date(2020, 1, 1 + i),
                end_date=date(2020, 1, 1 + i),
            )
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get(reverse("duties:list"))


class TestAssignAndEnd:
    def test_it_offers_party_members_of_the_community(self, as_user, world, party_member):
        response = as_user("community_a").get(reverse("places:detail", args=[world.household_a.pk]))
        form = response.context["assign_form"]
        assert list(form.fields["person"].queryset) == [party_member]

    def test_it_hides_the_form_from_a_grid_worker(self, as_user, world):
        response = as_user("grid_worker_a").get(
            reverse("places:detail", args=[world.household_a.pk])
        )
        assert "assign_form" not in response.context

    def test_it_assigns_from_the_household_page(self, as_user, world, party_member):
        response = as_user("community_a").post(
            reverse("duties:assign", args=[world.household_a.pk]),
            {"person": party_member.pk, "kind": "baolian"},
            follow=True,
        )
        assert "已安排 党员甲 为包联" in response.content.decode()
        duty = Duty.objects.get()
        assert (duty.person, duty.place, duty.kind) == (party_member, world.household_a, "baolian")

    def test_it_explains_a_refused_assignment(self, as_user, world, party_member):
        DutyFactory(person=party_member, place=world.household_a)
        response = as_user("community_a").post(
            reverse("duties:assign", args=[world.household_a.pk]),
            {"person": party_member.pk, "kind": "baolian", "start_date": "2026-02-02"},
            follow=True,
        )
        assert "党员甲已是101室的包联" in response.content.decode()
        assert Duty.objects.count() == 1

    def test_it_ends_a_duty(self, as_user, world, party_member):
        duty = DutyFactory(person=party_member, place=world.household_a)
        response = as_user("community_a").post(
            reverse("duties:end", args=[duty.pk]), {"end_date": "2026-03-01"}
        )
        assert response.status_code == 302
        duty.refresh_from_db()
        assert duty.end_date == date(2026, 3, 1)
