from dataclasses import dataclass
from typing import Any

import pytest

from apps.accounts.choices import Role
from apps.care.actions import do_create_pairing
from apps.core.testing.factories import OrganisationFactory, PersonFactory, make_user
from apps.people.models import CareTag, Person


@dataclass
class Care:
    tag: CareTag
    child: Person
    sibling: Person
    teacher: Person
    teacher_user: Any
    school: Any
    child_b: Person


@pytest.fixture
def care(world) -> Care:
    tag, _ = CareTag.objects.get_or_create(
        code="left_behind_child", defaults={"name": "留守儿童", "weight": 30}
    )
    child = PersonFactory(name="刘小明", place=world.household_a, relation="grandchild")
    sibling = PersonFactory(name="刘小红", place=world.household_a, relation="grandchild")
    child_b = PersonFactory(name="王小军", place=world.household_b, relation="child")
    for person in (child, sibling, child_b):
        person.care_tags.add(tag)
    school = OrganisationFactory(kind="school", name="红门小学", place=world.community_a)
    teacher = PersonFactory(name="陈老师", place=world.grid_a)
    teacher_user = make_user("teacher_a", Role.VOLUNTEER, world.community_a, person=teacher)
    return Care(tag, child, sibling, teacher, teacher_user, school, child_b)


@pytest.fixture
def pairing(care, world):
    return do_create_pairing(
        actor=world.user("community_a"), person=care.child, carer=care.teacher, school=care.school
    )
