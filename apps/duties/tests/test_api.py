"""/api/v1/duties through the test client."""

from datetime import date

import pytest

from apps.core.models import AuditEvent
from apps.core.testing.factories import DutyFactory, PersonFactory
from apps.duties.models import Duty

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, world):
    def login(name: str):
        client.force_login(world.user(name))
        return client

    return login


@pytest.fixture
def member(world):
    return PersonFactory(name="党员甲", place=world.household_a)


class TestDutiesApi:
    def test_it_lists_duties_in_scope(self, api, world, member, resident_b):
        DutyFactory(person=member, place=world.household_a)
        DutyFactory(person=resident_b, place=world.household_b)
        body = api("community_a").get("/api/v1/duties/").json()
        assert body["count"] == 1
        assert body["items"][0]["person_name"] == "党员甲"
        assert body["items"][0]["kind_label"] == "包联"

    def test_it_assigns_a_duty(self, api, world, member):
        response = api("community_a").post(
            "/api/v1/duties/",
            {
                "person": member.pk,
                "place": world.household_a.pk,
                "kind": "baolian",
                "start_date": "2026-01-05",
            },
            content_type="application/json",
        )
        assert response.status_code == 201
        assert response.json()["start_date"] == "2026-01-05"
        assert AuditEvent.objects.filter(verb="create", object_type="duties.duty").exists()

    def test_it_answers_422_in_chinese(self, api, world, member):
        response = api("community_a").post(
            "/api/v1/duties/",
            {"person": member.pk, "place": world.grid_a.pk, "kind": "baolian"},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["detail"] == [
            {"loc": ["body", "place"], "msg": "包联只能安排到户", "type": "value_error"}
        ]

    def test_it_answers_422_for_an_unknown_kind(self, api, world, member):
        response = api("community_a").post(
            "/api/v1/duties/",
            {"person": member.pk, "place": world.household_a.pk, "kind": "mayor"},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["msg"] == "未知的责任类型：mayor"

    def test_it_answers_403_to_a_role_without_ledgers(self, api, world, member):
        response = api("volunteer_a").post(
            "/api/v1/duties/",
            {"person": member.pk, "place": world.household_a.pk, "kind": "baolian"},
            content_type="application/json",
        )
        assert response.status_code == 403
        assert not Duty.objects.exists()

    def test_it_ends_a_duty(self, api, world, member):
        duty = DutyFactory(person=member, place=world.household_a)
        response = api("community_a").post(
            f"/api/v1/duties/{duty.pk}/end",
            {"end_date": "2026-04-30"},
            content_type="application/json",
        )
        assert response.status_code == 200
        assert response.json()["end_date"] == "2026-04-30"
        response = api("community_a").post(
            f"/api/v1/duties/{duty.pk}/end",
            {"end_date": "2026-05-30"},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["msg"] == "该责任已经结束"

    def test_it_reports_coverage(self, api, world, member):
        DutyFactory(person=member, place=world.household_a, start_date=date(2025, 1, 1))
        body = (
            api("town_staff")
            .get("/api/v1/duties/coverage", {"place": world.town.pk, "kind": "baolian"})
            .json()
        )
        assert (body["covered"], body["total"], body["percent"]) == (1, 2, 50.0)
        assert [(c["place_name"], c["uncovered"]) for c in body["children"]] == [
            ("红门社区", 0),
            ("将军社区", 1),
        ]

    def test_it_refuses_an_unknown_coverage_kind(self, api, world):
        response = api("town_staff").get("/api/v1/duties/coverage", {"kind": "mayor"})
        assert response.status_code == 422
