"""Coverage (不漏一户) against a brute-force count on generated trees."""

import random
from datetime import date

import pytest

from apps.core.testing.factories import DutyFactory, PersonFactory
from apps.duties.models import Duty
from apps.duties.selectors import coverage, uncovered
from apps.places.choices import PlaceKind
from apps.places.models import Place
from apps.places.tests.trees import grow_community

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 8)


@pytest.fixture
def area(world):
    """Two generated communities with a random mix of current, ended and future duties."""
    rng = random.Random(11)
    for i in range(2):
        grow_community(world.town, f"覆盖{i}社区", rng, grids=3)
    holder = PersonFactory(name="党员", place=world.community_a)
    for place in Place.objects.filter(kind__in=[PlaceKind.HOUSEHOLD, PlaceKind.GRID]):
        kind = "baolian" if place.kind == PlaceKind.HOUSEHOLD else "grid_worker"
        roll = rng.random()
        if roll < 0.5:
            DutyFactory(person=holder, place=place, kind=kind, start_date=date(2025, 1, 1))
        elif roll < 0.6:
            DutyFactory(
                person=holder,
                place=place,
                kind=kind,
                start_date=date(2025, 1, 1),
                end_date=date(2026, 1, 1),
            )
        elif roll < 0.7:
            DutyFactory(person=holder, place=place, kind=kind, start_date=date(2026, 9, 1))
        elif roll < 0.8:  # a duty of another kind does not cover
            DutyFactory(person=holder, place=place, kind="pairing", start_date=date(2025, 1, 1))
    return world


def brute_force(node: Place, kind: str, target_kind: str) -> tuple[int, int]:
    """(covered, total) by looking at every target and its duties one by one."""
    covered = total = 0
    for place in Place.objects.all():
        if place.kind != target_kind or not place.path.startswith(node.path):
            continue
        total += 1
        covered += any(
            d.kind == kind and d.start_date <= TODAY and (d.end_date is None or d.end_date >= TODAY)
            for d in Duty.objects.filter(place=place)
        )
    return covered, total


class TestCoverage:
    @pytest.mark.parametrize(
        ("kind", "target"), [("baolian", PlaceKind.HOUSEHOLD), ("grid_worker", PlaceKind.GRID)]
    )
    def test_it_matches_a_brute_force_count(self, area, kind, target):
        for node in [area.county, area.town, *area.town.children.all()]:
            result = coverage(node, kind, TODAY)
            assert (result.total.covered, result.total.total) == brute_force(node, kind, target)
            for row in result.children:
                assert (row.covered, row.total) == brute_force(row.place, kind, target)

    def test_it_lists_exactly_the_uncovered(self, area):
        covered, total = brute_force(area.town, "baolian", PlaceKind.HOUSEHOLD)
        assert uncovered(area.town, "baolian", TODAY).count() == total - covered
        for place in uncovered(area.town, "baolian", TODAY):
            assert not Duty.objects.current(TODAY).filter(place=place, kind="baolian").exists()

    def test_it_takes_one_query_for_the_figures(self, area, django_assert_num_queries):
        with django_assert_num_queries(1):
            coverage(area.county, "baolian", TODAY)

    def test_it_lists_the_uncovered_with_not_exists(self, area, django_assert_num_queries):
        with django_assert_num_queries(1) as ctx:
            list(uncovered(area.town, "baolian", TODAY)[:50])
        assert "NOT EXISTS" in ctx.captured_queries[0]["sql"]

    def test_it_gives_percentages(self, world):
        holder = PersonFactory(place=world.household_a)
        DutyFactory(person=holder, place=world.household_a, start_date=date(2025, 1, 1))
        result = coverage(world.town, "baolian", TODAY)
        assert (result.total.covered, result.total.total, result.total.percent) == (1, 2, 50.0)
        assert [(r.place.name, r.percent) for r in result.children] == [
            ("红门社区", 100.0),
            ("将军社区", 0.0),
        ]

    def test_it_counts_the_area_itself_when_it_is_a_target(self, world):
        holder = PersonFactory(place=world.grid_a)
        DutyFactory(
            person=holder, place=world.grid_a, kind="grid_worker", start_date=date(2025, 1, 1)
        )
        result = coverage(world.grid_a, "grid_worker", TODAY)
        assert (result.total.covered, result.total.total) == (1, 1)
        result = coverage(world.grid_b, "grid_worker", TODAY)
        assert (result.total.covered, result.total.total) == (0, 1)
