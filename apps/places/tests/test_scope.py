"""Scope matrix for places: an account of community A never reaches community B's places,
through pages, the API or the admin; each attempt is a 404, as if they did not exist."""

import pytest
from django.urls import reverse

from apps.accounts.choices import Role
from apps.core.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_a(client, world):
    client.force_login(world.user("community_a"))
    return client


@pytest.fixture
def admin_a(client, world):
    """A staff administrator whose scope is community A."""
    client.force_login(make_user("admin_a", Role.ADMIN, world.community_a, is_staff=True))
    return client


def b_places(world):
    return [world.community_b, world.grid_b, world.household_b, world.town, world.county]


class TestPages:
    def test_it_hides_the_place_page(self, staff_a, world):
        for place in b_places(world):
            assert staff_a.get(reverse("places:detail", args=[place.pk])).status_code == 404

    def test_it_hides_a_search_under_b(self, staff_a, world):
        response = staff_a.get(reverse("places:list"), {"within": world.community_b.pk})
        assert response.status_code == 404

    def test_it_leaves_b_out_of_a_search(self, staff_a, world):
        for params in ({"q": "将军"}, {"parent": world.community_b.pk}, {"kind": "household"}):
            names = {p.name for p in staff_a.get(reverse("places:list"), params).context["page"]}
            assert not names & {"将军社区", "将军第一网格", "将军路8号"}


class TestApi:
    def test_it_hides_read_children_and_change(self, staff_a, world):
        for place in b_places(world):
            assert staff_a.get(f"/api/v1/places/{place.pk}").status_code == 404
            assert staff_a.get(f"/api/v1/places/{place.pk}/children").status_code == 404
            response = staff_a.patch(
                f"/api/v1/places/{place.pk}", {"name": "x"}, content_type="application/json"
            )
            assert response.status_code == 404

    def test_it_hides_b_from_list_filters(self, staff_a, world):
        assert staff_a.get("/api/v1/places/", {"within": world.community_b.pk}).status_code == 404
        body = staff_a.get("/api/v1/places/", {"parent": world.community_b.pk}).json()
        assert body["count"] == 0
        body = staff_a.get("/api/v1/places/", {"q": "将军"}).json()
        assert body["count"] == 0

    def test_it_refuses_to_create_under_b(self, staff_a, world):
        response = staff_a.post(
            "/api/v1/places/",
            {
                "kind": "household",
                "name": "9号",
                "code": world.grid_b.code + "009",
                "parent": world.grid_b.pk,
            },
            content_type="application/json",
        )
        assert response.status_code == 404


class TestAdmin:
    def test_it_hides_the_change_page(self, admin_a, world):
        for place in b_places(world):
            url = reverse("admin:places_place_change", args=[place.pk])
            assert admin_a.get(url).status_code == 404
            assert admin_a.post(url, {"name": "x"}).status_code == 404

    def test_it_leaves_b_out_of_the_changelist(self, admin_a, world):
        url = reverse("admin:places_place_changelist")
        for params in ({"q": "将军"}, {"kind__exact": "household"}):
            response = admin_a.get(url, params)
            assert response.status_code == 200
            names = {p.name for p in response.context["cl"].result_list}
            assert not names & {"将军社区", "将军第一网格", "将军路8号"}
        names = {p.name for p in admin_a.get(url).context["cl"].result_list}
        assert "101室" in names

    def test_it_refuses_b_as_a_parent(self, admin_a, world):
        response = admin_a.post(
            reverse("admin:places_place_add"),
            {
                "kind": "household",
                "code": world.grid_b.code + "009",
                "name": "9号",
                "parent": world.grid_b.pk,
                "attributes": "{}",
            },
        )
        assert response.status_code == 200
        assert "parent" in response.context["adminform"].form.errors
