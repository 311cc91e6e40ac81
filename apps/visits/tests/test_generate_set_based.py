"""Cycle generation as one INSERT … SELECT (issue 19): the same tasks, in the same order, as the
per-row generator it replaced, and nothing more on a rerun; refused to someone without
visits.plan over the plan's scope."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from apps.accounts.choices import Role
from apps.cases.actions import do_create_case
from apps.cases.models import Case, Category
from apps.core.models import AuditEvent
from apps.core.testing.factories import DutyFactory, PersonFactory, make_place, make_user
from apps.duties.models import Duty
from apps.people.models import CareTag
from apps.places.choices import PlaceKind
from apps.places.models import SEGMENT, Place, subtree_q
from apps.places.selectors import ancestor_ids, count_subquery
from apps.visits.actions import do_create_plan, do_generate_cycle
from apps.visits.choices import OPEN_CASE_WEIGHT
from apps.visits.models import VisitPlan, VisitTask

from .conftest import FRIDAY

pytestmark = pytest.mark.django_db


def per_row_tasks(plan: VisitPlan, on: dt.date) -> list[tuple[int, int, int, int]]:
    """The generator before issue 19, kept here as the reference: read the targets with their
    priority and the current holders, then walk each target's ancestors in Python.
    (place, assignee, duty, priority) in insertion order."""
    tags = CareTag.objects.filter(people__place=OuterRef("pk"), people__active=True, active=True)
    care = Subquery(
        tags.order_by().values("people__place").annotate(s=Sum("weight")).values("s"),
        output_field=IntegerField(),
    )
    cases = count_subquery(Case.objects.open().filter(place=OuterRef("pk")))
    targets = (
        Place.objects.subtree(plan.scope)
        .filter(kind__in=plan.target_kinds())
        .annotate(care_weight=Coalesce(care, Value(0)), open_cases=cases)
        .values_list("pk", "path", "care_weight", "open_cases")
    )
    duties = (
        Duty.objects.current(on)
        .filter(kind__in=plan.duty_kinds)
        .filter(subtree_q(plan.scope) | Q(place_id__in=ancestor_ids(plan.scope)))
        .order_by("id")
        .values_list("pk", "person_id", "place_id")
    )
    holders: dict[int, list[tuple[int, int]]] = {}
    for duty_id, person_id, place_id in duties:
        holders.setdefault(place_id, []).append((duty_id, person_id))
    rows = []
    for place_id, path, care_weight, open_cases in targets:
        seen: set[int] = set()
        for i in range(0, len(path), SEGMENT):
            for duty_id, person_id in holders.get(int(path[i : i + SEGMENT]), ()):
                if person_id not in seen:
                    seen.add(person_id)
                    rows.append(
                        (place_id, person_id, duty_id, care_weight + OPEN_CASE_WEIGHT * open_cases)
                    )
    return rows


@pytest.fixture
def busy_community(world):
    """Community A with holders on every level: a town-wide grid worker above the scope, one on
    the grid, a building head who also holds 包联 on a household of the building (one task, on
    the building), a person with two 包联 on one household (the older duty), an ended and a
    future duty, a holder in community B; care tags (one on an inactive resident) and open
    cases for priorities."""
    households = [world.household_a]
    for b in range(2):
        building = make_place(PlaceKind.BUILDING, f"{b + 2}栋", world.compound_a)
        for u in range(2):
            unit = make_place(PlaceKind.UNIT, f"{u + 1}单元", building)
            for h in range(3):
                households.append(make_place(PlaceKind.HOUSEHOLD, f"{h + 1}0{u + 1}室", unit))
    loose = make_place(PlaceKind.HOUSEHOLD, "红门路3号", world.grid_a)  # no compound
    households.append(loose)
    building_2 = households[1].parent.parent
    people = {n: PersonFactory(name=n, place=world.household_a) for n in "甲乙丙丁戊己庚辛"}
    DutyFactory(person=people["甲"], place=world.town, kind="grid_worker")
    DutyFactory(person=people["乙"], place=world.grid_a, kind="grid_worker")
    DutyFactory(person=people["丙"], place=building_2, kind="building_head")
    DutyFactory(person=people["丙"], place=households[2], kind="baolian")
    DutyFactory(person=people["丁"], place=households[3], kind="baolian")
    DutyFactory(person=people["丁"], place=households[3], kind="baolian")
    DutyFactory(person=people["丁"], place=loose, kind="baolian")
    DutyFactory(
        person=people["戊"], place=households[4], kind="baolian", end_date=FRIDAY - dt.timedelta(1)
    )
    DutyFactory(
        person=people["己"],
        place=households[5],
        kind="baolian",
        start_date=FRIDAY + dt.timedelta(1),
    )
    DutyFactory(person=people["庚"], place=world.household_b, kind="baolian")
    DutyFactory(person=people["辛"], place=households[6], kind="unit_head")  # not a plan kind
    elderly = PersonFactory(name="独居老人", place=households[2])
    elderly.care_tags.add(*CareTag.objects.filter(active=True)[:2])
    moved = PersonFactory(name="已迁出", place=households[3], active=False)
    moved.care_tags.add(CareTag.objects.filter(active=True).first())
    category = Category.objects.filter(active=True).first()
    for place in (households[2], households[2], loose):
        do_create_case(
            actor=world.user("community_a"), category=category, place=place, title="楼道灯不亮"
        )
    return households


def _plan(world, kind: str, duty_kinds: list[str]) -> VisitPlan:
    return do_create_plan(
        actor=world.user("community_a"),
        name=f"{kind} 计划",
        kind=kind,
        scope=world.community_a,
        rule="FREQ=WEEKLY;BYDAY=FR",
        start_date=dt.date(2025, 1, 3),
        duty_kinds=duty_kinds,
        window_days=2,
    )


def _generated(plan: VisitPlan) -> list[tuple[int, int, int, int]]:
    return list(
        VisitTask.objects.filter(plan=plan)
        .order_by("id")
        .values_list("place_id", "assignee_id", "duty_id", "priority")
    )


@pytest.mark.parametrize(
    ("kind", "duty_kinds"),
    [
        ("household", ["baolian", "grid_worker", "building_head"]),
        ("household", ["baolian"]),
        ("hazard", ["grid_worker", "building_head"]),
    ],
    ids=["household-all-levels", "household-baolian", "hazard-patrol"],
)
def test_it_writes_what_the_per_row_generator_wrote(world, busy_community, kind, duty_kinds):
    plan = _plan(world, kind, duty_kinds)
    expected = per_row_tasks(plan, FRIDAY)
    cycle, created = do_generate_cycle(plan, FRIDAY)
    assert created == len(expected) == cycle.task_count > 0
    assert _generated(plan) == expected  # the same rows in the same order
    assert set(
        VisitTask.objects.filter(plan=plan).values_list(
            "cycle_id", "occurrence", "window_end", "status", "kind", "reason"
        )
    ) == {(cycle.pk, FRIDAY, cycle.window_end, "planned", "round", "")}


def test_the_fixture_covers_every_rule_of_the_choice(world, busy_community):
    """The equivalence above means something: one person's two duties over a household give one
    task on the duty held higher up, two on one place the older one, ended, future and
    unplanned duty kinds give none, and the priorities are not all zero."""
    plan = _plan(world, "household", ["baolian", "grid_worker", "building_head"])
    do_generate_cycle(plan, FRIDAY)
    tasks = VisitTask.objects.filter(plan=plan)
    h = busy_community
    on_h2 = tasks.get(place=h[2], assignee__name="丙")
    assert on_h2.duty.kind == "building_head"
    on_h3 = tasks.get(place=h[3], assignee__name="丁")
    assert on_h3.duty_id == min(Duty.objects.filter(place=h[3]).values_list("pk", flat=True))
    assert not tasks.filter(assignee__name__in=["戊", "己", "庚", "辛"]).exists()
    assert tasks.filter(assignee__name="甲").count() == len(h)  # the town's grid worker
    assert on_h2.priority > 2 * OPEN_CASE_WEIGHT
    assert tasks.get(place=h[3], assignee__name="甲").priority == 0  # inactive resident's tag


def test_a_second_run_creates_nothing_more(world, busy_community):
    plan = _plan(world, "household", ["baolian", "grid_worker", "building_head"])
    cycle, created = do_generate_cycle(plan, FRIDAY)
    before = _generated(plan)
    again, created_again = do_generate_cycle(plan, FRIDAY)
    assert again.pk == cycle.pk and created_again == 0
    assert _generated(plan) == before and again.task_count == created
    # One audit event per run that created tasks, never one per row.
    assert AuditEvent.objects.filter(object_type="visits.visitcycle").count() == 1


def test_a_rerun_adds_only_the_new_holders_tasks(world, busy_community):
    plan = _plan(world, "household", ["baolian"])
    do_generate_cycle(plan, FRIDAY)
    before = set(_generated(plan))
    newcomer = PersonFactory(name="新包联", place=world.household_a)
    DutyFactory(person=newcomer, place=busy_community[7], kind="baolian")
    _, created = do_generate_cycle(plan, FRIDAY)
    after = set(_generated(plan))
    assert created == 1 and before < after
    assert {row[1] for row in after - before} == {newcomer.pk}


def test_a_plan_with_no_target_writes_an_empty_cycle(world):
    empty = make_place(PlaceKind.COMMUNITY, "新建社区", world.town)
    plan = do_create_plan(
        actor=None,
        name="新建社区入户",
        kind="household",
        scope=empty,
        rule="FREQ=WEEKLY;BYDAY=FR",
        start_date=dt.date(2025, 1, 3),
        duty_kinds=["baolian"],
    )
    cycle, created = do_generate_cycle(plan, FRIDAY)
    assert created == 0 and cycle.task_count == 0


def test_a_person_needs_the_plan_capability_over_its_scope(world):
    plan = _plan(world, "household", ["baolian"])
    with pytest.raises(PermissionDenied):
        do_generate_cycle(plan, FRIDAY, actor=world.user("outsider_b"))
    volunteer = make_user("vol_gen", Role.VOLUNTEER, world.community_a)
    with pytest.raises(PermissionDenied):
        do_generate_cycle(plan, FRIDAY, actor=volunteer)
    cycle, _ = do_generate_cycle(plan, FRIDAY, actor=world.user("community_a"))
    assert cycle.plan_id == plan.pk
