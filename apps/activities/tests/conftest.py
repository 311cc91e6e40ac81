"""An activity of community A under way now (capacity 2), residents of household A with known
phone numbers, and a volunteer with an account (vol_person)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from apps.accounts.choices import Role
from apps.activities.actions import do_create_activity
from apps.activities.models import Activity
from apps.core.testing.factories import PersonFactory, make_user
from apps.people.models import Person
from apps.volunteers.models import Volunteer


@dataclass
class Cast:
    residents: list[Person]
    volunteer: Person
    volunteer_user: Any


def make_activity(
    world, *, capacity: int | None = 2, starts_in: int = -10, actor: Any = None, **fields: Any
) -> Activity:
    start = timezone.now() + dt.timedelta(minutes=starts_in)
    values = {
        "title": "共建书香社区惠民书展",
        "kind": "reading",
        "start_at": start,
        "end_at": start + dt.timedelta(hours=2),
        "capacity": capacity,
        "place": world.community_a,
        **fields,
    }
    return do_create_activity(actor=actor or world.user("community_a"), **values)


@pytest.fixture
def book_fair(world) -> Activity:
    return make_activity(world)


@pytest.fixture
def cast(world) -> Cast:
    residents = [
        PersonFactory(name=name, place=world.household_a, secrets__phone=phone)
        for name, phone in (
            ("张桂英", "13812345678"),
            ("李建国", "13900001111"),
            ("王小红", "13700002222"),
            ("赵明", "13600003333"),
        )
    ]
    volunteer = PersonFactory(name="陈志愿", place=world.household_a, secrets__phone="13500004444")
    Volunteer.objects.create(person=volunteer)
    user = make_user("vol_chen", Role.VOLUNTEER, world.community_a, person=volunteer)
    return Cast(residents, volunteer, user)
