from datetime import date

import pytest

from apps.core.testing.factories import PersonFactory, make_place
from apps.people.actions import do_set_party_member
from apps.people.filters import PersonFilter
from apps.people.models import CareTag
from apps.people.selectors import person_list
from apps.places.choices import PlaceKind
from apps.volunteers.actions import do_register_volunteer


@pytest.fixture
def people(world, resident_a, resident_b):
    household_2 = make_place(PlaceKind.HOUSEHOLD, "102室", world.unit_a)
    wang = PersonFactory(
        name="王建国",
        place=household_2,
        sex="M",
        birth_date=date(1990, 6, 1),
        secrets__phone="13900001111",
    )
    resident_a.birth_date = date(1945, 1, 1)
    resident_a.sex = "F"
    resident_a.save()
    resident_a.care_tags.add(CareTag.objects.get(code="alone_elderly"))
    staff = world.user("community_a")
    do_set_party_member(wang, actor=staff, group_name="第一党小组")
    do_register_volunteer(resident_a, actor=staff, skills=["companionship"])
    return {"zhang": resident_a, "wang": wang, "li": resident_b}


def names(world, user="community_a", **params):
    form = PersonFilter(params, user=world.user(user))
    return sorted(p.name for p in person_list(world.user(user), form))


class TestPersonFilter:
    def test_it_lists_only_the_scope(self, world, people):
        assert names(world) == ["张桂英", "王建国"]
        assert names(world, "town_staff") == ["张桂英", "李春生", "王建国"]

    def test_it_finds_by_pinyin_initials(self, world, people):
        assert names(world, initials="zgy") == ["张桂英"]
        assert names(world, initials="ZG") == ["张桂英"]

    def test_it_finds_by_name(self, world, people):
        assert names(world, name="建") == ["王建国"]

    def test_it_finds_by_phone_suffix(self, world, people):
        assert names(world, phone_suffix="1111") == ["王建国"]

    def test_it_finds_by_exact_id_number(self, world, people):
        assert names(world, id_number="360732194501011234") == ["张桂英"]
        assert names(world, id_number="360732194501011235") == []

    def test_it_finds_by_care_tag(self, world, people):
        assert names(world, care_tag="alone_elderly") == ["张桂英"]

    @pytest.mark.parametrize(
        ("role", "expected"),
        [
            ("party_member", ["王建国"]),
            ("volunteer", ["张桂英"]),
            ("resident", ["张桂英", "王建国"]),
        ],
    )
    def test_it_finds_by_role(self, world, people, role, expected):
        assert names(world, role=role) == expected

    def test_it_finds_within_a_place_subtree(self, world, people):
        assert names(world, "town_staff", place=str(world.community_b.pk)) == ["李春生"]

    def test_it_refuses_a_place_outside_scope(self, world, people):
        form = PersonFilter({"place": str(world.community_b.pk)}, user=world.user("community_a"))
        assert not form.is_valid()
        assert form.errors["place"] == ["地点不存在或不在您的管辖范围内"]
        assert list(person_list(world.user("community_a"), form)) == []

    def test_it_finds_by_sex_and_age(self, world, people):
        assert names(world, sex="F") == ["张桂英"]
        assert names(world, age_min="60") == ["张桂英"]
        assert names(world, age_min="20", age_max="40") == ["王建国"]

    def test_it_explains_bad_values(self, world):
        form = PersonFilter(
            {"phone_suffix": "12", "age_min": "50", "age_max": "40"}, user=world.user("community_a")
        )
        assert not form.is_valid()
        assert form.errors == {
            "phone_suffix": ["请输入电话号码的后4位数字"],
            "age_max": ["年龄上限不能小于下限"],
        }
