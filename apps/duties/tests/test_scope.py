"""Scope matrix for duties: an account of community A never reaches community B's duties,
through pages, the API or the admin (list filter, read, change, export)."""

import pytest
from django.urls import reverse

from apps.accounts.choices import Role
from apps.core.testing.factories import DutyFactory, PersonFactory, make_user
from apps.duties.models import Duty

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty_b(world, resident_b):
    return DutyFactory(person=resident_b, place=world.household_b)


@pytest.fixture
def staff_a(client, world):
    client.force_login(world.user("community_a"))
    return client


@pytest.fixture
def admin_a(client, world):
    client.force_login(make_user("admin_a", Role.ADMIN, world.community_a, is_staff=True))
    return client


class TestPages:
    def test_it_hides_b_from_the_list_and_its_filters(self, staff_a, world, duty_b):
        assert list(staff_a.get(reverse("duties:list")).context["page"]) == []
        response = staff_a.get(reverse("duties:list"), {"person": duty_b.person_id})
        assert list(response.context["page"]) == []
        response = staff_a.get(reverse("duties:list"), {"place": world.community_b.pk})
        assert response.status_code == 404

    def test_it_hides_coverage_and_export_of_b(self, staff_a, world, duty_b):
        for name in ("duties:coverage", "duties:coverage_export"):
            response = staff_a.get(reverse(name), {"place": world.community_b.pk})
            assert response.status_code == 404

    def test_it_refuses_to_end_or_assign_in_b(self, staff_a, world, duty_b):
        assert staff_a.post(reverse("duties:end", args=[duty_b.pk])).status_code == 404
        member = PersonFactory(place=world.household_a)
        response = staff_a.post(
            reverse("duties:assign", args=[world.household_b.pk]),
            {"person": member.pk, "kind": "baolian"},
        )
        assert response.status_code == 404
        duty_b.refresh_from_db()
        assert duty_b.end_date is None
        assert Duty.objects.count() == 1


class TestApi:
    def test_it_hides_b_from_the_list(self, staff_a, world, duty_b):
        assert staff_a.get("/api/v1/duties/").json()["count"] == 0
        assert staff_a.get("/api/v1/duties/", {"person": duty_b.person_id}).json()["count"] == 0
        assert staff_a.get("/api/v1/duties/", {"place": world.household_b.pk}).status_code == 404

    def test_it_refuses_change_and_coverage_in_b(self, staff_a, world, duty_b):
        response = staff_a.post(
            f"/api/v1/duties/{duty_b.pk}/end", {}, content_type="application/json"
        )
        assert response.status_code == 404
        response = staff_a.get("/api/v1/duties/coverage", {"place": world.community_b.pk})
        assert response.status_code == 404

    def test_it_refuses_a_person_or_place_of_b(self, staff_a, world, duty_b):
        member = PersonFactory(place=world.household_a)
        for person, place in (
            (duty_b.person_id, world.household_a.pk),
            (member.pk, world.household_b.pk),
        ):
            response = staff_a.post(
                "/api/v1/duties/",
                {"person": person, "place": place, "kind": "baolian"},
                content_type="application/json",
            )
            assert response.status_code == 404
        assert Duty.objects.count() == 1


class TestAdmin:
    def test_it_hides_the_change_page(self, admin_a, duty_b):
        url = reverse("admin:duties_duty_change", args=[duty_b.pk])
        assert admin_a.get(url).status_code == 404
        assert admin_a.post(url, {"note": "x"}).status_code == 404

    def test_it_leaves_b_out_of_the_changelist(self, admin_a, world, duty_b):
        url = reverse("admin:duties_duty_changelist")
        for params in ({}, {"q": "将军"}, {"kind__exact": "baolian"}):
            response = admin_a.get(url, params)
            assert response.status_code == 200
            assert list(response.context["cl"].result_list) == []

    def test_it_changes_a_duty_of_a_through_the_action(self, admin_a, world):
        from apps.core.models import AuditEvent

        duty = DutyFactory(person=PersonFactory(place=world.household_a), place=world.household_a)
        url = reverse("admin:duties_duty_change", args=[duty.pk])
        response = admin_a.post(
            url, {"start_date": "2024-01-01", "end_date": "", "note": "每周五走访"}
        )
        assert response.status_code == 302
        assert AuditEvent.objects.get(verb="update").changes == {"note": ["", "每周五走访"]}
