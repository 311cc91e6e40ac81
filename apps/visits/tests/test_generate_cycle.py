"""Cycle generation: only the next occurrence, idempotent, priorities, holidays."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.cases.actions import do_create_case
from apps.cases.models import Category
from apps.core.models import AuditEvent
from apps.core.testing.factories import DutyFactory, PersonFactory
from apps.people.models import CareTag
from apps.visits.actions import do_generate_cycle, generate_due_cycles
from apps.visits.models import VisitCycle, VisitTask
from apps.visits.recurrence import next_occurrence, window_end

from .conftest import FRIDAY

pytestmark = pytest.mark.django_db


class TestGenerateCycle:
    def test_it_makes_one_task_per_household_per_holder(self, visit_round, world):
        cycle, created = do_generate_cycle(visit_round.plan, FRIDAY)
        assert created == 2
        rows = set(VisitTask.objects.values_list("place_id", "assignee_id", "status"))
        member = visit_round.member.pk
        assert rows == {
            (world.household_a.pk, member, "planned"),
            (visit_round.households[2].pk, member, "planned"),
        }
        assert cycle.task_count == 2 and cycle.window_end == dt.date(2025, 6, 8)
        assert AuditEvent.objects.filter(object_type="visits.visitcycle").count() == 1

    def test_it_gives_grid_workers_every_household_of_their_grid(self, visit_round, world):
        visit_round.plan.duty_kinds = ["baolian", "grid_worker"]
        visit_round.plan.save()
        do_generate_cycle(visit_round.plan, FRIDAY)
        gridder = VisitTask.objects.filter(assignee=visit_round.gridder)
        assert set(gridder.values_list("place_id", flat=True)) == {
            h.pk for h in visit_round.households
        }
        assert VisitTask.objects.count() == 5  # 3 for the grid worker, 2 for the member

    def test_it_is_idempotent(self, visit_round):
        do_generate_cycle(visit_round.plan, FRIDAY)
        cycle, created = do_generate_cycle(visit_round.plan, FRIDAY)
        assert created == 0
        assert VisitTask.objects.count() == 2 and VisitCycle.objects.count() == 1
        assert cycle.task_count == 2

    def test_it_adds_only_a_new_holders_tasks_on_a_rerun(self, visit_round, world):
        do_generate_cycle(visit_round.plan, FRIDAY)
        other = PersonFactory(name="新党员", place=world.household_a)
        DutyFactory(person=other, place=visit_round.households[1], kind="baolian")
        _, created = do_generate_cycle(visit_round.plan, FRIDAY)
        assert created == 1 and VisitTask.objects.count() == 3

    def test_it_skips_duties_not_current_on_the_occurrence(self, visit_round, world):
        gone = PersonFactory(name="已卸任", place=world.household_a)
        DutyFactory(
            person=gone,
            place=visit_round.households[1],
            kind="baolian",
            end_date=FRIDAY - dt.timedelta(days=1),
        )
        do_generate_cycle(visit_round.plan, FRIDAY)
        assert not VisitTask.objects.filter(assignee=gone).exists()

    def test_it_refuses_a_day_that_is_not_an_occurrence(self, visit_round):
        with pytest.raises(ValidationError) as exc:
            do_generate_cycle(visit_round.plan, dt.date(2025, 6, 5))
        assert exc.value.message_dict == {"occurrence": ["2025-06-05 不是该计划的走访日"]}

    def test_it_ranks_by_care_tags_and_open_cases(self, visit_round, world):
        elderly = PersonFactory(name="独居老人甲", place=world.household_a)
        elderly.care_tags.add(CareTag.objects.get(code="alone_elderly"))
        do_create_case(
            actor=world.user("community_a"),
            category=Category.objects.filter(active=True).first(),
            place=world.household_a,
            title="楼道灯不亮",
        )
        do_generate_cycle(visit_round.plan, FRIDAY)
        task = VisitTask.objects.get(place=world.household_a)
        assert task.priority == 30 + 20  # 独居老人 and one open case
        assert VisitTask.objects.get(place=visit_round.households[2]).priority == 0


class TestNextOccurrenceOnly:
    def test_it_generates_only_the_next_cycle_across_a_boundary(self, visit_round):
        assert generate_due_cycles(today=dt.date(2025, 6, 4)) == 2  # Wednesday → Fri 6 June
        assert generate_due_cycles(today=dt.date(2025, 6, 6)) == 0  # the Friday itself
        assert list(VisitCycle.objects.values_list("occurrence", flat=True)) == [FRIDAY]
        generate_due_cycles(today=dt.date(2025, 6, 7))  # Saturday → Fri 13 June
        assert list(VisitCycle.objects.values_list("occurrence", flat=True)) == [
            dt.date(2025, 6, 13),
            FRIDAY,
        ]

    def test_it_follows_half_month_and_month_presets(self):
        start = dt.date(2025, 1, 1)
        half = "FREQ=MONTHLY;BYMONTHDAY=1,16"
        assert next_occurrence(half, start, dt.date(2025, 1, 2)) == dt.date(2025, 1, 16)
        assert next_occurrence(half, start, dt.date(2025, 1, 17)) == dt.date(2025, 2, 1)
        monthly = "FREQ=MONTHLY;BYMONTHDAY=1"
        assert next_occurrence(monthly, start, dt.date(2025, 12, 2)) == dt.date(2026, 1, 1)


class TestHolidays:
    def test_it_keeps_a_friday_on_a_public_holiday_and_extends_its_window(self, visit_round):
        # 2025-10-03 is a Friday in the National Day holiday (1–8 October).
        cycle, _ = do_generate_cycle(visit_round.plan, dt.date(2025, 10, 3))
        assert cycle.occurrence == dt.date(2025, 10, 3)
        assert cycle.window_end == dt.date(2025, 10, 9)  # 5 Oct is a holiday: first day after

    def test_it_leaves_an_ordinary_weekend_window_alone(self):
        assert window_end(dt.date(2025, 10, 17), 2) == dt.date(2025, 10, 19)

    def test_it_moves_a_window_ending_on_spring_festival(self):
        # Spring Festival 2026: 15–23 February.
        assert window_end(dt.date(2026, 2, 13), 2) == dt.date(2026, 2, 24)
