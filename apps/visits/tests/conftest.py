"""A community A with two buildings: a party member (account party_a) holding 包联 on two
households, a grid worker over the whole grid, and one household nobody holds on its own."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from apps.accounts.choices import Role
from apps.core.testing.factories import DutyFactory, PersonFactory, make_place, make_user
from apps.places.choices import PlaceKind
from apps.places.models import Place
from apps.visits.actions import do_create_plan
from apps.visits.models import VisitPlan

FRIDAY = dt.date(2025, 6, 6)


@dataclass
class Round:
    plan: VisitPlan
    member: Any
    member_user: Any
    gridder: Any
    households: list[Place]
    building_2: Place


@pytest.fixture
def visit_round(world) -> Round:
    unit_2 = make_place(PlaceKind.UNIT, "2单元", world.building_a)
    building_2 = make_place(PlaceKind.BUILDING, "2栋", world.compound_a)
    unit_b2 = make_place(PlaceKind.UNIT, "1单元", building_2)
    h2 = make_place(PlaceKind.HOUSEHOLD, "201室", unit_2)
    h3 = make_place(PlaceKind.HOUSEHOLD, "101室", unit_b2)
    member = PersonFactory(name="刘党员", place=world.household_a)
    gridder = PersonFactory(name="周网格", place=world.grid_a)
    member_user = make_user("party_a", Role.PARTY_MEMBER, world.community_a, person=member)
    DutyFactory(person=member, place=world.household_a, kind="baolian")
    DutyFactory(person=member, place=h3, kind="baolian")
    DutyFactory(person=gridder, place=world.grid_a, kind="grid_worker")
    plan = do_create_plan(
        actor=world.user("community_a"),
        name="周五入户",
        kind="household",
        scope=world.community_a,
        rule="FREQ=WEEKLY;BYDAY=FR",
        start_date=dt.date(2025, 1, 1),
        duty_kinds=["baolian"],
        checklist=["政策宣传", "民意记录"],
        window_days=2,
    )
    return Round(plan, member, member_user, gridder, [world.household_a, h2, h3], building_2)


@dataclass
class Patrol:
    plan: VisitPlan
    inspector: Any
    inspector_user: Any


@pytest.fixture
def patrol(world) -> Patrol:
    """A weekly hazard inspection of community A by the grid worker of grid A (a person with an
    account scoped to the grid): tasks on the grid, its compound and its building."""
    inspector = PersonFactory(name="吴巡查", place=world.grid_a)
    user = make_user("patrol_a", Role.GRID_WORKER, world.grid_a, person=inspector)
    DutyFactory(person=inspector, place=world.grid_a, kind="grid_worker")
    plan = do_create_plan(
        actor=world.user("community_a"),
        name="每周隐患排查",
        kind="hazard",
        scope=world.community_a,
        rule="FREQ=DAILY",
        start_date=dt.date(2025, 1, 1),
        duty_kinds=["grid_worker"],
        checklist=["消防通道", "电动车充电", "燃气安全"],
        window_days=1,
    )
    return Patrol(plan, inspector, user)
