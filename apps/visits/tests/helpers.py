"""Shared set-ups for tests in and outside this app."""

import datetime as dt
from typing import Any

from apps.accounts.choices import Role
from apps.core.testing.factories import DutyFactory, PersonFactory, make_user
from apps.visits.actions import do_create_plan, do_generate_cycle
from apps.visits.models import VisitTask


def friday_household_task(world: Any) -> tuple[Any, VisitTask]:
    """A party member (`party_a`) paired with household A, whose weekly Friday visit task for
    Friday 2026-12-04 is generated: (the member's account, the task)."""
    member = PersonFactory(name="刘党员", place=world.household_a)
    party = make_user("party_a", Role.PARTY_MEMBER, world.community_a, person=member)
    DutyFactory(person=member, place=world.household_a, kind="baolian")
    plan = do_create_plan(
        actor=world.user("community_a"),
        name="周五入户",
        kind="household",
        scope=world.community_a,
        rule="FREQ=WEEKLY;BYDAY=FR",
        start_date=dt.date(2025, 1, 3),
        duty_kinds=["baolian"],
        checklist=["政策宣传"],
        window_days=6,
    )
    do_generate_cycle(plan, dt.date(2026, 12, 4))
    return party, VisitTask.objects.get(place=world.household_a)
