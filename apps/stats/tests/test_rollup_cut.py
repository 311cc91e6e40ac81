"""The case rollups are cut at each tree's grid depth, whatever kind of place the tree's root
is: under a province and a city (the demo county's tree) the community and grid dashboards
read the rollup rows, as they do in a county-rooted tree, and give the figures of the cases."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from apps.accounts.choices import Role
from apps.cases.actions import do_transition
from apps.cases.models import CaseRollup
from apps.cases.rollups import exact_for, rollup_path
from apps.cases.selectors import case_kpis as cohort_kpis
from apps.cases.tests.helpers import make_case, walk
from apps.core.testing.factories import make_place, make_user
from apps.places.choices import PlaceKind
from apps.stats.rollups import rebuild, verify, verify_python
from apps.stats.selectors import (
    case_figures,
    dashboard_figures,
    month_end,
    overdue_now,
    previous_month,
)

from .helpers import KPI_FIELDS, same_figures, scramble

pytestmark = pytest.mark.django_db

ABOVE = {
    "county": [],
    "city": [(PlaceKind.CITY, "赣州市", "360700000000")],
    "province": [
        (PlaceKind.PROVINCE, "江西省", "360000000000"),
        (PlaceKind.CITY, "赣州市", "360700000000"),
    ],
}


@pytest.fixture(params=["province", "city", "county"])
def tree(request):
    """The shared personas' county (two communities in one town), under a province and a
    city, under a city only, or at the root."""
    parent = None
    for kind, name, code in ABOVE[request.param]:
        parent = make_place(kind, name, parent, code=code)
    county = make_place(PlaceKind.COUNTY, "兴国县", parent, code="360732000000")
    town = make_place(PlaceKind.TOWN, "潋江镇", county)
    community_a = make_place(PlaceKind.COMMUNITY, "红门社区", town)
    grid_a = make_place(PlaceKind.GRID, "红门第一网格", community_a)
    compound_a = make_place(PlaceKind.COMPOUND, "幸福小区", grid_a)
    building_a = make_place(PlaceKind.BUILDING, "1栋", compound_a)
    unit_a = make_place(PlaceKind.UNIT, "1单元", building_a)
    household_a = make_place(PlaceKind.HOUSEHOLD, "101室", unit_a)
    community_b = make_place(PlaceKind.COMMUNITY, "将军社区", town)
    grid_b = make_place(PlaceKind.GRID, "将军第一网格", community_b)
    household_b = make_place(PlaceKind.HOUSEHOLD, "将军路8号", grid_b)
    users = {
        "county_leader": make_user("leader", Role.COUNTY_LEADER, county),
        "community_a": make_user("staff_a", Role.COMMUNITY_STAFF, community_a),
        "volunteer_a": make_user("vol_a", Role.VOLUNTEER, community_a),
        "outsider_b": make_user("staff_b", Role.COMMUNITY_STAFF, community_b),
    }
    return SimpleNamespace(
        root=request.param,
        county=county,
        town=town,
        community_a=community_a,
        grid_a=grid_a,
        compound_a=compound_a,
        household_a=household_a,
        community_b=community_b,
        grid_b=grid_b,
        household_b=household_b,
        user=users.__getitem__,
    )


def live(user, place, date_from, date_to, now):
    kpis = cohort_kpis(user, place, date_from, date_to, now=now)
    kpis.overdue = overdue_now(place, now).count()
    return kpis


def test_a_case_counts_under_its_grid_and_grids_are_exact(tree):
    assert rollup_path(tree.household_a.path) == tree.grid_a.path
    assert rollup_path(tree.household_b.path) == tree.grid_b.path
    assert rollup_path(tree.community_a.path) == tree.community_a.path
    for place in (tree.county, tree.town, tree.community_a, tree.grid_a):
        assert exact_for(place.path), place
    assert not exact_for(tree.compound_a.path)
    assert not exact_for(tree.household_a.path)


def test_the_actions_write_grid_rows_that_verify_and_rebuild_agree_with(tree):
    vol = tree.user("volunteer_a")
    done = walk(
        make_case(tree),
        tree,
        ("accept", "community_a", None),
        ("dispatch", "community_a", {"assignee": vol.pk}),
        ("claim", "volunteer_a", None),
        ("start", "volunteer_a", None),
        ("resolve", "volunteer_a", None),
    )
    do_transition(done, "rate", actor=None, data={"rating": "satisfied"}, token=done.tracking_token)
    make_case(tree, place=tree.household_b, actor=tree.user("outsider_b"))
    make_case(tree, place=tree.community_a)
    paths = set(CaseRollup.objects.values_list("place_path", flat=True))
    assert paths == {tree.grid_a.path, tree.grid_b.path, tree.community_a.path}
    assert verify() == []
    assert verify_python() == []
    counted = CaseRollup.objects.exclude(n=0).values_list("place_path", "status", "n", "resolved")
    before = sorted(counted)
    rebuild()
    assert verify() == []
    after = sorted(counted.all())
    assert after == before


def test_community_and_grid_dashboards_read_the_rollups_and_equal_the_cases(
    tree, django_assert_num_queries
):
    scramble(tree, n=60, seed=5)
    assert verify() == []
    leader = tree.user("county_leader")
    now = timezone.now()
    this_month = timezone.localdate().replace(day=1)
    last_month = previous_month(this_month)
    for place in (tree.community_a, tree.community_b, tree.town, tree.grid_a):
        for month in (this_month, last_month):
            if place.kind == PlaceKind.GRID:  # its children (compounds) are counted live
                got = dashboard_figures(leader, place, month, now=now)
            else:
                # the rolled-up overview: child areas, the grouped month rows, the open cases
                # of the two months, the overdue cases per child (live: 20 and more)
                with django_assert_num_queries(4):
                    got = dashboard_figures(leader, place, month, now=now)
            end = month_end(month)
            want = live(leader, place, month, end, now)
            for name in KPI_FIELDS:
                assert getattr(got.current, name) == getattr(want, name), (place, name)
            want = live(leader, place, previous_month(month), month - dt.timedelta(days=1), now)
            for name in KPI_FIELDS:
                assert getattr(got.previous, name) == getattr(want, name), (place, name)
            for kpis in got.children:
                want = live(leader, kpis.place, month, end, now)
                for name in KPI_FIELDS:
                    assert getattr(kpis, name) == getattr(want, name), (kpis.place, name)
        start = timezone.localdate() - dt.timedelta(days=60)
        same_figures(
            case_figures(leader, place, start, timezone.localdate(), now=now),
            live(leader, place, start, timezone.localdate(), now),
        )
