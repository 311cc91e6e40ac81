import pytest
from django.urls import reverse

from apps.core.testing.factories import DutyFactory, PersonFactory, make_place
from apps.people.actions import do_set_party_member
from apps.places.choices import PlaceKind
from apps.volunteers.actions import do_register_volunteer


def make_people(world, n: int) -> None:
    unit = world.unit_a
    for i in range(n):
        household = make_place(PlaceKind.HOUSEHOLD, f"{200 + i}室", unit)
        person = PersonFactory(place=household)
        person.care_tags.add(1, 2)
        if i % 3 == 0:
            do_set_party_member(person, actor=world.user("community_a"))
        if i % 4 == 0:
            do_register_volunteer(person, actor=world.user("community_a"), skills=["repair"])


class TestPersonList:
    def test_it_shows_masks_and_never_full_numbers(self, client_as, resident_a):
        response = client_as("community_a").get(reverse("people:list"))
        html = response.content.decode()
        assert response.status_code == 200
        assert "3****************4" in html and "138****5678" in html
        assert "13812345678" not in html and "360732194501011234" not in html

    def test_it_searches_by_pinyin_initials(self, client_as, resident_a, resident_b):
        response = client_as("town_staff").get(reverse("people:list"), {"initials": "zgy"})
        assert [p.name for p in response.context["page"]] == ["张桂英"]

    def test_it_shows_filter_errors_beside_fields(self, client_as, world):
        response = client_as("community_a").get(reverse("people:list"), {"phone_suffix": "1"})
        assert "请输入电话号码的后4位数字" in response.content.decode()

    @pytest.mark.parametrize("n", [5, 50])
    def test_it_uses_a_bounded_number_of_queries(
        self, client_as, world, n, django_assert_max_num_queries
    ):
        make_people(world, n)
        client = client_as("community_a")
        with django_assert_max_num_queries(11):
            response = client.get(reverse("people:list"))
        assert response.context["page"].paginator.count == n

    def test_it_pages_party_members_and_volunteers(self, client_as, world):
        make_people(world, 12)
        client = client_as("community_a")
        party = client.get(reverse("people:party_members"))
        volunteers = client.get(reverse("people:volunteers"))
        assert party.context["page"].paginator.count == 4
        assert volunteers.context["page"].paginator.count == 3
        assert "家电维修" in volunteers.content.decode()


class TestPersonDetail:
    def test_it_shows_household_duties_and_memberships(self, client_as, world, resident_a):
        DutyFactory(person=resident_a, place=world.household_a, kind="baolian")
        html = (
            client_as("community_a")
            .get(reverse("people:detail", args=[resident_a.pk]))
            .content.decode()
        )
        assert reverse("places:detail", args=[world.household_a.pk]) in html
        assert "包联" in html

    @pytest.mark.parametrize(
        ("role", "shown"),
        [
            ("grid_worker_a", True),
            ("community_a", True),
            ("county_leader", False),
            ("volunteer_a", False),
        ],
    )
    def test_it_offers_reveal_only_to_roles_that_may(self, client_as, resident_a, role, shown):
        html = client_as(role).get(reverse("people:detail", args=[resident_a.pk])).content
        assert ("显示完整号码" in html.decode()) is shown

    def test_it_reveals_through_htmx_and_audits(self, client_as, resident_a, reveals):
        response = client_as("grid_worker_a").post(
            reverse("people:reveal", args=[resident_a.pk]),
            {"field": "phone"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        assert "13812345678" in response.content.decode()
        assert reveals(resident_a) == 1

    def test_it_reveals_without_javascript(self, client_as, resident_a, reveals):
        response = client_as("community_a").post(
            reverse("people:reveal", args=[resident_a.pk]), {"field": "id_number"}
        )
        html = response.content.decode()
        assert "360732194501011234" in html and "138****5678" in html
        assert response.context["person"] == resident_a
        assert reveals(resident_a) == 1

    def test_it_refuses_reveal_to_a_leader(self, client_as, resident_a, reveals):
        response = client_as("county_leader").post(
            reverse("people:reveal", args=[resident_a.pk]), {"field": "phone"}
        )
        assert response.status_code == 403
        assert reveals(resident_a) == 0


class TestPersonForms:
    def test_it_creates_a_person(self, client_as, world):
        response = client_as("community_a").post(
            reverse("people:create"),
            {
                "name": "刘美华",
                "place": world.household_a.pk,
                "id_number": "11010519491231002X",
                "phone": "13700001234",
                "care_tags": [1],
            },
        )
        assert response.status_code == 302
        detail = client_as("community_a").get(response["Location"]).content.decode()
        assert "刘美华" in detail and "137****1234" in detail

    def test_it_puts_errors_beside_fields(self, client_as, world, resident_a):
        response = client_as("community_a").post(
            reverse("people:create"),
            {
                "name": "",
                "place": world.household_a.pk,
                "id_number": "360732194501011234",
            },
        )
        form = response.context["form"]
        assert form.errors["name"] == ["这个字段是必填项。"]
        assert response.status_code == 200
        response = client_as("community_a").post(
            reverse("people:create"),
            {
                "name": "重复",
                "place": world.household_a.pk,
                "id_number": "360732194501011234",
            },
        )
        form = response.context["form"]
        assert form.errors == {"id_number": ["该身份证号已登记（红门社区 101室）"]}
        assert 'id="id_number-errors"' in response.content.decode()

    def test_it_edits_without_retyping_numbers(self, client_as, world, resident_a):
        response = client_as("community_a").post(
            reverse("people:edit", args=[resident_a.pk]),
            {"name": "张桂英", "place": world.household_a.pk, "note": "独居，需每周探访"},
        )
        assert response.status_code == 302
        resident_a.refresh_from_db()
        assert resident_a.note == "独居，需每周探访"
        assert resident_a.phone_masked == "138****5678"

    def test_it_refuses_forms_to_a_grid_worker(self, client_as):
        assert client_as("grid_worker_a").get(reverse("people:create")).status_code == 403
