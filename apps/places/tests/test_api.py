"""/api/v1/places through the test client."""

import pytest

from apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, world):
    def login(name: str):
        client.force_login(world.user(name))
        return client

    return login


class TestRead:
    def test_it_lists_places_in_scope_with_pagination(self, api, world):
        body = api("community_a").get("/api/v1/places/").json()
        assert body["count"] == 6
        assert [p["name"] for p in body["items"]][:2] == ["红门社区", "红门第一网格"]

    def test_it_filters_by_parent_kind_and_q(self, api, world):
        client = api("town_staff")
        body = client.get("/api/v1/places/", {"parent": world.town.pk}).json()
        assert {p["name"] for p in body["items"]} == {"红门社区", "将军社区"}
        body = client.get("/api/v1/places/", {"kind": "household", "q": "将军"}).json()
        assert [p["name"] for p in body["items"]] == ["将军路8号"]
        body = client.get("/api/v1/places/", {"q": world.unit_a.code}).json()
        assert body["count"] == 2

    def test_it_refuses_an_unknown_kind_filter(self, api, world):
        assert api("town_staff").get("/api/v1/places/", {"kind": "planet"}).status_code == 422

    def test_it_reads_one_place(self, api, world):
        body = api("community_a").get(f"/api/v1/places/{world.household_a.pk}").json()
        assert body == {
            "id": world.household_a.pk,
            "kind": "household",
            "kind_label": "户",
            "code": world.household_a.code,
            "name": "101室",
            "parent_id": world.unit_a.pk,
            "depth": 7,
            "address": "",
            "lng": None,
            "lat": None,
        }

    def test_it_lists_children_with_counts(self, api, world, resident_a):
        body = api("town_staff").get(f"/api/v1/places/{world.town.pk}/children").json()
        counts = {c["place"]["name"]: (c["households"], c["residents"]) for c in body}
        assert counts == {"红门社区": (1, 1), "将军社区": (1, 0)}

    def test_it_needs_a_login(self, client, world):
        assert client.get("/api/v1/places/").status_code == 401


class TestWrite:
    def test_it_creates_a_place(self, api, world):
        response = api("community_a").post(
            "/api/v1/places/",
            {
                "kind": "household",
                "name": "102室",
                "code": world.unit_a.code + "002",
                "parent": world.unit_a.pk,
            },
            content_type="application/json",
        )
        assert response.status_code == 201
        assert response.json()["depth"] == 7
        assert AuditEvent.objects.filter(verb="create", object_repr="102室").exists()

    def test_it_answers_422_in_chinese_for_a_bad_code(self, api, world):
        response = api("community_a").post(
            "/api/v1/places/",
            {"kind": "household", "name": "102室", "code": "1", "parent": world.unit_a.pk},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["detail"] == [
            {
                "loc": ["body", "code"],
                "msg": f"编码应以上级编码 {world.unit_a.code} 开头",
                "type": "value_error",
            }
        ]

    def test_it_answers_422_in_chinese_for_a_missing_name(self, api, world):
        response = api("community_a").post(
            "/api/v1/places/",
            {"kind": "household", "code": world.unit_a.code + "002", "parent": world.unit_a.pk},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert {"loc": ["body", "name"], "msg": "此字段不能为空。", "type": "value_error"} in (
            response.json()["detail"]
        )

    def test_it_answers_403_for_a_role_without_ledgers(self, api, world):
        response = api("volunteer_a").patch(
            f"/api/v1/places/{world.household_a.pk}",
            {"name": "改名"},
            content_type="application/json",
        )
        assert response.status_code == 403
        assert response.json() == {"detail": "您无权修改该区域的地点"}

    def test_it_patches_a_place(self, api, world):
        response = api("community_a").patch(
            f"/api/v1/places/{world.household_a.pk}",
            {"address": "红门路1号", "lng": 115.35},
            content_type="application/json",
        )
        assert response.status_code == 200
        assert (response.json()["address"], response.json()["lng"]) == ("红门路1号", 115.35)
        assert AuditEvent.objects.get(verb="update").changes == {
            "address": ["", "红门路1号"],
            "lng": [None, 115.35],
        }
