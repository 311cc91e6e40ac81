"""Case figures from the rollups equal `case_kpis` (a count over the raw cases) for several
areas and periods, on rows generated straight and on cases driven through the actions."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from apps.cases.actions import do_transition
from apps.cases.selectors import case_kpis as cohort_kpis
from apps.cases.tests.helpers import make_case, walk
from apps.core.testing.factories import make_place
from apps.places.choices import PlaceKind
from apps.stats.rollups import verify
from apps.stats.selectors import (
    case_figures,
    child_figures,
    counted_cases,
    dashboard_figures,
    month_end,
    overdue_now,
    previous_month,
)

from .helpers import KPI_FIELDS, same_figures, scramble

pytestmark = pytest.mark.django_db


def case_kpis(user, place, date_from, date_to, *, now):
    """The raw-case reference: `apps.cases.selectors.case_kpis`, with 超期未办 as the leader's
    figures define it (open and past a deadline now, whenever registered: `overdue_now`)."""
    kpis = cohort_kpis(user, place, date_from, date_to, now=now)
    kpis.overdue = overdue_now(place, now).count()
    return kpis


def periods() -> list[tuple[dt.date, dt.date]]:
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    return [
        (today - dt.timedelta(days=60), today),
        (last_month, this_month - dt.timedelta(days=1)),  # whole months: the month table
        ((last_month - dt.timedelta(days=1)).replace(day=1), this_month - dt.timedelta(days=1)),
        (today - dt.timedelta(days=30), today - dt.timedelta(days=10)),
        (today.replace(day=1), today),
        (today - dt.timedelta(days=3), today - dt.timedelta(days=3)),
    ]


class TestCaseFigures:
    def test_it_equals_case_kpis_for_areas_and_periods(self, world):
        scramble(world)
        leader = world.user("county_leader")
        now = timezone.now()
        areas = [
            world.county,
            world.town,
            world.community_a,
            world.grid_a,
            world.community_b,
            world.compound_a,  # below grid level: counted from the cases
        ]
        for place in areas:
            for date_from, date_to in periods():
                want = case_kpis(leader, place, date_from, date_to, now=now)
                got = case_figures(leader, place, date_from, date_to, now=now)
                same_figures(got, want)
        assert case_figures(leader, world.county, *periods()[0], now=now).total > 40

    def test_it_gives_each_child_area_its_figures(self, world):
        scramble(world)
        leader = world.user("county_leader")
        now = timezone.now()
        date_from, date_to = periods()[0]
        for parent in (world.town, world.grid_a):
            children = child_figures(leader, parent, date_from, date_to, now=now)
            assert children
            for kpis in children:
                want = case_kpis(leader, kpis.place, date_from, date_to, now=now)
                assert (kpis.total, kpis.resolved, kpis.satisfied, kpis.due_to_respond) == (
                    want.total,
                    want.resolved,
                    want.satisfied,
                    want.due_to_respond,
                )

    def test_it_ranks_areas_not_special_places(self, world):
        make_place(PlaceKind.HOSPITAL, "县人民医院", world.county)
        leader = world.user("county_leader")
        children = child_figures(leader, world.county, *periods()[0], now=timezone.now())
        assert [k.place for k in children] == [world.town]

    def test_it_follows_cases_through_the_actions(self, world):
        vol = world.user("volunteer_a")
        done = make_case(world)
        done = walk(
            done,
            world,
            ("accept", "community_a", None),
            ("dispatch", "community_a", {"assignee": vol.pk}),
            ("claim", "volunteer_a", None),
            ("start", "volunteer_a", None),
            ("resolve", "volunteer_a", None),
        )
        rated = do_transition(
            done, "rate", actor=None, data={"rating": "satisfied"}, token=done.tracking_token
        )
        assert rated.status == "evaluated"
        make_case(world, place=world.household_b, actor=world.user("outsider_b"))
        up = make_case(world)
        walk(up, world, ("escalate", "community_a", None))
        gone = make_case(world)
        walk(gone, world, ("cancel", "community_a", None))
        assert verify() == []
        today = timezone.localdate()
        now = timezone.now()
        leader = world.user("county_leader")
        for place in (world.county, world.community_a, world.grid_b):
            same_figures(
                case_figures(leader, place, today, today, now=now),
                case_kpis(leader, place, today, today, now=now),
            )
        figures = case_figures(leader, world.county, today, today, now=now)
        assert (figures.total, figures.resolved, figures.satisfied) == (3, 1, 1)

    def test_it_refuses_a_place_outside_the_scope(self, world):
        today = timezone.localdate()
        with pytest.raises(Http404):
            case_figures(world.user("community_a"), world.community_b, today, today)


class TestDashboardFigures:
    """`dashboard_figures` (the overview's two queries) equals direct counts over the cases:
    the month and the month before, each child area, each month of the trend."""

    def test_it_equals_direct_counts_for_areas_and_months(self, world):
        scramble(world, n=90, seed=3)
        leader = world.user("county_leader")
        now = timezone.now()
        this_month = timezone.localdate().replace(day=1)
        last_month = previous_month(this_month)
        for place in (world.county, world.town, world.community_a, world.grid_a, world.compound_a):
            for month in (this_month, last_month):
                got = dashboard_figures(leader, place, month, now=now)
                end = month_end(month)
                want = case_kpis(leader, place, month, end, now=now)
                for name in KPI_FIELDS:
                    assert getattr(got.current, name) == getattr(want, name), (place, name)
                before = previous_month(month)
                want = case_kpis(leader, place, before, month - dt.timedelta(days=1), now=now)
                for name in KPI_FIELDS:
                    assert getattr(got.previous, name) == getattr(want, name), (place, name)
                for kpis in got.children:
                    want = case_kpis(leader, kpis.place, month, end, now=now)
                    for name in KPI_FIELDS:
                        assert getattr(kpis, name) == getattr(want, name), (kpis.place, name)
                assert len(got.trend) == 12
                for row in got.trend:
                    n = counted_cases(place, row["month"], month_end(row["month"])).count()
                    assert row["n"] == n
        assert dashboard_figures(leader, world.county, last_month, now=now).previous.total >= 0
        assert (
            sum(r["n"] for r in dashboard_figures(leader, world.county, this_month, now=now).trend)
            > 40
        )

    def test_it_refuses_a_place_outside_the_scope(self, world):
        with pytest.raises(Http404):
            dashboard_figures(
                world.user("community_a"), world.community_b, timezone.localdate().replace(day=1)
            )


def test_the_overview_case_figures_take_four_queries(world, django_assert_num_queries):
    """Child areas, the grouped month rollups, the open cases of the two months, the overdue
    cases of now per child: no more, however many children or months (the scope is checked
    on the user's scope row, read once per request)."""
    scramble(world, n=30, seed=9)
    leader = world.user("county_leader")
    assert leader.scope is not None
    month = timezone.localdate().replace(day=1)
    for place in (world.county, world.town):
        with django_assert_num_queries(4):
            dashboard_figures(leader, place, month)
