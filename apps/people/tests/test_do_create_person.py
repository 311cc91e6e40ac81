import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.models import AuditEvent
from apps.core.testing.factories import make_id_number
from apps.people.actions import do_create_person, do_update_person
from apps.people.models import CareTag

VALID_ID = "11010519491231002X"  # the GB 11643 standard's own example


def create(world, actor="community_a", **kwargs):
    data = {"name": "王秀兰", "place": world.household_a, **kwargs}
    return do_create_person(actor=world.user(actor), **data)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


class TestIdNumberValidation:
    def test_it_accepts_a_valid_number_and_derives_birth_date_and_sex(self, world):
        person = create(world, id_number=VALID_ID.lower())
        assert person.id_number_masked == "1****************X"
        assert str(person.birth_date) == "1949-12-31"
        assert person.sex == "F"

    def test_it_names_the_expected_check_character(self, world):
        with pytest.raises(ValidationError) as excinfo:
            create(world, id_number="110105194912310021")
        assert errors_of(excinfo) == {"id_number": ["身份证号校验位错误（应为X）"]}

    def test_it_rejects_an_impossible_birth_date(self, world):
        with pytest.raises(ValidationError) as excinfo:
            create(world, id_number="110105194902300021")
        assert errors_of(excinfo) == {"id_number": ["身份证号中的出生日期无效"]}

    @pytest.mark.parametrize("value", ["11010519491231002", "1101051949123100211", "ABC"])
    def test_it_rejects_a_wrong_length(self, world, value):
        with pytest.raises(ValidationError) as excinfo:
            create(world, id_number=value)
        assert errors_of(excinfo) == {
            "id_number": ["身份证号应为18位：前17位数字，最后一位数字或X"]
        }


class TestCreatePerson:
    def test_it_rejects_a_bad_phone(self, world):
        with pytest.raises(ValidationError) as excinfo:
            create(world, phone="12345")
        assert errors_of(excinfo) == {
            "phone": ["电话号码格式不正确（手机号11位，座机如0797-1234567）"]
        }

    def test_it_tells_where_a_duplicate_is_registered_within_scope(self, world, resident_a):
        with pytest.raises(ValidationError) as excinfo:
            create(world, id_number="360732194501011234")
        assert errors_of(excinfo) == {"id_number": ["该身份证号已登记（红门社区 101室）"]}

    def test_it_hides_where_a_duplicate_is_registered_outside_scope(self, world, resident_a):
        with pytest.raises(ValidationError) as excinfo:
            create(
                world, actor="outsider_b", place=world.household_b, id_number="360732194501011234"
            )
        assert errors_of(excinfo) == {
            "id_number": ["该身份证号已在您管辖范围以外登记，请联系上级核实"]
        }

    def test_it_keeps_pinyin_initials_and_care_tags(self, world):
        person = create(world, name="张桂英", care_tags=["alone_elderly", "aged"])
        assert person.name_initials == "zgy"
        assert set(person.care_tags.values_list("code", flat=True)) == {"alone_elderly", "aged"}

    def test_it_refuses_unknown_care_tags(self, world):
        with pytest.raises(ValidationError) as excinfo:
            create(world, care_tags=["nope"])
        assert errors_of(excinfo) == {"care_tags": ["未知的关爱标签：nope"]}

    def test_it_refuses_a_place_outside_scope(self, world):
        with pytest.raises(ValidationError) as excinfo:
            create(world, place=world.household_b)
        assert errors_of(excinfo) == {"place": ["所选地点不存在或不在您的管辖范围内"]}

    @pytest.mark.parametrize("role", ["county_leader", "grid_worker_a", "volunteer_a"])
    def test_it_refuses_roles_that_do_not_keep_ledgers(self, world, role):
        with pytest.raises(PermissionDenied, match="您的角色不能修改人员台账"):
            create(world, actor=role)

    def test_it_audits_with_masks_only(self, world):
        person = create(world, id_number=VALID_ID, phone="13912345678")
        event = AuditEvent.objects.get(verb="create", object_type="people.person")
        assert event.object_id == str(person.pk)
        assert event.changes["id_number"] == ["", "1****************X"]
        assert event.changes["phone"] == ["", "139****5678"]
        assert VALID_ID not in str(event.changes) and "13912345678" not in str(event.changes)


class TestUpdatePerson:
    def test_it_updates_name_initials_and_numbers(self, world, resident_a):
        do_update_person(
            resident_a,
            actor=world.user("community_a"),
            name="李桂英",
            phone="13987654321",
            care_tags=[CareTag.objects.get(code="dibao")],
        )
        resident_a.refresh_from_db()
        assert (resident_a.name_initials, resident_a.phone_masked) == ("lgy", "139****4321")
        assert list(resident_a.care_tags.values_list("code", flat=True)) == ["dibao"]
        event = AuditEvent.objects.get(verb="update")
        assert event.changes["name"] == ["张桂英", "李桂英"]
        assert event.changes["phone"] == ["138****5678", "139****4321"]

    def test_it_allows_keeping_the_own_id_number(self, world, resident_a):
        do_update_person(
            resident_a, actor=world.user("community_a"), id_number="360732194501011234"
        )

    def test_it_refuses_a_person_outside_scope(self, world, resident_b):
        with pytest.raises(PermissionDenied, match="该人员不在您的管辖范围内"):
            do_update_person(resident_b, actor=world.user("community_a"), note="x")

    def test_it_refuses_an_id_number_of_someone_else(self, world, resident_a):
        other = create(world, id_number=make_id_number())
        with pytest.raises(ValidationError) as excinfo:
            do_update_person(other, actor=world.user("community_a"), id_number="360732194501011234")
        assert errors_of(excinfo) == {"id_number": ["该身份证号已登记（红门社区 101室）"]}
