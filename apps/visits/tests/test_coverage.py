"""Coverage of a cycle equals a direct count on a generated area; assignees below target."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.testing.factories import DutyFactory, PersonFactory, make_place
from apps.places.choices import PlaceKind
from apps.places.models import Place
from apps.visits.actions import do_generate_cycle, do_record_unreachable, do_record_visit
from apps.visits.models import VisitTask
from apps.visits.selectors import cycle_coverage, not_visited, without_holder

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated(world, visit_round):
    """Three more buildings of 2 units × 3 households; members hold 包联 on a random 2/3 of
    them (some households held twice); random visits, 未能入户 and untouched tasks."""
    rng = random.Random(2026)
    members = [PersonFactory(name=f"党员{i}", place=world.household_a) for i in range(4)]
    for b in range(3):
        building = make_place(PlaceKind.BUILDING, f"{b + 3}栋", world.compound_a)
        for u in range(2):
            unit = make_place(PlaceKind.UNIT, f"{u + 1}单元", building)
            for h in range(3):
                household = make_place(PlaceKind.HOUSEHOLD, f"{u + 1}0{h + 1}室", unit)
                for member in rng.sample(members, rng.choice([0, 1, 1, 2])):
                    DutyFactory(person=member, place=household, kind="baolian")
    plan = visit_round.plan
    plan.rule = "FREQ=DAILY"
    plan.save()
    cycle, _ = do_generate_cycle(plan, timezone.localdate())
    staff = world.user("community_a")
    for task in VisitTask.objects.filter(cycle=cycle).order_by("pk"):
        roll = rng.random()
        if roll < 0.5:
            do_record_visit(task, actor=staff)
        elif roll < 0.7:
            do_record_unreachable(task, actor=staff, reason="家中无人")
    return cycle


class TestCycleCoverage:
    def test_it_equals_a_direct_count(self, generated, world):
        for area in (world.community_a, world.compound_a, world.building_a):
            households = [p for p in Place.objects.subtree(area) if p.kind == "household"]
            tasks = list(VisitTask.objects.filter(cycle=generated))
            due = {t.place_id for t in tasks} & {h.pk for h in households}
            done = {t.place_id for t in tasks if t.status == "done"} & due
            cover = cycle_coverage(generated, area)
            assert (cover.targets, cover.due, cover.visited) == (
                len(households),
                len(due),
                len(done),
            )
            assert cover.no_holder == len(households) - len(due)
            assert {p.pk for p in not_visited(generated, area)} == due - done
            assert {p.pk for p in without_holder(generated, area)} == (
                {h.pk for h in households} - due
            )
            by_person = {r.assignee_id: r for r in cover.assignees}
            for person_id in {t.assignee_id for t in tasks if t.place_id in due}:
                mine = [t for t in tasks if t.assignee_id == person_id and t.place_id in due]
                row = by_person[person_id]
                assert (row.due, row.done) == (
                    len(mine),
                    sum(t.status == "done" for t in mine),
                )
                assert row.below_target == (row.done < row.due)

    def test_it_takes_two_queries(self, generated, world):
        with CaptureQueriesContext(connection) as queries:
            cycle_coverage(generated, world.community_a)
        assert len(queries) == 2  # the area figures, the assignee rows
