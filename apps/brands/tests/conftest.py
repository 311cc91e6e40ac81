"""Shared set-up for the brands tests: a brand of community A answering 养老服务 with a
co-building unit, a volunteer with an account, and a survey of community A."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from apps.accounts.choices import Role
from apps.cases.models import Category
from apps.core.testing.factories import OrganisationFactory, PersonFactory, make_user
from apps.people.models import CareTag, Skill
from apps.volunteers.models import Volunteer

from ..actions import do_create_brand, do_create_campaign


@pytest.fixture
def elderly(db) -> Category:
    return Category.objects.get(code="elderly-care")


@pytest.fixture
def helper(world) -> tuple[Volunteer, Any]:
    """A volunteer of community A (陪伴聊天) with an account."""
    person = PersonFactory(name="王芳", place=world.household_a)
    volunteer = Volunteer.objects.create(person=person)
    volunteer.skills.set(Skill.objects.filter(code="companionship"))
    user = make_user("wangfang", Role.VOLUNTEER, world.community_a, person=person)
    return volunteer, user


@pytest.fixture
def brand(world, elderly, helper):
    partner = OrganisationFactory(
        kind="co_building_unit", name="县供电公司", place=world.community_a
    )
    return do_create_brand(
        actor=world.user("community_a"),
        name="暖巢行动",
        area=world.community_a,
        description="高龄独居老人关爱",
        communities=[world.community_a],
        categories=[elderly],
        target_tags=list(CareTag.objects.filter(code="alone_elderly")),
        partners=[partner],
        volunteers=[helper[0]],
    )


@pytest.fixture
def campaign(world):
    today = timezone.localdate()
    return do_create_campaign(
        actor=world.user("community_a"),
        name="红门社区需求调研",
        area=world.community_a,
        start_date=today - dt.timedelta(days=10),
        end_date=today + dt.timedelta(days=10),
        team="红门社区需求调研队",
    )
