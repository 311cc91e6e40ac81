import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts.choices import Role
from apps.core.testing.factories import make_user


@pytest.fixture
def admin_client(world) -> Client:
    client = Client()
    client.force_login(world.user("admin"))
    return client


class TestPersonAdmin:
    def test_it_shows_masks_and_no_secret(self, admin_client, resident_a):
        response = admin_client.get(reverse("admin:people_person_change", args=[resident_a.pk]))
        html = response.content.decode()
        assert response.status_code == 200
        form_fields = set(response.context["adminform"].form.fields)
        assert not form_fields & {"id_number_enc", "id_number_index", "phone_enc", "phone_index"}
        assert "3****************4" in html and "138****5678" in html
        assert resident_a.id_number_enc not in html and resident_a.phone_index not in html
        assert "13812345678" not in html

    def test_it_keeps_masks_read_only(self, admin_client, resident_a, world):
        admin_client.post(
            reverse("admin:people_person_change", args=[resident_a.pk]),
            {
                "name": "张桂英",
                "place": world.household_a.pk,
                "phone_masked": "x",
                "id_number_masked": "y",
                "active": "on",
            },
        )
        resident_a.refresh_from_db()
        assert resident_a.phone_masked == "138****5678"

    def test_it_searches_the_changelist_by_phone_suffix(self, admin_client, resident_a):
        response = admin_client.get(reverse("admin:people_person_changelist"), {"q": "5678"})
        assert list(response.context["cl"].result_list) == [resident_a]


class TestManagedListsAdmin:
    def test_it_lets_administrators_edit_care_tags(self, admin_client):
        url = reverse("admin:people_caretag_changelist")
        assert admin_client.get(url).status_code == 200

    def test_it_keeps_other_staff_out(self, world):
        client = Client()
        client.force_login(
            make_user("clerk", Role.COMMUNITY_STAFF, world.community_a, is_staff=True)
        )
        for name in ("people_caretag", "people_skill"):
            assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403
