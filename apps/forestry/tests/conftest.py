"""A forest zone under the world's town with a polygon, its chiefs at three levels and two
rangers, each with an account."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from apps.accounts.choices import Role
from apps.core.testing.factories import DutyFactory, PersonFactory, make_place, make_user
from apps.duties.choices import DutyKind
from apps.places.choices import PlaceKind
from apps.places.models import Place

LAT0, LNG0 = 26.95, 115.20


def square(size_deg: float = 0.01) -> dict:
    ring = [
        [LNG0, LAT0],
        [LNG0 + size_deg, LAT0],
        [LNG0 + size_deg, LAT0 + size_deg],
        [LNG0, LAT0 + size_deg],
        [LNG0, LAT0],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass
class Forest:
    zone: Place
    other_zone: Place
    users: dict[str, Any]

    def user(self, name: str) -> Any:
        return self.users[name]


@pytest.fixture
def forest(world) -> Forest:
    zone = make_place(
        PlaceKind.FOREST_ZONE, "潋江镇第一林区", world.town, geometry=square(), lat=LAT0, lng=LNG0
    )
    other = make_place(PlaceKind.FOREST_ZONE, "潋江镇第二林区", world.town, geometry=square())
    users: dict[str, Any] = {}
    start = dt.date(2024, 1, 1)
    for name, kind, role, scope in [
        ("county_chief", DutyKind.FOREST_CHIEF_COUNTY, Role.FOREST_CHIEF, world.county),
        ("town_chief", DutyKind.FOREST_CHIEF_TOWN, Role.FOREST_CHIEF, world.town),
        ("village_chief", DutyKind.FOREST_CHIEF_VILLAGE, Role.FOREST_CHIEF, zone),
        ("ranger1", DutyKind.RANGER, Role.RANGER, zone),
        ("ranger2", DutyKind.RANGER, Role.RANGER, zone),
    ]:
        person = PersonFactory(
            name={"county_chief": "县林长", "town_chief": "乡林长"}.get(name, name),
            place=world.household_a,
        )
        DutyFactory(person=person, place=zone, kind=kind, start_date=start)
        users[name] = make_user(f"f_{name}", role, scope, person=person)
    other_person = PersonFactory(name="别区护林员", place=world.household_b)
    DutyFactory(person=other_person, place=other, kind=DutyKind.RANGER, start_date=start)
    users["other_ranger"] = make_user("f_other", Role.RANGER, other, person=other_person)
    return Forest(zone, other, users)


@pytest.fixture(autouse=True)
def morning_clock():
    """Every forestry test runs at 09:00 Shanghai time on a fixed day, the clock ticking: a
    patrol's fixes run forward from "now", and a track is split at local midnight, so a test
    run late in the evening would otherwise measure two days."""
    from zoneinfo import ZoneInfo

    import time_machine

    start = dt.datetime(2026, 5, 14, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(start, tick=True):
        yield
