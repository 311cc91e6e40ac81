"""Place pages through the test client."""

import random

import pytest
from django.urls import reverse

from apps.accounts.choices import Role
from apps.core.testing.factories import DutyFactory, PersonFactory, make_user
from apps.people.models import CareTag

from .trees import add_households, grow_community

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, world):
    def login(name: str):
        client.force_login(world.user(name))
        return client

    return login


class TestHome:
    def test_it_sends_an_account_to_its_own_area(self, as_user, world):
        response = as_user("community_a").get(reverse("places:area"))
        assert response.status_code == 302
        assert response.url == reverse("places:detail", args=[world.community_a.pk])

    @pytest.mark.parametrize(
        ("user", "landing"),
        [
            ("grid_worker_a", "visits:today"),
            ("community_a", "cases:list"),
            ("town_staff", "cases:list"),
            ("county_leader", "stats:overview"),
        ],
    )
    def test_it_lands_each_role_on_its_work(self, as_user, world, user, landing):
        response = as_user(user).get(reverse("places:home"))
        assert response.status_code == 302 and response.url == reverse(landing)

    def test_it_lands_a_clinic_doctor_on_the_clinics_exams(self, client, world):
        doctor = make_user("doctor_a", Role.CLINIC_DOCTOR, world.community_a)
        client.force_login(doctor)
        response = client.get(reverse("places:home"))
        assert response.status_code == 302 and response.url == reverse("ecg:list")

    def test_it_lands_an_account_without_a_work_queue_on_its_area(self, as_user, world):
        response = as_user("volunteer_a").get(reverse("places:home"))
        assert response.url == reverse("places:detail", args=[world.community_a.pk])

    def test_it_asks_an_anonymous_visitor_to_log_in(self, client):
        response = client.get(reverse("places:home"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


class TestDetail:
    def test_it_shows_children_with_counts(self, as_user, world, resident_a, resident_b):
        response = as_user("town_staff").get(reverse("places:detail", args=[world.town.pk]))
        assert response.status_code == 200
        rows = {row.place.name: row for row in response.context["children"]}
        assert (rows["红门社区"].households, rows["红门社区"].residents) == (1, 1)
        assert (rows["将军社区"].households, rows["将军社区"].residents) == (1, 1)
        assert "潋江镇" in response.content.decode()

    def test_it_shows_the_breadcrumb_only_within_scope(self, as_user, world):
        response = as_user("community_a").get(reverse("places:detail", args=[world.unit_a.pk]))
        assert [a.name for a in response.context["ancestors"]] == [
            "红门社区",
            "红门第一网格",
            "幸福小区",
            "1栋",
        ]
        assert "潋江镇" not in response.content.decode()

    def test_it_shows_household_members_masked(self, as_user, world, resident_a):
        resident_a.care_tags.add(CareTag.objects.get(code="alone_elderly"))
        response = as_user("community_a").get(reverse("places:detail", args=[world.household_a.pk]))
        html = response.content.decode()
        assert "张桂英" in html
        assert "独居老人" in html
        assert resident_a.phone_masked in html
        assert "13812345678" not in html
        assert "360732194501011234" not in html
        assert reverse("people:detail", args=[resident_a.pk]) in html

    def test_it_shows_the_duty_holders_above_a_household(self, as_user, world, resident_a):
        member = PersonFactory(name="党员甲", place=world.household_a)
        worker = PersonFactory(name="网格员乙", place=world.grid_a)
        DutyFactory(person=member, place=world.household_a, kind="baolian")
        DutyFactory(person=worker, place=world.grid_a, kind="grid_worker")
        response = as_user("community_a").get(reverse("places:detail", args=[world.household_a.pk]))
        holders = {(d.get_kind_display(), d.person.name) for d in response.context["holders"]}
        assert holders == {("包联", "党员甲"), ("网格员", "网格员乙")}

    def test_it_answers_404_outside_scope(self, as_user, world):
        response = as_user("community_a").get(reverse("places:detail", args=[world.household_b.pk]))
        assert response.status_code == 404

    def test_it_needs_a_bounded_number_of_queries(
        self, as_user, world, django_assert_max_num_queries
    ):
        client = as_user("town_staff")
        url = reverse("places:detail", args=[world.town.pk])
        client.get(url)
        with django_assert_max_num_queries(16) as small:
            client.get(url)
        rng = random.Random(3)
        for i in range(4):
            grow_community(world.town, f"新{i}社区", rng)
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get(url)

    def test_it_bounds_queries_on_a_household_page(
        self, as_user, world, django_assert_max_num_queries
    ):
        for _ in range(6):
            PersonFactory(place=world.household_a).care_tags.add(*CareTag.objects.all()[:2])
        client = as_user("community_a")
        with django_assert_max_num_queries(16):
            response = client.get(reverse("places:detail", args=[world.household_a.pk]))
        assert len(response.context["members"]) == 6


class TestSearch:
    def test_it_finds_places_by_name_and_code_within_scope(self, as_user, world):
        client = as_user("community_a")
        response = client.get(reverse("places:list"), {"q": "网格"})
        assert [p.name for p in response.context["page"]] == ["红门第一网格"]
        response = client.get(reverse("places:list"), {"q": world.unit_a.code})
        assert {p.name for p in response.context["page"]} == {"1单元", "101室"}

    def test_it_searches_under_one_place(self, as_user, world):
        add_households(world.grid_a, random.Random(1), 3)
        response = as_user("town_staff").get(
            reverse("places:list"), {"q": "室", "within": world.unit_a.pk}
        )
        assert [p.name for p in response.context["page"]] == ["101室"]

    def test_it_answers_404_for_a_search_under_a_place_outside_scope(self, as_user, world):
        response = as_user("community_a").get(
            reverse("places:list"), {"q": "室", "within": world.community_b.pk}
        )
        assert response.status_code == 404

    def test_it_filters_by_kind(self, as_user, world):
        response = as_user("county_leader").get(reverse("places:list"), {"kind": "household"})
        assert {p.name for p in response.context["page"]} == {"101室", "将军路8号"}
