"""A city above its counties (issue 16, item 1): the city's dashboard reads the counties'
rollup rows and its figures are the sum of theirs; the overview ranks the counties."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.accounts.choices import Role
from apps.cases.tests.helpers import make_case
from apps.core.testing.factories import make_place, make_user
from apps.places.choices import PlaceKind
from apps.stats.dashboard import overview
from apps.stats.rollups import verify
from apps.stats.selectors import dashboard_figures

from .helpers import KPI_FIELDS

pytestmark = pytest.mark.django_db


def test_the_city_dashboard_is_the_sum_of_its_counties():
    moment = dt.datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        province = make_place(PlaceKind.PROVINCE, "江西省", code="360000000000")
        city = make_place(PlaceKind.CITY, "赣州市", province, code="360700000000")
        for name, code, n in (("兴国县", "360732000000", 3), ("于都县", "360731000000", 2)):
            county = make_place(PlaceKind.COUNTY, name, city, code=code)
            town = make_place(PlaceKind.TOWN, f"{name[:2]}镇", county)
            community = make_place(PlaceKind.COMMUNITY, f"{name[:2]}社区", town)
            grid = make_place(PlaceKind.GRID, f"{name[:2]}第一网格", community)
            household = make_place(PlaceKind.HOUSEHOLD, "1号", grid)
            staff = make_user(f"staff_{code[:6]}", Role.COMMUNITY_STAFF, community)
            for _ in range(n):
                make_case(None, actor=staff, place=household)
        leader = make_user("city_leader", Role.COUNTY_LEADER, city)
        assert verify() == []
        month = dt.date(2026, 11, 1)
        got = dashboard_figures(leader, city, month)
        assert {k.place.name: k.total for k in got.children} == {"兴国县": 3, "于都县": 2}
        for name in KPI_FIELDS:
            assert getattr(got.current, name) == sum(getattr(k, name) for k in got.children)
        assert got.current.total == 5
        page = overview(leader, city, month, rank="cases_total")
        assert {row["name"]: row["value"] for row in page.ranking} == {"兴国县": 3, "于都县": 2}
        county_leader = make_user("xg_leader", Role.COUNTY_LEADER, city.children.get(name="兴国县"))
        mine = dashboard_figures(county_leader, county_leader.scope, month)
        assert mine.current.total == 3
