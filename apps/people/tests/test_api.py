import pytest

from apps.people.models import Person

API = "/api/v1/people/"


class TestPeopleApi:
    def test_it_lists_masked_and_filtered(self, client_as, resident_a, resident_b):
        response = client_as("town_staff").get(API, {"initials": "zgy"})
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 1
        item = body["items"][0]
        assert item["name"] == "张桂英"
        assert item["id_number_masked"] == "3****************4"
        assert item["phone_masked"] == "138****5678"
        assert "13812345678" not in response.content.decode()

    def test_it_answers_422_for_bad_filters(self, client_as, world):
        response = client_as("community_a").get(API, {"phone_suffix": "12"})
        assert response.status_code == 422
        assert response.json()["detail"][0]["msg"] == "请输入电话号码的后4位数字"

    def test_it_requires_a_session(self, client, resident_a):
        assert client.get(API).status_code == 401

    def test_it_reads_one_person(self, client_as, resident_a):
        response = client_as("community_a").get(f"{API}{resident_a.pk}")
        assert response.json()["place"] == resident_a.place_id

    def test_it_creates_a_person(self, client_as, world):
        response = client_as("community_a").post(
            API,
            {
                "name": "刘美华",
                "place": world.household_a.pk,
                "id_number": "11010519491231002X",
                "phone": "13700001234",
                "care_tags": ["aged"],
            },
            content_type="application/json",
        )
        assert response.status_code == 201
        body = response.json()
        assert body["name_initials"] == "lmh"
        assert body["care_tags"] == [{"code": "aged", "name": "高龄"}]

    def test_it_answers_422_in_chinese(self, client_as, world):
        response = client_as("community_a").post(
            API,
            {
                "name": "刘美华",
                "place": world.household_a.pk,
                "id_number": "110105194912310021",
            },
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["detail"] == [
            {
                "loc": ["body", "id_number"],
                "msg": "身份证号校验位错误（应为X）",
                "type": "value_error",
            }
        ]

    def test_it_answers_403_to_roles_without_ledgers(self, client_as, world):
        response = client_as("grid_worker_a").post(
            API,
            {
                "name": "刘美华",
                "place": world.household_a.pk,
            },
            content_type="application/json",
        )
        assert response.status_code == 403
        assert response.json() == {"detail": "您的角色不能修改人员台账"}

    def test_it_patches_a_person(self, client_as, resident_a):
        response = client_as("community_a").patch(
            f"{API}{resident_a.pk}",
            {"phone": "13900002222", "care_tags": ["dibao"]},
            content_type="application/json",
        )
        assert response.status_code == 200
        assert response.json()["phone_masked"] == "139****2222"
        resident_a.refresh_from_db()
        assert resident_a.name == "张桂英"

    @pytest.mark.parametrize(
        ("role", "status"),
        [
            ("grid_worker_a", 200),
            ("community_a", 200),
            ("county_leader", 403),
            ("volunteer_a", 404),  # answers for no household of the resident's: not even found
            ("outsider_b", 404),
        ],
    )
    def test_it_reveals_by_role_and_scope(self, client_as, resident_a, reveals, role, status):
        response = client_as(role).post(f"{API}{resident_a.pk}/reveal?field=id_number")
        assert response.status_code == status
        if status == 200:
            assert response.json() == {"field": "id_number", "value": "360732194501011234"}
        assert reveals(resident_a) == (1 if status == 200 else 0)

    def test_it_never_exposes_ciphertext(self, client_as, resident_a):
        body = client_as("community_a").get(f"{API}{resident_a.pk}").content.decode()
        assert resident_a.id_number_enc not in body and "_enc" not in body
        assert Person.objects.count() == 1
